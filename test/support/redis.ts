import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answersPing } from '../../src/infra/redis/find-redis';
import { createRedis, type RedisClient } from '../../src/infra/redis/redis';
import { deleteKeysWithPrefix } from '../../src/infra/redis/scan-keys';

/** A key prefix of its own per test file, so files can run in parallel against one Redis. */
export function testPrefix(name: string): string {
  return `t-${name}-${randomUUID().slice(0, 8)}`;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL not set: the jest global setup did not run');
  return url;
}

export function testRedis(): RedisClient {
  return createRedis(redisUrl(), { connectionName: 'jest' });
}

/** Deletes every key under a prefix (on a Cluster, on every master). */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  await deleteKeysWithPrefix(redis, prefix);
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops it (SIGTERM): with AOF or RDB on, it keeps its data for the next start. */
  stop(): Promise<void>;
  /** Kills it and starts it again on the same port and directory: a new run_id. */
  restart(): Promise<void>;
}

/**
 * A redis-server of the test's own, on a free port, started with `args` (e.g. `--appendonly yes`)
 * in a directory of its own: for tests of what the bot does with a Redis set up some way.
 */
export async function startPrivateRedis(args: string[]): Promise<PrivateRedis> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await answersPing('127.0.0.1', port))) {
      if (Date.now() > deadline) throw new Error(`redis-server ${args.join(' ')} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = (signal: NodeJS.Signals): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stop('SIGTERM'),
    async restart() {
      await stop('SIGKILL');
      await start();
    },
  };
}
