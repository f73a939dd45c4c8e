import { startHeartbeat } from '../../jobs/queues/worker-heartbeat';
import type { ActionOutcome } from '../../jobs/queues/action-jobs';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { ps51Alert } from '../fixtures/scom-alerts';
import { startTestServer, type TestServer } from '../support/server';

/** GET /metrics on the real server: what an operator's Prometheus scrapes. */
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer('metrics');
});

afterAll(async () => {
  await srv.stop();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${srv.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, e.g. value(text, 'exchops_incidents_open'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('alerts by outcome, webhook statuses, open incidents and queue depths', async () => {
  const alert = ps51Alert();
  expect((await srv.post('/api/alerts/scom', alert)).status).toBe(202);
  expect((await srv.post('/api/alerts/scom', alert)).status).toBe(202);
  expect((await srv.post('/api/alerts/scom', { Name: 'no id' })).status).toBe(422);
  expect(
    (await srv.post('/api/alerts/scom', alert, { authorization: 'Bearer wrong-token-123456' }))
      .status,
  ).toBe(401);

  const text = await scrape();
  expect(text).toContain('# HELP exchops_alerts_received_total SCOM alerts received');
  expect(value(text, 'exchops_alerts_received_total{outcome="created"}')).toBe(1);
  expect(value(text, 'exchops_alerts_received_total{outcome="duplicate"}')).toBe(1);
  expect(value(text, 'exchops_alerts_received_total{outcome="rejected"}')).toBe(1);
  expect(value(text, 'exchops_webhook_requests_total{status="202"}')).toBe(2);
  expect(value(text, 'exchops_webhook_requests_total{status="422"}')).toBe(1);
  expect(value(text, 'exchops_webhook_requests_total{status="401"}')).toBe(1);
  expect(value(text, 'exchops_incidents_open')).toBe(1);
  // Queue depths are reported per queue and state (their values move: the chat delivery and the
  // verify check take the new incident's work at once).
  for (const q of ['incident-events', 'actions-default', 'action-results']) {
    expect(value(text, `exchops_queue_jobs{queue="${q}",state="waiting"}`)).toEqual(
      expect.any(Number),
    );
  }
  expect(value(text, 'exchops_queue_jobs{queue="action-results",state="failed"}')).toBe(0);
  // Node.js process metrics come along.
  expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(text).toContain('nodejs_eventloop_lag_seconds');
});

test('workers online per site, from the heartbeats', async () => {
  expect(value(await scrape(), 'exchops_workers_online{site="default"}')).toBe(0);
  const beat = await startHeartbeat(srv.redis, redisKeys(srv.prefix), {
    workerId: 'w1',
    host: 'winhost',
    sites: ['default'],
    startedAt: new Date().toISOString(),
    pid: 1,
  });
  try {
    expect(value(await scrape(), 'exchops_workers_online{site="default"}')).toBe(1);
  } finally {
    await beat.stop();
  }
  expect(value(await scrape(), 'exchops_workers_online{site="default"}')).toBe(0);
});

test('jobs by action and status with durations, chat posts, approvals', async () => {
  const outcome: ActionOutcome = {
    jobId: 'j1',
    actionId: 'restart-service',
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
    incidentId: 'INC-1',
    runId: null,
    stepId: null,
    site: 'default',
    workerId: 'w1',
    status: 'succeeded',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:03.000Z',
    durationMs: 3000,
  };
  srv.metrics.observeActionOutcome(outcome);
  srv.metrics.observeActionOutcome({ ...outcome, status: 'failed', durationMs: 200 });
  srv.metrics.observeChatPost('slack');
  srv.metrics.observeChatPost('slack', Object.assign(new Error('429'), { retryAfterMs: 1000 }));
  srv.metrics.observeChatPost('teams', new Error('channel not found'));
  srv.metrics.observeApproval('approved');

  const text = await scrape();
  const ok = 'action="restart-service",status="succeeded"';
  expect(value(text, `exchops_jobs_total{${ok}}`)).toBe(1);
  expect(value(text, `exchops_job_duration_seconds_sum{${ok}}`)).toBe(3);
  expect(value(text, `exchops_job_duration_seconds_bucket{le="2.5",${ok}}`)).toBe(0);
  expect(value(text, `exchops_job_duration_seconds_bucket{le="5",${ok}}`)).toBe(1);
  expect(value(text, 'exchops_jobs_total{action="restart-service",status="failed"}')).toBe(1);
  expect(value(text, 'exchops_chat_posts_total{platform="slack",result="ok"}')).toBe(1);
  expect(value(text, 'exchops_chat_posts_total{platform="slack",result="rate_limited"}')).toBe(1);
  expect(value(text, 'exchops_chat_posts_total{platform="teams",result="failed"}')).toBe(1);
  expect(value(text, 'exchops_approvals_total{result="approved"}')).toBe(1);
});
