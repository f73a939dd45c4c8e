import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { ps51Alert } from '../fixtures/scom-alerts';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { TEST_TOKEN } from '../support/server';

const ROOT = path.resolve(__dirname, '../..');
const prefix = testPrefix('serve');

/** The CLI as an operator runs it, from source through tsx so no build is needed. */
function cli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

afterAll(async () => {
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('--help describes the commands', async () => {
  const out = await collect(cli(['--help'], {}));
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/Usage: exchange-chatops/);
  expect(out.stdout).toMatch(/serve/);
  const serveHelp = await collect(cli(['serve', '--help'], {}));
  expect(serveHelp.stdout).toMatch(/SCOM_WEBHOOK_TOKEN/);
});

test('serve refuses to start with bad configuration and says what to fix', async () => {
  const out = await collect(cli(['serve'], { PORT: 'x', REDIS_URL: redisUrl() }));
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/PORT: /);
  expect(out.stderr).toMatch(/SCOM_WEBHOOK_TOKEN: is required/);
  // Approved steps could never become jobs without the signing key: serve refuses to start.
  expect(out.stderr).toMatch(/JOB_SIGNING_KEY: is required/);
});

test('SIGTERM: stops taking requests, finishes the one in flight, exits 0', async () => {
  const child = cli(['serve'], {
    PORT: '0',
    REDIS_VOLATILE_OK: 'true',
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    SCOM_WEBHOOK_TOKEN: TEST_TOKEN,
    JOB_SIGNING_KEY: 'k'.repeat(40),
    LOG_LEVEL: 'info',
  });
  const exited = collect(child);
  // The port is in the start-up log line.
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`exited early: ${buf}`)));
  });

  // Start a request and send only half its body...
  const body = JSON.stringify(ps51Alert());
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/alerts/scom',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${TEST_TOKEN}`,
    },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 100));
  await new Promise((r) => setTimeout(r, 200));

  // ...then ask the server to stop, and finish the request afterwards.
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  req.end(body.slice(100));

  const res = await response;
  expect(res.status).toBe(202);
  expect(JSON.parse(res.text).results[0].outcome).toBe('created');
  const out = await exited;
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/shutting down/);
  expect(out.stdout).not.toContain(TEST_TOKEN);
});
