import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

export interface FoundRedis {
  url: string;
  /** Set when we started a private redis-server; call it to stop that server. */
  stop?: () => Promise<void>;
  source: 'REDIS_URL' | 'local' | 'private';
}

const INSTALL_HINT =
  'No Redis found. Set REDIS_URL, start Redis on 127.0.0.1:6379, or install redis-server ' +
  '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so a private one can ' +
  'be started.';

/**
 * Redis for the demo and the test suite: REDIS_URL if set; else 127.0.0.1:6379 if it answers;
 * else a private `redis-server` from PATH on a free port, without persistence.
 */
export async function findOrStartRedis(
  env: Record<string, string | undefined> = process.env,
): Promise<FoundRedis> {
  if (env.REDIS_URL && env.REDIS_URL.trim() !== '') {
    return { url: env.REDIS_URL, source: 'REDIS_URL' };
  }
  if (await answersPing('127.0.0.1', 6379)) {
    return { url: 'redis://127.0.0.1:6379', source: 'local' };
  }
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await startRedisServer(port);
  } catch {
    throw new Error(INSTALL_HINT);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    source: 'private',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    const deadline = Date.now() + 5000;
    const poll = async (): Promise<void> => {
      if (await answersPing('127.0.0.1', port)) return resolve();
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        return reject(new Error('redis-server did not start'));
      }
      setTimeout(() => void poll(), 50);
    };
    void poll();
  });
  child.unref();
  return child;
}

/** A bare RESP PING, so this works before any client library is configured. */
export function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A TCP port nothing listens on now (for a private redis-server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
