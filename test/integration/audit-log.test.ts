import { Writable } from 'node:stream';
import type { AuditEvent } from '../../src/domain/audit/audit-entry';
import { chainEntry } from '../../src/domain/audit/hash-chain';
import { verifyChain } from '../../src/domain/audit/verify-chain';
import { formatAuditView } from '../../src/domain/audit/format-audit-view';
import { startAuditCheckpoints } from '../../src/infra/audit-checkpoints';
import { createLogger } from '../../src/infra/logger';
import { createRedisAuditLog, type RedisAuditLog } from '../../src/infra/redis/redis-audit-log';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import type { RedisClient } from '../../src/infra/redis/redis';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

const redis = testRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redis, p);
  await redis.quit();
});

function freshLog(name: string): { log: RedisAuditLog; prefix: string } {
  const prefix = testPrefix(`audit-${name}`);
  prefixes.push(prefix);
  return { log: createRedisAuditLog(redis, { prefix }), prefix };
}

const event = (n: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  at: new Date(Date.UTC(2026, 10, 27, 3, 0, n)).toISOString(),
  actor: { platform: 'slack', id: 'U012ANA01', displayName: 'Ana' },
  action: 'approval.requested',
  incidentId: n % 2 === 0 ? 'INC-1' : 'INC-2',
  server: n % 2 === 0 ? 'EX01.contoso.com' : 'EX02.contoso.com',
  params: { requestId: `APR-${n}`, actionId: 'restart-service', n },
  result: `entry ${n}`,
  ...over,
});

async function verify(log: RedisAuditLog, checkpoints: Array<{ seq: number; hash: string }> = []) {
  const all = [];
  for await (const e of log.scan(3)) all.push(e);
  return verifyChain(all, { head: await log.head(), checkpoints });
}

/** Everything in the stream, as [id, fields]. */
async function rawEntries(r: RedisClient, prefix: string): Promise<Array<[string, string[]]>> {
  return r.xrange(redisKeys(prefix).auditStream, '-', '+');
}

/** What someone with write access to Redis could do: rebuild the stream with other contents. */
async function rewrite(
  r: RedisClient,
  prefix: string,
  entries: Array<[string, string[]]>,
): Promise<void> {
  const key = redisKeys(prefix).auditStream;
  await r.del(key);
  for (const [id, fields] of entries) await r.xadd(key, id, ...fields);
}

function fieldsOf(entry: ReturnType<typeof chainEntry>): string[] {
  return ['seq', String(entry.seq), 'hash', entry.hash, 'entry', JSON.stringify(entry)];
}

async function fiveEntries(name: string) {
  const ctx = freshLog(name);
  for (let n = 1; n <= 5; n++) await ctx.log.append(event(n));
  const raw = await rawEntries(redis, ctx.prefix);
  expect(raw).toHaveLength(5);
  return { ...ctx, raw };
}

test('appended entries form a chain that verifies', async () => {
  const { log } = await fiveEntries('ok');
  const result = await verify(log);
  expect(result).toMatchObject({ ok: true, entries: 5, head: { seq: 5 } });
});

test('concurrent appends from several replicas never fork the chain', async () => {
  const { log, prefix } = freshLog('concurrent');
  const replicas = Array.from({ length: 4 }, () => testRedis());
  try {
    const logs = replicas.map((r) => createRedisAuditLog(r, { prefix }));
    const written = await Promise.all(
      Array.from({ length: 40 }, (_, i) => logs[i % logs.length]!.append(event(i + 1))),
    );
    expect(new Set(written.map((e) => e?.seq)).size).toBe(40);
    const result = await verify(log);
    expect(result).toMatchObject({ ok: true, entries: 40, head: { seq: 40 } });
  } finally {
    await Promise.all(replicas.map((r) => r.quit()));
  }
});

test('an append with an idempotency key is written once', async () => {
  const { log } = freshLog('idempotent');
  const results = await Promise.all(
    Array.from({ length: 5 }, () => log.append(event(1), { idempotencyKey: 'APR-1:v2' })),
  );
  expect(results.filter((r) => r !== null)).toHaveLength(1);
  expect(await log.append(event(1), { idempotencyKey: 'APR-1:v2' })).toBeNull();
  expect(await log.append(event(2), { idempotencyKey: 'APR-1:v3' })).toMatchObject({ seq: 2 });
  expect(await verify(log)).toMatchObject({ ok: true, entries: 2 });
});

test('concurrent appends from one process go together, in order, each written when it resolves', async () => {
  const { log, prefix } = freshLog('group');
  await log.append(event(0), { idempotencyKey: 'already' });
  const stream = redisKeys(prefix).auditStream;
  const inStream = async (hash: string) =>
    (await redis.xrange(stream, '-', '+')).some(([, f]) => f.includes(hash));
  const written = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      // Some keyed; one key already in the trail, one asked for twice in the same burst.
      const key = i === 7 ? 'already' : i === 20 || i === 21 ? 'twice' : i % 3 === 0 ? `k${i}` : '';
      const entry = await log.append(event(i + 1), key ? { idempotencyKey: key } : {});
      // Durable before the caller hears of it.
      if (entry) expect(await inStream(entry.hash)).toBe(true);
      return { i, entry };
    }),
  );
  expect(written.find((w) => w.i === 7)?.entry).toBeNull();
  expect(written.filter((w) => w.i === 20 || w.i === 21).filter((w) => w.entry)).toHaveLength(1);
  const seqs = written.filter((w) => w.entry).map((w) => w.entry?.seq ?? 0);
  // In the order they were asked for: seq grows with the call order.
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(seqs).toHaveLength(58);
  expect(await verify(log)).toMatchObject({ ok: true, entries: 59, head: { seq: 59 } });
});

test("an append after another replica wrote chains onto that replica's entry", async () => {
  const { log, prefix } = freshLog('stale-head');
  const other = testRedis();
  try {
    await log.append(event(1));
    await createRedisAuditLog(other, { prefix }).append(event(2));
    // This log last wrote seq 1; it must notice the head moved and chain onto seq 2.
    expect(await log.append(event(3))).toMatchObject({ seq: 3 });
    expect(await verify(log)).toMatchObject({ ok: true, entries: 3 });
  } finally {
    await other.quit();
  }
});

test('an edited entry is named', async () => {
  const { log, prefix, raw } = await fiveEntries('edited');
  const [id, fields] = raw[2]!;
  const entry = JSON.parse(fields[5]!) as ReturnType<typeof chainEntry>;
  const edited = { ...entry, result: 'approved by someone else' };
  await rewrite(redis, prefix, [
    ...raw.slice(0, 2),
    [id, ['seq', fields[1]!, 'hash', fields[3]!, 'entry', JSON.stringify(edited)]],
    ...raw.slice(3),
  ]);
  const result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 2, broken: { id, seq: 3 } });
  if (!result.ok) expect(result.broken.reason).toContain('edited');
});

test('a field added to an entry outside the hash is caught', async () => {
  const { log, prefix, raw } = await fiveEntries('added-field');
  const [id, fields] = raw[3]!;
  const entry = JSON.parse(fields[5]!) as Record<string, unknown>;
  await rewrite(redis, prefix, [
    ...raw.slice(0, 3),
    [
      id,
      [
        'seq',
        fields[1]!,
        'hash',
        fields[3]!,
        'entry',
        JSON.stringify({ ...entry, note: 'ok by me' }),
      ],
    ],
    raw[4]!,
  ]);
  const result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 3, broken: { id, seq: 4 } });
  if (!result.ok) expect(result.broken.reason).toContain('fields the hash does not cover (note)');
});

test('an entry whose stream fields were changed apart from its content is named', async () => {
  const { log, prefix, raw } = await fiveEntries('fields');
  const [id, fields] = raw[1]!;
  await rewrite(redis, prefix, [
    raw[0]!,
    [id, ['seq', fields[1]!, 'hash', 'f'.repeat(64), 'entry', fields[5]!]],
    ...raw.slice(2),
  ]);
  const result = await verify(log);
  expect(result).toMatchObject({ ok: false, broken: { id, seq: null } });
});

test('a deleted entry is found at the entry after it', async () => {
  const { log, prefix, raw } = await fiveEntries('deleted');
  await redis.xdel(redisKeys(prefix).auditStream, raw[1]![0]);
  const result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 1, broken: { id: raw[2]![0], seq: 3 } });
  if (!result.ok)
    expect(result.broken.reason).toBe('position 3 follows 1: 1 entry is missing before it');
});

test('deleting the newest entries is caught by the head', async () => {
  const { log, prefix, raw } = await fiveEntries('truncated');
  await redis.xdel(redisKeys(prefix).auditStream, raw[3]![0], raw[4]![0]);
  const result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 3, broken: { id: '(head)', seq: 5 } });
  if (!result.ok) expect(result.broken.reason).toContain('the last 2 were deleted');
});

test('an inserted entry is named: a naive copy, and one chained onto its predecessor', async () => {
  const { log, prefix, raw } = await fiveEntries('inserted');
  // Rebuild with ids of our own choosing, so there is room between entries 2 and 3.
  const renumbered = raw.map(([, f], i): [string, string[]] => [`${(i + 1) * 10}-0`, f]);

  // A copy of entry 2 placed after it.
  await rewrite(redis, prefix, [
    ...renumbered.slice(0, 2),
    ['25-0', renumbered[1]![1]],
    ...renumbered.slice(2),
  ]);
  let result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 2, broken: { id: '25-0', seq: 2 } });
  if (!result.ok) expect(result.broken.reason).toContain('was inserted');

  // A forged entry that chains correctly onto entry 2: the break shows at the original entry 3.
  const second = JSON.parse(raw[1]![1][5]!) as ReturnType<typeof chainEntry>;
  const forged = chainEntry(event(99, { result: 'forged approval' }), 3, second.hash);
  await rewrite(redis, prefix, [
    ...renumbered.slice(0, 2),
    ['25-0', fieldsOf(forged)],
    ...renumbered.slice(2),
  ]);
  result = await verify(log);
  expect(result).toMatchObject({ ok: false, entries: 3, broken: { id: '30-0', seq: 3 } });
  if (!result.ok) expect(result.broken.reason).toContain('one just before it, was inserted');
});

test('a chain rewritten whole (hashes and head too) still fails against a logged checkpoint', async () => {
  const { log, prefix, raw } = await fiveEntries('rewritten');
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const checkpoints = startAuditCheckpoints(log, logger, 0);
  await checkpoints.checkpoint();
  await checkpoints.checkpoint(); // an unchanged head is not logged again
  expect(lines).toHaveLength(1);
  const logged = JSON.parse(lines[0]!) as {
    msg: string;
    auditCheckpoint: { seq: number; hash: string; verify: string };
  };
  expect(logged.msg).toBe('audit checkpoint');
  expect(logged.auditCheckpoint.seq).toBe(5);

  // Rewrite history from entry 3 on, recomputing every hash and the head.
  const entries = raw.map(([, f]) => JSON.parse(f[5]!) as ReturnType<typeof chainEntry>);
  let prev = entries[1]!.hash;
  const rebuilt: Array<[string, string[]]> = raw.slice(0, 2);
  for (let i = 2; i < 5; i++) {
    const e = chainEntry({ ...entries[i]!, result: `rewritten ${i}` }, i + 1, prev);
    prev = e.hash;
    rebuilt.push([raw[i]![0], fieldsOf(e)]);
  }
  await rewrite(redis, prefix, rebuilt);
  await redis.hset(redisKeys(prefix).auditHead, 'seq', '5', 'hash', prev);
  expect((await verify(log)).ok).toBe(true);
  const result = await verify(log, [logged.auditCheckpoint]);
  expect(result).toMatchObject({ ok: false, broken: { id: raw[4]![0], seq: 5 } });
  if (!result.ok) expect(result.broken.reason).toContain('checkpoint');
});

test('latest entries for a server or an incident, formatted for chat', async () => {
  const { log } = await fiveEntries('latest');
  const forServer = await log.latest({ server: 'EX01' }, 10);
  expect(forServer.map((e) => e.seq)).toEqual([4, 2]);
  const forIncident = await log.latest({ incidentId: 'INC-2' }, 2);
  expect(forIncident.map((e) => e.seq)).toEqual([5, 3]);
  const since = await log.latest({ since: event(4).at }, 10);
  expect(since.map((e) => e.seq)).toEqual([5, 4]);
  const view = formatAuditView(forServer, { server: 'EX01' });
  expect(view.title).toBe('Audit trail for EX01: latest 2 entries');
  expect(view.lines[0]).toBe(
    '#4 2026-11-27 03:00:04Z requested restart-service (APR-4) by Ana [INC-1 EX01.contoso.com]: entry 4',
  );
  expect(formatAuditView([]).lines).toEqual(['Nothing recorded yet.']);
});
