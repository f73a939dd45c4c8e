import { findServer } from './org-state';
import { readState, updateState } from './state-store';
import {
  parseScript,
  PsSyntaxError,
  type Arg,
  type Command,
  type Statement,
  type Value,
} from './parse-powershell';
import {
  PsError,
  type Block,
  type CmdletContext,
  type CmdletDef,
  type CmdletEnv,
  type ParamType,
  type ShellSession,
} from './cmdlets/contract';

// What the shell's entry point (main.ts) uses of the contract.
export { ShellCrash, type CmdletEnv } from './cmdlets/contract';

const COMMON: Record<string, ParamType> = {
  ErrorAction: 'string',
  WarningAction: 'string',
  Verbose: 'switch',
  Confirm: 'switch',
  WhatIf: 'switch',
};

const notRecognized = (name: string) =>
  new PsError(
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    `ObjectNotFound: (${name}:String) []`,
    'CommandNotFoundException',
  );

function evaluate(value: Value, session: ShellSession): unknown {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
      return value.value;
    case 'word':
      return value.text;
    case 'block':
      return { statements: value.statements, text: value.text } satisfies Block;
    case 'array':
      return value.items.map((v) => evaluate(v, session));
    case 'static': {
      // The only static members our scripts read: the encodings of the set-up line.
      const name = `[${value.typeName}]::${value.member}`.toLowerCase();
      if (name === '[system.text.encoding]::utf8' || name === '[text.encoding]::utf8') {
        return { encoding: 'utf-8' };
      }
      throw new PsError(
        `Unable to find type [${value.typeName}].`,
        'InvalidOperation',
        'TypeNotFound',
      );
    }
    case 'variable': {
      const name = value.name.toLowerCase();
      if (name === 'true') return true;
      if (name === 'false') return false;
      if (name === 'null') return null;
      return session.variables.get(name) ?? null;
    }
  }
}

function coerce(cmdlet: string, param: string, type: ParamType, v: unknown): unknown {
  const bad = (to: string) =>
    new PsError(
      `${cmdlet} : Cannot process argument transformation on parameter '${param}'. Cannot convert value "${String(v)}" to type "${to}".`,
      'InvalidData',
      'ParameterArgumentTransformationError',
    );
  switch (type) {
    case 'any':
      return v;
    case 'string':
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      throw bad('System.String');
    case 'strings':
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
      if (typeof v === 'string') return [v];
      throw bad('System.String[]');
    case 'bool':
    case 'switch':
      if (typeof v === 'boolean') return v;
      throw bad('System.Boolean');
    case 'int':
      if (typeof v === 'number') return v;
      throw bad('System.Int32');
    case 'block':
      if (v !== null && typeof v === 'object' && 'statements' in v) return v;
      throw bad('System.Management.Automation.ScriptBlock');
  }
}

function bind(def: CmdletDef, command: Command, session: ShellSession): Record<string, unknown> {
  const spec = { ...COMMON, ...def.params };
  const names = Object.keys(spec);
  const bound: Record<string, unknown> = {};
  const positional: Value[] = [];
  const args: Arg[] = [...command.args];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg.kind === 'positional') {
      positional.push(arg.value);
      continue;
    }
    const lower = arg.name.toLowerCase();
    const exact = names.find((n) => n.toLowerCase() === lower);
    const matches = exact ? [exact] : names.filter((n) => n.toLowerCase().startsWith(lower));
    if (matches.length !== 1) {
      throw new PsError(
        matches.length === 0
          ? `A parameter cannot be found that matches parameter name '${arg.name}'.`
          : `Parameter cannot be processed because the parameter name '${arg.name}' is ambiguous. Possible matches include: ${matches.map((m) => `-${m}`).join(' ')}.`,
        `InvalidArgument: (:) [${def.name}], ParameterBindingException`,
        `NamedParameterNotFound,${def.name}`,
      );
    }
    const name = matches[0]!;
    const type = spec[name]!;
    let raw: unknown;
    if (arg.value !== null) raw = evaluate(arg.value, session);
    else if (type === 'switch') raw = true;
    else {
      const next = args[0];
      if (!next || next.kind !== 'positional') {
        throw new PsError(
          `Missing an argument for parameter '${name}'. Specify a parameter of type '${type}' and try again.`,
          `InvalidArgument: (:) [${def.name}], ParameterBindingException`,
          `MissingArgument,${def.name}`,
        );
      }
      args.shift();
      raw = evaluate(next.value, session);
    }
    bound[name] = coerce(def.name, name, type, raw);
  }
  const slots = (def.positional ?? []).filter((p) => !(p in bound));
  for (const value of positional) {
    const slot = slots.shift();
    const v = evaluate(value, session);
    if (slot === undefined) {
      throw new PsError(
        `A positional parameter cannot be found that accepts argument '${String(v)}'.`,
        `InvalidArgument: (:) [${def.name}], ParameterBindingException`,
        `PositionalParameterNotFound,${def.name}`,
      );
    }
    bound[slot] = coerce(def.name, slot, spec[slot]!, v);
  }
  return bound;
}

/** Format-List style text for objects printed without ConvertTo-Json. */
export function formatForHost(items: unknown[]): string {
  return items
    .map((item) => {
      if (item === null || typeof item !== 'object') return String(item);
      const entries = Object.entries(item as Record<string, unknown>);
      const width = Math.max(...entries.map(([k]) => k.length));
      return entries
        .map(([k, v]) => `${k.padEnd(width)} : ${v === null ? '' : String(v)}`)
        .join('\n');
    })
    .join('\n\n');
}

export interface RunOutput {
  stdout: string[];
  stderr: string[];
}

/**
 * Runs a parsed script: binds arguments to each cmdlet's declared parameters (as PowerShell does:
 * named, unique prefixes, then positional), pipes objects between commands, and reports errors in
 * PowerShell's words on stderr.
 */
export class Interpreter {
  constructor(
    private readonly cmdlets: Map<string, CmdletDef>,
    private readonly env: CmdletEnv,
    readonly session: ShellSession = {
      variables: new Map(),
      exchangeImported: false,
      exchangeBroken: false,
    },
  ) {}

  private lookup(name: string, remoteServer: string | null): CmdletDef {
    const def = this.cmdlets.get(name.toLowerCase());
    if (!def) throw notRecognized(name);
    if (def.scope === 'exchange' && !this.session.exchangeImported) throw notRecognized(name);
    if (def.scope === 'remote' && remoteServer === null) {
      throw new PsError(
        `${def.name} : this worker host is not an Exchange server; run it through Invoke-Command -ComputerName.`,
        'InvalidOperation',
        `${def.name}.LocalNotSupported`,
      );
    }
    return def;
  }

  /** Host output of the invocation in progress (warnings go here as they happen). */
  private host: string[] = [];

  private async runPipeline(statement: Statement, remoteServer: string | null): Promise<unknown[]> {
    if (statement.value) {
      const v = evaluate(statement.value, this.session);
      return Array.isArray(v) ? v : [v];
    }
    let input: unknown[] = [];
    for (const command of statement.pipeline) {
      const def = this.lookup(command.name, remoteServer);
      const args = bind(def, command, this.session);
      if (def.scope === 'exchange') await this.checkExchangeSession();
      const ctx: CmdletContext = {
        env: this.env,
        session: this.session,
        remoteServer,
        runBlock: (block, server) => this.runStatements(block.statements, server),
        warn: (text) => this.host.push(`WARNING: ${text}`),
      };
      input = await def.run(ctx, args, input);
    }
    return input;
  }

  private async checkExchangeSession(): Promise<void> {
    if (!this.session.exchangeBroken) {
      const peek = await readState(this.env.stateFile);
      const endpoint = this.session.endpoint;
      const host = endpoint ? findServer(peek, endpoint.server) : undefined;
      // The endpoint server went down or rebooted since the session was opened.
      const endpointLost =
        endpoint !== undefined &&
        (!host || !host.online || host.lastBootUpTime !== endpoint.bootTime);
      if (!endpointLost) {
        if (peek.sessionBreaks <= 0) return;
        const breaks = await updateState(this.env.stateFile, (s) => {
          if (s.sessionBreaks <= 0) return false;
          s.sessionBreaks -= 1;
          return true;
        });
        if (!breaks) return;
      }
      this.session.exchangeBroken = true;
      throw new PsError(
        'Starting a command on the remote server failed with the following error message : The I/O operation has been aborted because of either a thread exit or an application request. For more information, see the about_Remote_Troubleshooting Help topic.',
        'OperationStopped: (ex01:String) [], PSRemotingTransportException',
        'JobFailure',
      );
    }
    throw new PsError(
      'The session state is Broken, which is not valid for running commands on the remote server.',
      'InvalidOperation: (:) [], PSInvalidOperationException',
      'PSSessionStateBroken',
    );
  }

  /** Runs statements in a script block; the first error ends the block (it is rethrown). */
  private async runStatements(statements: Statement[], remoteServer: string | null) {
    const out: unknown[] = [];
    for (const s of statements) out.push(...(await this.runPipeline(s, remoteServer)));
    return out;
  }

  /**
   * Runs one input line. An error ends its statement; with `-ErrorAction Stop` (or a syntax
   * error) it ends the whole line, as a script-terminating error does.
   */
  async run(text: string): Promise<RunOutput> {
    const result: RunOutput = { stdout: [], stderr: [] };
    this.host = result.stdout;
    let statements: Statement[];
    try {
      statements = parseScript(text);
    } catch (e) {
      if (!(e instanceof PsSyntaxError)) throw e;
      result.stderr.push(
        formatError(
          text,
          e.pos,
          e.message,
          'ParserError: (:) [], ParentContainsErrorRecordException',
          'UnexpectedToken',
        ),
      );
      return result;
    }
    for (const statement of statements) {
      try {
        const items = await this.runPipeline(statement, null);
        if (statement.assignToStatic !== null) {
          const { typeName, member } = statement.assignToStatic;
          // Output is always UTF-8 here; accept the set-up line that asks for it, nothing else.
          if (
            !/^(system\.)?console$/i.test(typeName) ||
            member.toLowerCase() !== 'outputencoding'
          ) {
            throw new PsError(
              `'${member}' is a ReadOnly property.`,
              'InvalidOperation',
              'PropertyAssignmentException',
            );
          }
        } else if (statement.assignTo !== null) {
          this.session.variables.set(
            statement.assignTo.toLowerCase(),
            items.length === 1 ? items[0] : items,
          );
        } else if (items.length > 0) {
          result.stdout.push(formatForHost(items));
        }
      } catch (e) {
        if (!(e instanceof PsError)) throw e;
        const failed = statement.pipeline[0];
        const prefix = failed && !e.message.includes(' : ') ? `${failed.name} : ` : '';
        result.stderr.push(
          formatError(text, statement.pos, prefix + e.message, e.category, e.errorId),
        );
        const stop = statement.pipeline.some(wantsStop);
        if (stop) break;
      }
    }
    return result;
  }
}

/** `-ErrorAction Stop` (or `-EA Stop`, `-ErrorAction:Stop`) on a command. */
function wantsStop(command: Command): boolean {
  return command.args.some((arg, i) => {
    if (arg.kind !== 'param' || !['erroraction', 'ea'].includes(arg.name.toLowerCase())) {
      return false;
    }
    const next = command.args[i + 1];
    const value = arg.value ?? (next?.kind === 'positional' ? next.value : null);
    const text = value?.kind === 'word' ? value.text : value?.kind === 'string' ? value.value : '';
    return text.toLowerCase() === 'stop';
  });
}

function formatError(
  text: string,
  pos: number,
  message: string,
  category: string,
  errorId: string,
): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const char = pos - before.lastIndexOf('\n');
  const source = text.split('\n')[line - 1] ?? '';
  return [
    message,
    `At line:${line} char:${char}`,
    `+ ${source}`,
    `+ ${' '.repeat(Math.max(0, char - 1))}~~~~`,
    `    + CategoryInfo          : ${category}`,
    `    + FullyQualifiedErrorId : ${errorId}`,
  ].join('\n');
}
