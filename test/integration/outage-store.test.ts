import { createOutageRouting } from '../../src/app/outages/outage-routing';
import { toServerRef } from '../../src/domain/alerts/host-name';
import type { Incident } from '../../src/domain/incidents/incident';
import { EMPTY_OUTAGE_STATE } from '../../src/domain/outages/outage';
import { DEFAULT_OUTAGE_SETTINGS } from '../../src/domain/outages/settings';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { redisOutageStore } from '../../src/infra/redis/redis-outage-store';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/** The outage state in the real Redis: compare-and-set, and replicas applying a storm at once. */
const prefix = testPrefix('outage-store');
const redis = testRedis();
const keys = redisKeys(prefix);
const store = redisOutageStore(redis, keys);
const catalog = loadCatalog();

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const incident = (n: number): Incident => {
  const now = new Date().toISOString();
  return {
    id: `INC-S${n}`,
    version: 1,
    key: `pop|ex${n}`,
    status: 'open',
    healthSet: 'POP',
    server: toServerRef(`EX${String(n).padStart(2, '0')}.contoso.com`),
    relatedServer: null,
    monitors: ['PopCTPMonitor'],
    targetResources: [],
    severity: 'error',
    priority: 'high',
    title: 'POP',
    failureText: null,
    description: '',
    actionable: true,
    firstSeen: now,
    lastSeen: now,
    resolvedAt: null,
    occurrences: 1,
    alerts: [],
  };
};

test('a write loses to a concurrent one and changes nothing; an empty state keeps only its version', async () => {
  const { state, version } = await store.read('site-x');
  expect(version).toBe(0);
  expect(state).toEqual(EMPTY_OUTAGE_STATE);
  const next = { ...state, detached: ['INC-1'] };
  expect(await store.write('site-x', next, 0)).toBe(true);
  expect(await store.write('site-x', { ...state, detached: ['INC-2'] }, 0)).toBe(false);
  expect(await store.read('site-x')).toEqual({ state: next, version: 1 });
  expect(await store.scopes()).toContain('site-x');
  expect(await store.write('site-x', { version: 1, recent: [], outages: [] }, 1)).toBe(true);
  expect(await redis.hgetall(keys.outageState('site-x'))).toEqual({ version: '2' });
  expect(await store.scopes()).not.toContain('site-x');
  // The version goes on from there: a writer that read version 1 (or 0) long ago cannot match
  // a new state, and neither can another replica's cached read.
  const other = redisOutageStore(redis, keys);
  expect(await other.read('site-x')).toEqual({ state: EMPTY_OUTAGE_STATE, version: 2 });
  expect(await store.write('site-x', next, 0)).toBe(false);
  expect(await store.write('site-x', next, 1)).toBe(false);
  expect(await other.write('site-x', next, 2)).toBe(true);
  expect(await store.read('site-x')).toEqual({ state: next, version: 3 });
});

test('three replicas applying 20 incidents at once lose none: one outage with every member', async () => {
  const replicas = [1, 2, 3].map(() =>
    createOutageRouting({
      store,
      settings: DEFAULT_OUTAGE_SETTINGS,
      catalog: () => catalog,
      inventory: () => null,
    }),
  );
  const changes = await Promise.all(
    Array.from({ length: 20 }, (_, n) => replicas[n % 3]!.apply(incident(n + 1))),
  );
  const opened = changes.flatMap((c) => c.effects).filter((e) => e.type === 'outage-opened');
  expect(opened).toHaveLength(1);
  const outage = await replicas[0]!.find(opened[0]!.outageId);
  expect(outage?.members.map((m) => m.incidentId).sort()).toEqual(
    Array.from({ length: 20 }, (_, n) => `INC-S${n + 1}`).sort(),
  );
  expect(await replicas[1]!.view(incident(7))).toMatchObject({ kind: 'member' });
});

test('a batch applied at once, beside single changes of another replica: one outage, every member, one result per incident in order', async () => {
  const many = redisOutageStore(redis, redisKeys(`${prefix}-many`));
  const routing = () =>
    createOutageRouting({
      store: many,
      settings: DEFAULT_OUTAGE_SETTINGS,
      catalog: () => catalog,
      inventory: () => null,
    });
  const [batcher, single] = [routing(), routing()];
  const batch = Array.from({ length: 10 }, (_, n) => incident(n + 1));
  const [results, ...singles] = await Promise.all([
    batcher.applyMany(batch),
    ...Array.from({ length: 10 }, (_, n) => single.apply(incident(n + 11))),
  ]);
  expect(results).toHaveLength(10);
  const all = [...results!, ...singles];
  const opened = all.flatMap((c) => c.effects).filter((e) => e.type === 'outage-opened');
  expect(opened).toHaveLength(1);
  const outage = await batcher.find(opened[0]!.outageId);
  expect(outage?.members.map((m) => m.incidentId).sort()).toEqual(
    Array.from({ length: 20 }, (_, n) => `INC-S${n + 1}`).sort(),
  );
  // Each result is its own incident's: the first of the batch was decided before any outage.
  const views = await Promise.all(batch.map((i) => batcher.view(i)));
  expect(views.every((v) => v.kind === 'member')).toBe(true);
  await deletePrefix(redis, `${prefix}-many`);
});
