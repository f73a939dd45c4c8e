import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { PolicyError } from '../../src/domain/approvals/policy';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { startApprovals } from '../../src/main/start-approvals';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

const redis = testRedis();
const prefix = testPrefix('start-approvals');
const dir = mkdtempSync(path.join(tmpdir(), 'approvals-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deletePrefix(redis, prefix);
  await redis.quit();
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { lines, logger };
}

test('wires policy, flow, audit and checkpoints from the configuration', async () => {
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(
    file,
    'version: 1\nroles:\n  operator:\n    - console: olga\n  approver:\n    - console: alice\n',
  );
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    APPROVAL_POLICY: file,
    AUDIT_CHECKPOINT_MINUTES: '0',
  });
  const { lines, logger } = capture();
  const jobs: ApprovalRequest[] = [];
  const runtime = await startApprovals({
    config,
    redis,
    logger,
    jobs: { enqueue: async (a) => void jobs.push(a) },
  });
  try {
    const asked = await runtime.flow.requestStep({
      actor: { platform: 'console', id: 'olga' },
      incidentId: null,
      actionId: 'set-pop-protocol-log',
      params: { server: 'EX01', enabled: true },
    });
    if (!asked.ok) throw new Error(asked.reason);
    expect(Date.parse(asked.request.expiresAt) - Date.parse(asked.request.requestedAt)).toBe(
      15 * 60_000,
    );
    await runtime.flow.approve({
      actor: { platform: 'console', id: 'alice' },
      requestId: asked.request.id,
    });
    expect(jobs).toHaveLength(1);
    await runtime.checkpoint();
    const checkpoint = lines.find((l) => l.msg === 'audit checkpoint');
    expect(checkpoint).toMatchObject({ auditCheckpoint: { seq: 3 } }); // policy, requested, approved
    expect(lines.find((l) => l.msg === 'approval policy loaded')).toMatchObject({ policy: file });
  } finally {
    runtime.stop();
  }
});

test('an invalid policy file stops start-up; no policy file means nobody holds a role', async () => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, 'version: 1\nroles:\n  operator:\n    - slack: olga\n');
  const { logger, lines } = capture();
  const base = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix };
  await expect(
    startApprovals({
      config: loadConfig({ ...base, APPROVAL_POLICY: file }),
      redis,
      logger,
      jobs: { enqueue: async () => {} },
    }),
  ).rejects.toBeInstanceOf(PolicyError);

  const runtime = await startApprovals({
    config: loadConfig(base),
    redis,
    logger,
    jobs: { enqueue: async () => {} },
  });
  try {
    expect(lines.some((l) => String(l.msg).startsWith('APPROVAL_POLICY is not set'))).toBe(true);
    const r = await runtime.flow.requestStep({
      actor: { platform: 'console', id: 'olga' },
      incidentId: null,
      actionId: 'get-server-health',
      params: { server: 'EX01' },
    });
    expect(r).toMatchObject({ ok: false, code: 'denied' });
  } finally {
    runtime.stop();
  }
});
