import type { AuditEvent } from '../domain/audit/audit-entry';
import type { AuditLog } from '../app/audit/ports';
import { createMetrics, withApprovalMetrics } from './metrics';

const event = (action: AuditEvent['action']): AuditEvent => ({
  at: '2026-01-01T00:00:00.000Z',
  actor: { platform: 'console', id: 'alice' },
  action,
  incidentId: 'INC-1',
  server: 'EX01',
  params: {},
  result: 'ok',
});

test('approval changes are counted as the audit log writes them, relays only once', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const written = new Set<string>();
  const audit: AuditLog & { extra(): string } = {
    async append(e, opts) {
      // Like the Redis log: a second append with the same idempotency key writes nothing.
      if (opts?.idempotencyKey && written.has(opts.idempotencyKey)) return null;
      if (opts?.idempotencyKey) written.add(opts.idempotencyKey);
      return { ...e, seq: written.size, prevHash: '0', hash: '1' };
    },
    extra: () => 'still here',
  };
  const counted = withApprovalMetrics(audit, metrics);
  await counted.append(event('approval.requested'), { idempotencyKey: 'APR-1:v1' });
  await counted.append(event('approval.approved'), { idempotencyKey: 'APR-1:v2' });
  await counted.append(event('approval.approved'), { idempotencyKey: 'APR-1:v2' });
  await counted.append(event('job.started'), { idempotencyKey: 'APR-1:v3' });
  expect(counted.extra()).toBe('still here');

  const text = await metrics.registry.metrics();
  expect(text).toContain('exchops_approvals_total{result="requested"} 1');
  expect(text).toContain('exchops_approvals_total{result="approved"} 1');
  expect(text.match(/^exchops_approvals_total\{/gm)).toHaveLength(2);
});

test('a source that fails or hangs keeps its last values and is counted', async () => {
  const errors: string[] = [];
  let broken = false;
  const metrics = createMetrics({
    defaultMetrics: false,
    sourceTimeoutMs: 50,
    sources: {
      openIncidents: () => (broken ? Promise.reject(new Error('redis down')) : Promise.resolve(4)),
      workersOnline: () => (broken ? new Promise(() => undefined) : Promise.resolve({ a: 1 })),
      queueCounts: async () => [{ queue: 'incident-events', counts: { waiting: broken ? 3 : 2 } }],
    },
    onCollectError: (source) => errors.push(source),
  });
  await metrics.registry.metrics();
  broken = true;
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/^exchops_incidents_open 4$/m);
  expect(text).toContain('exchops_workers_online{site="a"} 1');
  expect(text).toContain('exchops_queue_jobs{queue="incident-events",state="waiting"} 3');
  // Sources are read in parallel with the rest, so the count shows from the next scrape on.
  const next = await metrics.registry.metrics();
  expect(next).toContain('exchops_metrics_collect_errors_total{source="open_incidents"} 1');
  expect(next).toContain('exchops_metrics_collect_errors_total{source="workers"} 1');
  expect(errors.sort()).toEqual(['open_incidents', 'open_incidents', 'workers', 'workers']);
});

test('two instances in one process do not clash (one registry each)', () => {
  expect(() => {
    createMetrics({ defaultMetrics: true });
    createMetrics({ defaultMetrics: true });
  }).not.toThrow();
});
