/**
 * A tokenizer for the PowerShell subset our scripts emit: commands, `-Param` (also `-Param:value`),
 * single-quoted literals (with PowerShell's five single-quote characters and doubling), variables,
 * numbers, `|`, `;`, `,`, `=`, `{ }` and newlines. Anything else is a syntax error, reported the
 * way PowerShell reports one, so an unexpected script fails loudly instead of being guessed at.
 */
export type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'param'; name: string; pos: number; attached: boolean }
  | { type: 'string'; value: string; pos: number }
  | { type: 'variable'; name: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  /** `[Type]::Member`, e.g. `[Console]::OutputEncoding`. */
  | { type: 'static'; typeName: string; member: string; pos: number }
  | {
      type: 'pipe' | 'semi' | 'newline' | 'comma' | 'assign' | 'lbrace' | 'rbrace' | 'colon';
      pos: number;
    };

export class PsSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
// PowerShell accepts the en dash, em dash and horizontal bar wherever it accepts "-".
const DASHES = new Set(['-', '\u2013', '\u2014', '\u2015']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || /\p{Zs}/u.test(c);
const WORD_CHAR = /[A-Za-z0-9_.\\/:?*-]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const pos = i;
    if (isSpace(c)) {
      i++;
    } else if (c === '\n' || c === '\r') {
      tokens.push({ type: 'newline', pos });
      i++;
    } else if (SINGLE_QUOTES.has(c)) {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new PsSyntaxError("The string is missing the terminator: '.", pos);
        }
        const q = text[i]!;
        if (SINGLE_QUOTES.has(q)) {
          if (i + 1 < text.length && SINGLE_QUOTES.has(text[i + 1]!)) {
            value += text[i + 1];
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += q;
        i++;
      }
      tokens.push({ type: 'string', value, pos });
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      if (!m) throw new PsSyntaxError(`Unexpected token '${text.slice(i, i + 2)}'.`, pos);
      tokens.push({ type: 'variable', name: m[1]!, pos });
      i += m[0].length;
    } else if (DASHES.has(c) && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      const m = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(i + 1))!;
      i += 1 + m[0].length;
      const attached = text[i] === ':';
      if (attached) i++;
      tokens.push({ type: 'param', name: m[0], pos, attached });
    } else if (c === '[') {
      const m = /^\[([A-Za-z][A-Za-z0-9.]*)\]::([A-Za-z][A-Za-z0-9]*)/.exec(text.slice(i));
      if (!m) throw new PsSyntaxError(`Unexpected token '[' in expression or statement.`, pos);
      tokens.push({ type: 'static', typeName: m[1]!, member: m[2]!, pos });
      i += m[0].length;
    } else if (c === '|') {
      tokens.push({ type: 'pipe', pos });
      i++;
    } else if (c === ';') {
      tokens.push({ type: 'semi', pos });
      i++;
    } else if (c === ',') {
      tokens.push({ type: 'comma', pos });
      i++;
    } else if (c === '=') {
      tokens.push({ type: 'assign', pos });
      i++;
    } else if (c === '{') {
      tokens.push({ type: 'lbrace', pos });
      i++;
    } else if (c === '}') {
      tokens.push({ type: 'rbrace', pos });
      i++;
    } else if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (/^\d+$/.test(word)) tokens.push({ type: 'number', value: Number(word), pos });
      else tokens.push({ type: 'word', text: word, pos });
      i = j;
    } else {
      // Double quotes, `$(`, `@(`, backticks, `&`, `#`, redirections...: never in our scripts.
      throw new PsSyntaxError(`Unexpected token '${c}' in expression or statement.`, pos);
    }
  }
  return tokens;
}
