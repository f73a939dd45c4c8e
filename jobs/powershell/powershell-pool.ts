import { InvocationError, PowerShell, type PowerShellOptions } from 'node-powershell';
import {
  buildScript,
  buildSessionSetup,
  checkInventory,
  parseOutput,
  splitHostMessages,
  type ActionId,
  type ActionOutput,
  type ActionParams,
  type ExchangeEndpoint,
  type OutputParseError,
} from '../../src/domain/actions';
import { shellEnvironment } from './shell-environment';

/**
 * A pool of node-powershell shells for the worker. Each shell is set up once with the remote
 * Exchange session and reused; one command runs in a shell at a time. A command that outlives
 * its timeout, or a shell that dies, costs that shell: node-powershell leaves a timed-out command
 * running, so the shell is killed and a fresh one set up in its place.
 */
export interface PoolLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PowerShellPoolOptions {
  endpoint: ExchangeEndpoint;
  /** Shells kept ready (default 2). */
  size?: number;
  /** PowerShell 7 (`pwsh`) instead of Windows PowerShell 5.1 (`powershell.exe`). */
  pwsh?: boolean;
  /** Per-command timeout in ms (default 120 s). */
  timeoutMs?: number;
  /** Per-action overrides; restart-server waits for the reboot (default 40 min). */
  actionTimeoutsMs?: Partial<Record<ActionId, number>>;
  /** Timeout of the session set-up in a new shell (default 60 s). */
  setupTimeoutMs?: number;
  /** When set, actions may name only these servers. */
  inventory?: readonly string[];
  /** Extra environment for the shells (e.g. the simulator's); secrets are never passed on. */
  env?: Record<string, string>;
  logger?: PoolLogger;
}

export type RunStatus =
  | 'succeeded'
  /** PowerShell wrote an error (stderr). */
  | 'failed'
  /** Ran past its timeout; the shell was replaced. */
  | 'timed-out'
  /** The shell died during the command. */
  | 'crashed'
  /** Ran, but the output did not parse; the raw text is kept. */
  | 'invalid-output'
  /** Refused before anything ran (validation, inventory). */
  | 'refused'
  /** Nothing ran: no PowerShell session could be set up (transient; a read may be retried). */
  | 'unavailable';

export interface RunResult {
  actionId: string;
  status: RunStatus;
  command: string | null;
  script: string | null;
  startedAt: string;
  durationMs: number;
  output: ActionOutput | null;
  /** stdout when the command ran cleanly, else the error text; kept in full. */
  raw: string;
  /** WARNING/VERBOSE lines from stdout (Exchange warns, e.g., that a restart is needed). */
  warnings: string[];
  error: string | null;
  parseError: OutputParseError | null;
  /** A change that timed out or lost its shell may or may not have happened: verify. */
  outcomeUnknown: boolean;
  /** Shells used: a read is run once more on a fresh shell after a broken session. */
  attempts: number;
}

const DEFAULT_TIMEOUTS: Partial<Record<ActionId, number>> = { 'restart-server': 40 * 60_000 };
const KILL_GRACE_MS = 2_000;
/** Errors that mean the shell's remote Exchange session is gone, not that the command failed. */
const BROKEN_SESSION = /PSRemotingTransportException|PSSessionStateBroken|session state is Broken/;

interface ManagedShell {
  id: number;
  ps: PowerShell;
  exited: boolean;
  stderrTail: string;
}

interface Slot {
  shell: ManagedShell | null;
  /** A replacement being set up. */
  pending: Promise<ManagedShell> | null;
  busy: boolean;
}

type InvokeOutcome =
  | { kind: 'ok'; stdout: string }
  | { kind: 'error'; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'crash'; message: string };

export class PoolClosedError extends Error {}

export class PowerShellPool {
  private readonly slots: Slot[];
  private readonly waiters: { resolve(slot: Slot): void; reject(e: Error): void }[] = [];
  private readonly setupLines: string[];
  private readonly timeoutMs: number;
  private readonly timeouts: Partial<Record<ActionId, number>>;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PowerShellPoolOptions) {
    const setup = buildSessionSetup(options.endpoint);
    if (!setup.ok) throw new Error(`Exchange endpoint refused: ${setup.reason}`);
    this.setupLines = setup.lines;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.actionTimeoutsMs };
    this.slots = Array.from({ length: options.size ?? 2 }, () => ({
      shell: null,
      pending: null,
      busy: false,
    }));
  }

  /** Sets up every shell now instead of on first use; fails if one cannot be set up. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.ensureShell(slot)));
  }

  /** How many shells are alive (for heartbeats and tests). */
  get liveShells(): number {
    return this.slots.filter((s) => s.shell && !s.shell.exited).length;
  }

  /** Builds the action's script, runs it in a shell, parses the output. */
  run<Id extends ActionId>(actionId: Id, params: ActionParams<Id>): Promise<RunResult> {
    return this.runFromJob(actionId, params);
  }

  /** The same for data off a queue (unknown shape): buildScript validates it before anything runs. */
  async runFromJob(actionId: string, params: unknown): Promise<RunResult> {
    const startedAt = new Date();
    const t0 = Date.now();
    let attempts = 0;
    const result = (r: Partial<RunResult> & Pick<RunResult, 'status'>): RunResult => ({
      actionId,
      command: null,
      script: null,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - t0,
      output: null,
      raw: '',
      warnings: [],
      error: null,
      parseError: null,
      outcomeUnknown: false,
      attempts,
      ...r,
    });

    const built = buildScript(actionId, params);
    if (!built.ok) {
      const error = built.errors.map((e) => `${e.param}: ${e.reason}`).join('; ');
      return result({ status: 'refused', error });
    }
    const { command, script } = built;
    const server = built.params.server;
    if (typeof server === 'string') {
      const refusal = checkInventory(server, this.options.inventory);
      if (refusal !== null) return result({ status: 'refused', command, script, error: refusal });
    }
    if (this.closed) {
      return result({ status: 'unavailable', command, script, error: 'pool closed' });
    }

    const isChange = built.action.risk !== 'read';
    const timeoutMs = this.timeouts[built.actionId] ?? this.timeoutMs;
    // A read that met a broken session did not run: it is safe to run it again on a fresh shell.
    const maxAttempts = isChange ? 1 : 2;
    let outcome: InvokeOutcome;
    for (;;) {
      attempts++;
      let slot: Slot;
      let shell: ManagedShell;
      try {
        slot = await this.acquire();
      } catch (e) {
        return result({ status: 'unavailable', command, script, error: (e as Error).message });
      }
      try {
        shell = await this.ensureShell(slot);
      } catch (e) {
        this.release(slot);
        const error = `no PowerShell session: ${(e as Error).message}`;
        return result({ status: 'unavailable', command, script, error });
      }
      outcome = await this.invoke(shell, script, timeoutMs);
      const broken =
        outcome.kind === 'error' &&
        built.action.transport === 'exchange' &&
        BROKEN_SESSION.test(outcome.stderr);
      if (outcome.kind === 'timeout' || outcome.kind === 'crash') this.retire(slot, outcome.kind);
      // The imported session stays broken in that shell: set up a fresh one.
      else if (broken) this.retire(slot, 'remote Exchange session broken');
      this.release(slot);
      if (!broken || attempts >= maxAttempts) break;
      this.options.logger?.warn({ actionId, attempts }, 'retrying a read after a broken session');
    }

    switch (outcome.kind) {
      case 'timeout':
        return result({
          status: 'timed-out',
          command,
          script,
          error: `no answer within ${timeoutMs} ms; the shell was replaced`,
          outcomeUnknown: isChange,
        });
      case 'crash':
        return result({
          status: 'crashed',
          command,
          script,
          raw: outcome.message,
          error: 'the PowerShell process exited during the command',
          outcomeUnknown: isChange,
        });
      case 'error':
        return result({
          status: 'failed',
          command,
          script,
          raw: outcome.stderr,
          error: outcome.stderr.split('\n')[0] ?? outcome.stderr,
          // A session can break after the change was sent: whether it ran is unknown.
          outcomeUnknown: isChange && BROKEN_SESSION.test(outcome.stderr),
        });
      case 'ok': {
        const warnings = splitHostMessages(outcome.stdout).messages;
        const parsed = parseOutput(built.actionId, outcome.stdout, built.followUp?.actionId);
        if (!parsed.ok) {
          return result({
            status: 'invalid-output',
            command,
            script,
            raw: outcome.stdout,
            warnings,
            error: parsed.error.message,
            parseError: parsed.error,
          });
        }
        return result({
          status: 'succeeded',
          command,
          script,
          raw: outcome.stdout,
          warnings,
          output: parsed.value,
        });
      }
    }
  }

  /** Disposes every shell; runs waiting for a shell are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new PoolClosedError('pool closed'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const pending = slot.pending?.catch(() => null);
        const shell = slot.shell ?? (await pending) ?? null;
        slot.shell = null;
        if (shell) await this.kill(shell);
      }),
    );
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new PoolClosedError('pool closed'));
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next.resolve(slot);
    else slot.busy = false;
  }

  /** Kills a shell after a timeout or crash and starts setting up its replacement at once. */
  private retire(slot: Slot, why: string): void {
    const old = slot.shell;
    slot.shell = null;
    if (old) {
      this.options.logger?.warn({ shell: old.id, why }, 'disposing PowerShell shell');
      void this.kill(old);
    }
    if (!this.closed) {
      this.ensureShell(slot).catch((e: Error) =>
        this.options.logger?.warn({ err: e.message }, 'replacement shell failed to set up'),
      );
    }
  }

  private ensureShell(slot: Slot): Promise<ManagedShell> {
    if (slot.shell && !slot.shell.exited) return Promise.resolve(slot.shell);
    if (!slot.pending) {
      slot.pending = this.createShell()
        .then((shell) => {
          if (this.closed) {
            void this.kill(shell);
            throw new PoolClosedError('pool closed');
          }
          slot.shell = shell;
          return shell;
        })
        .finally(() => {
          slot.pending = null;
        });
    }
    return slot.pending;
  }

  private async createShell(): Promise<ManagedShell> {
    const longest = Math.max(this.timeoutMs, ...Object.values(this.timeouts).map((t) => t ?? 0));
    const psOptions: PowerShellOptions = {
      pwsh: this.options.pwsh ?? false,
      // Our own timer decides per action; node-powershell's is only a backstop.
      invocationTimeout: longest + 5_000,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true },
      spawnOptions: { env: shellEnvironment(process.env, this.options.env) },
    };
    const ps = new PowerShell(psOptions);
    const shell: ManagedShell = { id: this.nextId++, ps, exited: false, stderrTail: '' };
    ps.streams.stdout.once('close', () => {
      shell.exited = true;
    });
    ps.streams.stderr.on('data', (chunk: Buffer | string) => {
      shell.stderrTail = (shell.stderrTail + chunk.toString()).slice(-2000);
    });
    const setupTimeout = this.options.setupTimeoutMs ?? 60_000;
    for (const line of this.setupLines) {
      const outcome = await this.invoke(shell, line, setupTimeout);
      if (outcome.kind !== 'ok') {
        await this.kill(shell);
        const detail =
          outcome.kind === 'error'
            ? outcome.stderr
            : outcome.kind === 'crash'
              ? outcome.message
              : `no answer within ${setupTimeout} ms`;
        throw new Error(`session set-up failed: ${detail.trim()}`);
      }
    }
    this.options.logger?.info({ shell: shell.id }, 'PowerShell shell ready');
    return shell;
  }

  private async invoke(
    shell: ManagedShell,
    text: string,
    timeoutMs: number,
  ): Promise<InvokeOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ kind: 'timeout' }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    });
    const invoked = shell.ps.invoke(text).then(
      (record): InvokeOutcome => {
        // node-powershell resolves with no output at all when the process went away mid-call.
        if (record.stdout === undefined || shell.exited) {
          return { kind: 'crash', message: shell.stderrTail.trim() || 'shell exited' };
        }
        return { kind: 'ok', stdout: record.raw };
      },
      (err: unknown): InvokeOutcome => {
        if (err instanceof InvocationError && !shell.exited) {
          // An empty message is node-powershell's own timeout (our backstop).
          if (err.message === '') return { kind: 'timeout' };
          return { kind: 'error', stderr: err.message.trim() };
        }
        const message = shell.stderrTail.trim() || (err as Error).message || 'shell exited';
        return { kind: 'crash', message };
      },
    );
    try {
      return await Promise.race([invoked, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async kill(shell: ManagedShell): Promise<void> {
    shell.exited = true;
    const grace = new Promise<'grace'>((r) => setTimeout(() => r('grace'), KILL_GRACE_MS).unref());
    const done = await Promise.race([
      shell.ps.dispose().then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      grace,
    ]);
    if (done === 'grace') await shell.ps.dispose('SIGKILL').catch(() => undefined);
  }
}
