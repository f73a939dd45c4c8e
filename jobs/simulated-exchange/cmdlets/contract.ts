import type { Statement } from '../parse-powershell';

/**
 * What a cmdlet is and what it sees while it runs: the contract between the interpreter
 * (interpreter.ts, which binds arguments and pipes objects) and the cmdlets (this folder).
 */
export type ParamType = 'string' | 'strings' | 'bool' | 'switch' | 'int' | 'block' | 'any';

export interface Block {
  statements: Statement[];
  text: string;
}

export interface CmdletEnv {
  stateFile: string;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

export interface CmdletContext {
  env: CmdletEnv;
  session: ShellSession;
  /** The computer an `Invoke-Command` script block runs on; null in the worker's own shell. */
  remoteServer: string | null;
  runBlock(block: Block, remoteServer: string): Promise<unknown[]>;
  /** Writes a warning the way the console host does: `WARNING: ...` on stdout. */
  warn(text: string): void;
}

export interface CmdletDef {
  name: string;
  /** `exchange`: only after Import-PSSession; `remote`: only inside Invoke-Command. */
  scope: 'local' | 'exchange' | 'remote';
  params: Record<string, ParamType>;
  positional?: string[];
  run(ctx: CmdletContext, args: Record<string, unknown>, input: unknown[]): Promise<unknown[]>;
}

export class PsError extends Error {
  constructor(
    message: string,
    readonly category = 'NotSpecified',
    readonly errorId = 'RuntimeException',
  ) {
    super(message);
  }
}

/** Ends the shell process (a scenario): not an error PowerShell would report, a dead process. */
export class ShellCrash extends Error {}

export interface ShellSession {
  variables: Map<string, unknown>;
  exchangeImported: boolean;
  /** The imported remote session broke; as in PowerShell, it stays broken in this shell. */
  exchangeBroken: boolean;
  /** The server the imported session is connected to, and its boot time then. */
  endpoint?: { server: string; bootTime: string };
}
