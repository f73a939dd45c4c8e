import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { updateOrg } from '../../jobs/simulated-exchange';
import type { RunningDemo } from '../../src/cli/commands/demo';
import { startTestDemo } from '../support/demo';
import { registerSendAlert } from '../../src/cli/commands/send-alert';
import type { Actor } from '../../src/domain/identity/actor';
import { encodeOutageActionRef } from '../../src/domain/outages/outage-action-ref';
import type { Outage } from '../../src/domain/outages/outage';
import { redisAdmissionStore } from '../../src/infra/redis/redis-admission-store';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { redisOutageStore } from '../../src/infra/redis/redis-outage-store';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/**
 * The outage card's dependency checks, end to end on the demo (the bot, a worker on the simulated
 * Exchange): Active Directory down in site-a makes POP fail on EX01 and EX02, one outage. Its
 * checks read the health sets of its likely causes on one affected server: AD and Store, as the
 * shipped runbooks name them, and AD again for authentication, as this operator's runbook file
 * says (the shipped ones name none for it, and then the reads release nothing: outage-ops.test).
 * While AD is down they keep the members' changes held; once it is back they release them by
 * themselves, as the bot.
 */
const prefix = testPrefix('dep-checks');
const redis = testRedis();
const keys = redisKeys(prefix);
const alice: Actor = { platform: 'console', id: 'alice', displayName: 'alice' };
let demo: RunningDemo;
const runbooksDir = mkdtempSync(path.join(tmpdir(), 'dep-checks-runbooks-'));

beforeAll(async () => {
  writeFileSync(
    path.join(runbooksDir, 'authentication.yaml'),
    [
      'id: site-authentication',
      'title: { en: Authentication here, zh-TW: 此處的驗證 }',
      'source:',
      '  kind: operator',
      '  description:',
      "    en: Authentication here is the domain controllers' Kerberos; the AD health set watches it.",
      '    zh-TW: 此處的驗證是網域控制站的 Kerberos；AD 健全設定監視它。',
      'dependencies:',
      '  - id: authentication',
      '    name: { en: Authentication, zh-TW: 驗證 }',
      '    origin: seed',
      '    checkHealthSets: [AD]',
      '',
    ].join('\n'),
  );
  demo = await startTestDemo(prefix, {
    // The demo has two servers a site: an outage of two, formed at once.
    OUTAGE_MIN_SERVERS: '2',
    OUTAGE_GROUP_WAIT_SECONDS: '0',
    RUNBOOKS_DIR: runbooksDir,
  });
}, 60_000);

afterAll(async () => {
  await demo?.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  rmSync(runbooksDir, { recursive: true, force: true });
});

async function sendAlert(scenario: string, server: string): Promise<void> {
  let out = '';
  const program = new Command('exchange-chatops').exitOverride();
  registerSendAlert(program, { out: (s) => (out += s), err: (s) => (out += s), env: {} });
  await program.parseAsync(
    [
      'send-alert',
      '--scenario',
      scenario,
      '--server',
      server,
      '--url',
      demo.url,
      '--token',
      demo.token,
    ],
    { from: 'user' },
  );
  if (!/\bcreated INC-\d+/.test(out)) throw new Error(`send-alert created no incident:\n${out}`);
}

async function until<T>(
  what: string,
  get: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const end = Date.now() + 60_000;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const adDown = (server: string) => ({
  id: `ad-down-${server}`,
  server,
  healthSet: 'AD',
  monitor: 'SimulatedADMonitor',
  error: 'The domain controller could not be contacted.',
  since: new Date().toISOString(),
  clears: { by: 'dependency' as const },
});

/** Clicks "Run the dependency checks" and waits until every read of that click came back. */
async function runChecks(outage: Outage): Promise<string[]> {
  const before = new Set(await redis.keys(keys.chatDependencyChecks('*')));
  const answer = await demo.server.chat.action({
    actor: alice,
    channel: { platform: 'console', id: 'alerts' },
    value: encodeOutageActionRef({
      v: 1,
      scope: 'outage',
      op: 'run-dependency-checks',
      outage: outage.id,
      lang: 'en',
    }),
  });
  // One read per health set the likely causes name: AD and Store (authentication has none).
  // One read per health set the likely causes name (AD for two of them, and Store), on one
  // affected server for all.
  expect(answer.private?.code?.map((c) => c.body)).toEqual([
    expect.stringMatching(/^Get-HealthReport -Identity 'EX0[12]' -HealthSet 'AD'$/),
    expect.stringMatching(/^Get-HealthReport -Identity 'EX0[12]' -HealthSet 'Store'$/),
  ]);
  return until('both reads to come back', async () => {
    for (const key of await redis.keys(keys.chatDependencyChecks('*'))) {
      if (before.has(key)) continue;
      const results = Object.values(await redis.hgetall(key));
      if (results.length === 2) return results.sort();
    }
    return null;
  });
}

test('while AD is down the checks keep the holds; once it is back they release them, as the bot', async () => {
  await updateOrg(demo.stateFile, (state) => {
    state.faults.push(adDown('EX01'), adDown('EX02'));
  });
  await sendAlert('pop-backend-hung', 'EX01');
  await sendAlert('pop-backend-hung', 'EX02');
  const outages = redisOutageStore(redis, keys);
  const outage = await until('the outage', async () => {
    for (const scope of await outages.scopes()) {
      const open = (await outages.read(scope)).state.outages.find((o) => o.status === 'open');
      if (open && open.members.length === 2) return open;
    }
    return null;
  });
  expect(outage.key).toEqual({ kind: 'dependency', id: 'active-directory' });
  const released = async () =>
    (await redisAdmissionStore(redis, keys).read('site-a')).state.released.filter(
      (r) => r.outageId === outage.id,
    );

  // AD's health set is Unhealthy: nothing is released.
  expect(await runChecks(outage)).toEqual(['0', '1']);
  expect(await released()).toEqual([]);

  // AD is back: both reads are healthy and the bot releases the held changes itself.
  await updateOrg(demo.stateFile, (state) => {
    state.faults = state.faults.filter((f) => f.healthSet !== 'AD');
  });
  expect(await runChecks(outage)).toEqual(['1', '1']);
  const [release] = await until('the release', async () => {
    const r = await released();
    return r.length > 0 ? r : null;
  });
  expect(release).toMatchObject({ by: 'checks' });
  expect(release!.reason).toMatch(
    /^the dependency checks \(Get-HealthReport on EX0[12]\) came back healthy/,
  );
}, 120_000);
