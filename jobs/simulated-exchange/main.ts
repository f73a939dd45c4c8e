import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createCmdlets } from './cmdlets';
import { Interpreter, ShellCrash, type CmdletEnv } from './interpreter';
import { readState } from './state-store';

/**
 * The simulated Exchange shell: what node-powershell spawns (via NODE_POWERSHELL) in place of
 * PowerShell. Protocol (node-powershell 5.0.1): stdin lines; each
 * `[Console]::Out.WriteLine("D")` is answered with `D\n` on stdout and each
 * `[Console]::Error.WriteLine("D")` with `D\n` on stderr; other lines run as they are read.
 * LF only, no banner, no prompt, exit 0 on EOF.
 */
const DELIMITER = /^\[Console\]::(Out|Error)\.WriteLine\("([0-9A-Za-z]+)"\)$/;

export const ENABLE_VAR = 'EXCHANGE_SIMULATOR';
export const STATE_VAR = 'EXCHANGE_SIMULATOR_STATE';

/** Why the simulator must not start, or null. It never stands in for a real shell by accident. */
export async function refusalReason(env: NodeJS.ProcessEnv): Promise<string | null> {
  if (env[ENABLE_VAR] !== '1') {
    return `${ENABLE_VAR}=1 is not set. This is a simulated Exchange shell for tests and demos; it does not talk to Exchange and must never replace PowerShell in production.`;
  }
  const file = env[STATE_VAR];
  if (!file) return `${STATE_VAR} (the simulated organisation's state file) is not set.`;
  if (!existsSync(file))
    return `state file ${file} does not exist (create it with createSimulatedOrg).`;
  try {
    await readState(file);
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

export interface ShellIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export async function runShell(io: ShellIo, env: CmdletEnv): Promise<void> {
  const interpreter = new Interpreter(createCmdlets(), env);
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of lines) {
    const m = DELIMITER.exec(line.trim());
    if (m) {
      (m[1] === 'Out' ? io.stdout : io.stderr).write(`${m[2]}\n`);
      continue;
    }
    // As `powershell -Command -` does, each line runs as soon as it is read, on its own.
    if (line.trim() === '') continue;
    const out = await interpreter.run(line);
    if (out.stdout.length > 0) io.stdout.write(`${out.stdout.join('\n')}\n`);
    if (out.stderr.length > 0) io.stderr.write(`${out.stderr.join('\n')}\n`);
  }
}

export async function runFromProcess(): Promise<void> {
  const reason = await refusalReason(process.env);
  if (reason !== null) {
    process.stderr.write(`fake-exchange-shell: refusing to start: ${reason}\n`);
    process.exit(2);
  }
  const env: CmdletEnv = {
    stateFile: process.env[STATE_VAR]!,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => new Date(),
  };
  try {
    await runShell({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, env);
  } catch (e) {
    if (!(e instanceof ShellCrash)) throw e;
    process.stderr.write(`fake-exchange-shell: ${e.message}\n`);
    process.exit(3);
  }
  process.exit(0);
}
