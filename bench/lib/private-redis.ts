import { spawn } from 'node:child_process';
import { answersPing, freePort } from '../../src/infra/redis/find-redis';

/**
 * A redis-server of the bench's own (no persistence, a free port), so that every command it
 * counts is the bot's and nothing else on the machine shares its Redis.
 */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 5000;
  while (!(await answersPing('127.0.0.1', port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('redis-server failed');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Every command Redis ran so far (scripts' own included), as INFO commandstats counts them. */
export async function commandsSoFar(redis: { info(section: string): Promise<string> }) {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  return calls;
}

/** Every command Redis ran so far, by command name (scripts' own included). */
export async function commandsByName(redis: { info(section: string): Promise<string> }) {
  const info = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/** What ran between two `commandsByName` readings, per alert, largest first. */
export function commandsPerAlertByName(
  before: Record<string, number>,
  after: Record<string, number>,
  alerts: number,
): Record<string, number> {
  const rows = Object.entries(after)
    .map(([name, n]) => [name, (n - (before[name] ?? 0)) / alerts] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows.map(([name, n]) => [name, Math.round(n * 10) / 10]));
}
