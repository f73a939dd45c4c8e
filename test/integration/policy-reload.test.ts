import { PLATFORM_RULES } from '../../adapters/registry';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { roleFor } from '../../src/domain/approvals/evaluate';
import { PolicyError } from '../../src/domain/approvals/policy';
import { createPolicyProvider, type ReloadReport } from '../../src/app/approvals/policy-provider';
import { policyFile, watchPolicy } from '../../src/infra/files/policy-file';
import { createRedisAuditLog } from '../../src/infra/redis/redis-audit-log';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

const redis = testRedis();
const prefix = testPrefix('policy-reload');
const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
const file = path.join(dir, 'approval-policy.yaml');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const ana = { platform: 'console' as const, id: 'ana', groups: [] };
const target = { server: 'EX01', site: null };
const policyWith = (role: string) => `version: 1\nroles:\n  ${role}:\n    - console: ana\n`;

test('a good file reloads, a bad one is reported and the last good policy stays', async () => {
  writeFileSync(file, policyWith('operator'));
  const audit = createRedisAuditLog(redis, { prefix });
  const reports: ReloadReport[] = [];
  const provider = createPolicyProvider({
    platforms: PLATFORM_RULES,
    text: policyFile(file),
    audit,
    onReport: (r) => reports.push(r),
  });
  expect(() => provider.current()).toThrow('approval policy not loaded yet');
  await provider.load();
  expect(roleFor(provider.current(), ana, target)).toBe('operator');

  expect(await provider.reload()).toMatchObject({ outcome: 'unchanged' });

  writeFileSync(file, policyWith('approver'));
  expect(await provider.reload()).toMatchObject({ outcome: 'loaded', grants: 1 });
  expect(roleFor(provider.current(), ana, target)).toBe('approver');
  const good = provider.digest();

  writeFileSync(file, policyWith('approver').replace('console: ana', 'console: "a n a"'));
  const bad = await provider.reload();
  expect(bad).toMatchObject({ outcome: 'rejected', keptDigest: good });
  if (bad.outcome === 'rejected') {
    expect(bad.error).toBeInstanceOf(PolicyError);
    expect(bad.error.message).toContain(`Invalid approval policy ${file}`);
    expect(bad.error.message).toContain(
      'roles.approver[0].console[0]: must be a console user name',
    );
  }
  expect(roleFor(provider.current(), ana, target)).toBe('approver');
  expect(provider.digest()).toBe(good);

  rmSync(file);
  expect(await provider.reload()).toMatchObject({ outcome: 'rejected' });
  expect(roleFor(provider.current(), ana, target)).toBe('approver');

  expect(reports.map((r) => r.outcome)).toEqual([
    'loaded',
    'unchanged',
    'loaded',
    'rejected',
    'rejected',
  ]);
  const trail = (await audit.latest({}, 10)).reverse();
  expect(trail.map((e) => e.action)).toEqual([
    'policy.reloaded',
    'policy.reloaded',
    'policy.reload-failed',
    'policy.reload-failed',
  ]);
  expect(trail[2]?.result).toContain(`policy ${good?.slice(0, 12)} stays in force`);
});

test('an invalid file at start-up stops the load with every problem listed', async () => {
  writeFileSync(file, 'version: 1\nroles:\n  admin:\n    - slack: alice\n  root: []\n');
  const provider = createPolicyProvider({ text: policyFile(file), platforms: PLATFORM_RULES });
  await expect(provider.load()).rejects.toThrow(
    `Invalid approval policy ${file} (2 problems):\n` +
      '  - roles.admin[0].slack[0]: must be a Slack user id such as U012AB3CD\n' +
      '  - roles: Unrecognized key: "root"',
  );
});

test('SIGHUP and the interval reload the file', async () => {
  writeFileSync(file, policyWith('operator'));
  const reports: ReloadReport[] = [];
  const provider = createPolicyProvider({
    platforms: PLATFORM_RULES,
    text: policyFile(file),
    onReport: (r) => reports.push(r),
  });
  await provider.load();
  const signals = new EventEmitter();
  const waitFor = async (role: string) => {
    for (let i = 0; i < 200 && roleFor(provider.current(), ana, target) !== role; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(roleFor(provider.current(), ana, target)).toBe(role);
  };
  const byHangup = watchPolicy(provider, { intervalMs: 0, sighup: true, signals });
  try {
    writeFileSync(file, policyWith('admin'));
    signals.emit('SIGHUP');
    await waitFor('admin');
  } finally {
    byHangup.stop();
  }
  expect(signals.listenerCount('SIGHUP')).toBe(0);
  const byTimer = watchPolicy(provider, { intervalMs: 20 });
  try {
    writeFileSync(file, policyWith('approver'));
    await waitFor('approver');
  } finally {
    byTimer.stop();
  }
});
