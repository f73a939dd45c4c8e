import { PsSyntaxError, tokenize, type Token } from './tokenize-powershell';

/** The syntax tree of the subset: statements of pipelines of commands with bound arguments. */
export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'variable'; name: string }
  | { kind: 'static'; typeName: string; member: string }
  | { kind: 'word'; text: string }
  | { kind: 'block'; statements: Statement[]; text: string }
  | { kind: 'array'; items: Value[] };

export type Arg =
  { kind: 'param'; name: string; value: Value | null } | { kind: 'positional'; value: Value };

export interface Command {
  name: string;
  args: Arg[];
  pos: number;
}

/** A statement: an optional `$x =` or `[Type]::Member =`, then a pipeline or one bare value. */
export interface Statement {
  assignTo: string | null;
  assignToStatic: { typeName: string; member: string } | null;
  pipeline: Command[];
  value: Value | null;
  pos: number;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  parseStatements(until: 'end' | 'rbrace'): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined) {
        if (until === 'rbrace')
          throw new PsSyntaxError("Missing closing '}' in statement block.", this.text.length);
        return statements;
      }
      if (t.type === 'rbrace') {
        if (until === 'rbrace') return statements;
        throw new PsSyntaxError("Unexpected token '}' in expression or statement.", t.pos);
      }
      if (t.type === 'semi' || t.type === 'newline') {
        this.i++;
        continue;
      }
      statements.push(this.parseStatement());
    }
  }

  private parseStatement(): Statement {
    const first = this.peek()!;
    let assignTo: string | null = null;
    let assignToStatic: Statement['assignToStatic'] = null;
    if (first.type === 'variable' && this.tokens[this.i + 1]?.type === 'assign') {
      assignTo = first.name;
      this.i += 2;
    } else if (first.type === 'static' && this.tokens[this.i + 1]?.type === 'assign') {
      assignToStatic = { typeName: first.typeName, member: first.member };
      this.i += 2;
    }
    const head = this.peek();
    if (head && head.type !== 'word') {
      // A bare value statement (`$x = 'a'`, `$true`).
      const value = this.parseValue();
      this.expectEnd();
      return { assignTo, assignToStatic, pipeline: [], value, pos: first.pos };
    }
    const pipeline: Command[] = [this.parseCommand()];
    while (this.peek()?.type === 'pipe') {
      this.i++;
      pipeline.push(this.parseCommand());
    }
    this.expectEnd();
    return { assignTo, assignToStatic, pipeline, value: null, pos: first.pos };
  }

  private expectEnd(): void {
    const t = this.peek();
    if (t && !['semi', 'newline', 'rbrace'].includes(t.type)) {
      throw new PsSyntaxError(`Unexpected token in expression or statement.`, t.pos);
    }
  }

  private parseCommand(): Command {
    const t = this.peek();
    if (!t || t.type !== 'word') {
      throw new PsSyntaxError('An empty pipe element is not allowed.', t?.pos ?? this.text.length);
    }
    this.i++;
    const args: Arg[] = [];
    for (;;) {
      const a = this.peek();
      if (!a || ['pipe', 'semi', 'newline', 'rbrace'].includes(a.type)) break;
      if (a.type === 'param') {
        this.i++;
        if (a.attached) {
          args.push({ kind: 'param', name: a.name, value: this.parseValue() });
        } else {
          // Whether the next value belongs to the parameter is decided at binding time.
          args.push({ kind: 'param', name: a.name, value: null });
        }
        continue;
      }
      args.push({ kind: 'positional', value: this.parseValue() });
    }
    return { name: t.text, args, pos: t.pos };
  }

  private parseValue(): Value {
    const first = this.parsePrimary();
    if (this.peek()?.type !== 'comma') return first;
    const items = [first];
    while (this.peek()?.type === 'comma') {
      this.i++;
      items.push(this.parsePrimary());
    }
    return { kind: 'array', items };
  }

  private parsePrimary(): Value {
    const t = this.peek();
    if (!t) throw new PsSyntaxError('Missing expression.', this.text.length);
    this.i++;
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: t.value };
      case 'number':
        return { kind: 'number', value: t.value };
      case 'variable':
        return { kind: 'variable', name: t.name };
      case 'word':
        return { kind: 'word', text: t.text };
      case 'static':
        return { kind: 'static', typeName: t.typeName, member: t.member };
      case 'lbrace': {
        const statements = this.parseStatements('rbrace');
        const close = this.peek()!;
        this.i++;
        return { kind: 'block', statements, text: this.text.slice(t.pos + 1, close.pos).trim() };
      }
      default:
        throw new PsSyntaxError(`Unexpected token in expression or statement.`, t.pos);
    }
  }
}

export function parseScript(text: string): Statement[] {
  return new Parser(tokenize(text), text).parseStatements('end');
}

export { PsSyntaxError };
