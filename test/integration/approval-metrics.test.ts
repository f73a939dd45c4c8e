import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { createMetrics } from '../../src/infra/metrics';
import { startApprovals } from '../../src/main/start-approvals';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

/** exchops_approvals_total counts what the approval flow really committed, through its audit. */
const redis = testRedis();
const prefix = testPrefix('approval-metrics');
const dir = mkdtempSync(path.join(tmpdir(), 'appr-metrics-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('requested, approved and rejected requests are counted once each', async () => {
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(
    file,
    'version: 1\nroles:\n  operator:\n    - console: olga\n  approver:\n    - console: alice\n',
  );
  const metrics = createMetrics({ defaultMetrics: false });
  const runtime = await startApprovals({
    config: loadConfig({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      APPROVAL_POLICY: file,
      AUDIT_CHECKPOINT_MINUTES: '0',
    }),
    redis,
    logger: createLogger('silent'),
    jobs: { enqueue: async () => undefined },
    metrics,
  });
  try {
    const ask = async (server: string) => {
      const asked = await runtime.flow.requestStep({
        actor: { platform: 'console', id: 'olga' },
        incidentId: null,
        actionId: 'set-pop-protocol-log',
        params: { server, enabled: true },
      });
      if (!asked.ok) throw new Error(asked.reason);
      return asked.request.id;
    };
    const alice = { platform: 'console' as const, id: 'alice' };
    const first = await ask('EX01');
    await runtime.flow.approve({ actor: alice, requestId: first });
    // A second click changes nothing and is not counted.
    await runtime.flow.approve({ actor: alice, requestId: first });
    await runtime.flow.reject({ actor: alice, requestId: await ask('EX02'), reason: 'not now' });

    const text = await metrics.registry.metrics();
    expect(text).toContain('exchops_approvals_total{result="requested"} 2');
    expect(text).toContain('exchops_approvals_total{result="approved"} 1');
    expect(text).toContain('exchops_approvals_total{result="rejected"} 1');
  } finally {
    runtime.stop();
  }
});
