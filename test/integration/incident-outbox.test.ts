import { normalizeAlert } from '../../src/domain/alerts/normalize-alert';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import { createAlertIntake } from '../../src/app/intake/record-alert';
import { createRedisIncidentStore } from '../../src/infra/redis/redis-incident-store';
import { ps51Alert } from '../fixtures/scom-alerts';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

const redis = testRedis();
const prefix = testPrefix('outbox');
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('an event the queue could not take stays in the outbox until the relay hands it on', async () => {
  const store = createRedisIncidentStore(redis, { prefix, retentionMs: 60_000 });
  const delivered: IncidentEvent[] = [];
  let queueUp = false;
  const failures: IncidentEvent[] = [];
  const intake = createAlertIntake({
    store,
    events: {
      async publish(event) {
        if (!queueUp) throw new Error('queue down');
        delivered.push(event);
      },
    },
    onPublishError: (event) => failures.push(event),
  });
  const parsed = normalizeAlert(ps51Alert(), { timeZone: 'UTC' });
  if (!parsed.ok) throw new Error('fixture');

  // The alert is recorded even though the queue refused the event.
  const result = await intake.record(parsed.alert);
  expect(result.outcome).toBe('created');
  // The change goes to the queue after the answer; once that attempt is over, it failed.
  await intake.idle();
  expect(failures).toHaveLength(1);
  expect(await store.pendingEvents(0)).toHaveLength(1);

  // Too fresh for the relay (it leaves in-flight publishes alone)...
  expect(await intake.relayPending(60_000)).toBe(0);
  // ...until it is old enough, then it goes out exactly once.
  queueUp = true;
  expect(await intake.relayPending(0)).toBe(1);
  expect(delivered).toEqual([
    { incidentId: result.incidentId, version: 1, change: 'created', at: expect.any(String) },
  ]);
  expect(await store.pendingEvents(0)).toHaveLength(0);
});

test('while changes keep coming, the hand-off gathers them: at most one batch per interval, the first at once', async () => {
  const store = createRedisIncidentStore(redis, { prefix: `${prefix}-pace`, retentionMs: 60_000 });
  const batches: IncidentEvent[][] = [];
  const intake = createAlertIntake({
    store,
    events: {
      async publish(event) {
        batches.push([event]);
      },
      async publishMany(events) {
        batches.push([...events]);
      },
    },
    handOffMs: 1000,
  });
  const alert = (n: number) => {
    const server = `EX${String(n).padStart(2, '0')}.contoso.com`;
    const parsed = normalizeAlert(
      ps51Alert({
        Id: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
        MonitoringObjectDisplayName: server,
        MonitoringObjectPath: server,
        MonitoringObjectFullName: `Microsoft.Exchange.15.HealthSet:${server};POP.Protocol`,
        PrincipalName: server,
        NetbiosComputerName: server.split('.')[0],
      }),
      { timeZone: 'UTC' },
    );
    if (!parsed.ok) throw new Error('fixture');
    return parsed.alert;
  };
  const until = async (check: () => boolean) => {
    const end = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  // A quiet moment: the first change goes on at once (not after the interval).
  const began = Date.now();
  await intake.record(alert(1));
  await until(() => batches.length === 1);
  expect(Date.now() - began).toBeLessThan(1000);
  // More come within the interval: they wait for it, and go on together.
  await Promise.all([2, 3, 4].map((n) => intake.record(alert(n))));
  expect(batches).toHaveLength(1);
  await intake.idle();
  expect(batches.map((b) => b.length)).toEqual([1, 3]);
  expect(await store.pendingEvents(0)).toHaveLength(0);
});
