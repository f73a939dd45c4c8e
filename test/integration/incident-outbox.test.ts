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
