import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * A server under test in a process of its own, so its memory and CPU are its own and the load
 * generator (this process) does not share its event loop. The child runs the TypeScript sources
 * through tsx and talks over IPC: `ready` with its port, `stats` on request, `stop`.
 */
export interface ChildStats {
  rss: number;
  heapUsed: number;
  /** Peak resident set size of the process (getrusage maxrss). */
  peakRss: number;
  /** Highest heapUsed seen, sampled every 50 ms. */
  peakHeapUsed: number;
  /** CPU time the process used so far (user + system), in ms: robust to a shared machine. */
  cpuMs: number;
}

export interface ServerChild {
  port: number;
  url: string;
  pid: number;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

type Message = { type: 'ready'; port: number } | ({ type: 'stats' } & ChildStats);

export async function startChild(
  script: string,
  env: Record<string, string> = {},
  /** More flags for node (`--cpu-prof` to profile the server, which NODE_OPTIONS refuses). */
  execArgv: string[] = [],
): Promise<ServerChild> {
  const child: ChildProcess = fork(path.join(__dirname, '..', 'servers', script), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Message) => {
        if (m.type !== type) return;
        cleanup();
        resolve(m as Extract<Message, { type: T }>);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${script} exited (${code}) before answering "${type}"`));
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { port } = await next('ready');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    async stats() {
      const answer = next('stats');
      child.send({ type: 'stats' });
      const { type: _type, ...stats } = await answer;
      return stats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's half: sample memory, answer `stats`, run `stop` on request. */
export function serveChild(port: number, stop: () => Promise<void>): void {
  let peakHeapUsed = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  }, 50);
  sampler.unref();
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stats') {
      const mem = process.memoryUsage();
      peakHeapUsed = Math.max(peakHeapUsed, mem.heapUsed);
      process.send?.({
        type: 'stats',
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        // maxRSS is in kilobytes.
        peakRss: process.resourceUsage().maxRSS * 1024,
        peakHeapUsed,
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      });
    } else if (m.type === 'stop') {
      clearInterval(sampler);
      void stop().finally(() => process.exit(0));
    }
  });
  // An orphaned child (the bench died) goes too.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port });
}
