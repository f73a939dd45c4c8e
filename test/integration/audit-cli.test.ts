import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { AuditEntry } from '../../src/domain/audit/audit-entry';
import { createRedisAuditLog } from '../../src/infra/redis/redis-audit-log';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

const ROOT = path.resolve(__dirname, '../..');
const redis = testRedis();
const prefix = testPrefix('audit-cli');
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** The CLI as an operator runs it, from source through tsx. */
async function cli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), REDIS_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

test('audit export, latest and verify; verify names the first broken entry', async () => {
  const log = createRedisAuditLog(redis, { prefix });
  const base = Date.now() - 4 * 3_600_000;
  for (let n = 1; n <= 4; n++) {
    await log.append({
      at: new Date(base + n * 3_600_000 - 60_000).toISOString(),
      actor: { platform: 'teams', id: 'aad-1', displayName: 'Lee' },
      action: n === 1 ? 'approval.requested' : 'approval.approved',
      incidentId: n <= 2 ? 'INC-7' : 'INC-8',
      server: 'EX01.contoso.com',
      params: { requestId: `APR-${n}` },
      result: `step ${n}`,
    });
  }

  const all = await cli(['audit', 'export']);
  expect(all.code).toBe(0);
  const lines = all.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEntry & { id: string });
  expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  expect(lines[0]).toMatchObject({
    incidentId: 'INC-7',
    result: 'step 1',
    actor: { displayName: 'Lee' },
  });
  expect(lines[1]?.prevHash).toBe(lines[0]?.hash);

  const one = await cli(['audit', 'export', '--incident', 'INC-8', '--since', '30m']);
  expect(
    one.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditEntry).seq),
  ).toEqual([4]);

  const latest = await cli(['audit', 'latest', 'INC-7']);
  expect(latest.stdout).toContain('Audit trail for INC-7: latest 2 entries');
  expect(latest.stdout).toContain('approved (APR-2) by Lee [EX01.contoso.com]: step 2');

  const ok = await cli(['audit', 'verify']);
  expect(ok).toMatchObject({ code: 0 });
  expect(ok.stdout).toMatch(/^audit chain intact: 4 entries, head 4:[0-9a-f]{64}\n$/);

  const checkpoint = ok.stdout.trim().split(' ').pop() as string;
  expect((await cli(['audit', 'verify', '--checkpoint', checkpoint])).code).toBe(0);
  const wrong = await cli(['audit', 'verify', '--checkpoint', `4:${'a'.repeat(64)}`]);
  expect(wrong.code).toBe(1);

  await redis.xdel(redisKeys(prefix).auditStream, lines[1]!.id);
  const broken = await cli(['audit', 'verify']);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toBe(
    `audit chain BROKEN at entry ${lines[2]!.id} (position 3): position 3 follows 1: 1 entry is missing before it\n` +
      '1 entries before it verified.\n',
  );
}, 60_000);

test('bad arguments are explained', async () => {
  const out = await cli(['audit', 'export', '--since', 'yesterday']);
  expect(out.code).not.toBe(0);
  expect(out.stderr).toContain('use an ISO time (2026-11-27T03:00Z) or an age (30m, 12h, 7d)');
  const help = await cli(['audit', '--help']);
  expect(help.stdout).toContain('exchange-chatops audit verify --checkpoint');
});

test('audit verify under a prefix that holds nothing says so, and where it looked', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: `${prefix}-nothing-here`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
  expect(stdout).toContain(
    `audit trail empty: no entries under the prefix ${prefix}-nothing-here in redis://`,
  );
  expect(stdout).toMatch(/REDIS_PREFIX and REDIS_URL/);
  expect(stdout).not.toMatch(/intact/);
});
