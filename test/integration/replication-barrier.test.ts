import { createRedis } from '../../src/infra/redis/redis';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { ps51Alert } from '../fixtures/scom-alerts';
import { startPrivateRedis, type PrivateRedis } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';

/**
 * REDIS_WAIT_REPLICAS: the webhook answers 202 only once Redis' replicas have the alert's writes
 * (WAIT), so a failover cannot lose what was acknowledged. Without a replica in time it answers
 * 503 with Retry-After, and SCOM's script sends again (a duplicate of what the primary has).
 */
const alert = (n: number) =>
  ps51Alert({
    Id: `33333333-3333-4333-8333-${String(n).padStart(12, '0')}`,
    PrincipalName: 'EX21.contoso.com',
    NetbiosComputerName: 'EX21',
  });

describe('with no replica to confirm', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer('wait-none', { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_MS: '50' });
  });
  afterAll(async () => srv?.stop());

  test('the alert is recorded, but answered 503 with a reason and Retry-After', async () => {
    const res = await srv.post('/api/alerts/scom', alert(1));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('replication_unconfirmed');
    expect(body.error.message).toMatch(
      /on 0 of 1 replicas within 50 ms\); send the alert again\.$/,
    );
    // On the primary already: SCOM's resend is a duplicate, not a second incident.
    const id = '33333333-3333-4333-8333-000000000001';
    expect(await srv.redis.hget(redisKeys(srv.prefix).alert(id), 'incidentId')).toMatch(/^INC-/);
  });
});

describe('with a replica', () => {
  let primary: PrivateRedis;
  let replica: PrivateRedis;
  let srv: TestServer;
  beforeAll(async () => {
    primary = await startPrivateRedis(['--save', '', '--appendonly', 'no']);
    replica = await startPrivateRedis([
      '--save',
      '',
      '--appendonly',
      'no',
      '--replicaof',
      '127.0.0.1',
      String(primary.port),
    ]);
    // Until the replica is in sync, WAIT cannot count it.
    const r = createRedis(primary.url);
    const deadline = Date.now() + 20_000;
    while (!/connected_slaves:1/.test(await r.info('replication'))) {
      if (Date.now() > deadline) throw new Error('the replica did not connect');
      await new Promise((res) => setTimeout(res, 50));
    }
    r.disconnect();
    srv = await startTestServer('wait-one', {
      REDIS_URL: primary.url,
      REDIS_WAIT_REPLICAS: '1',
      REDIS_WAIT_MS: '5000',
    });
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    await replica?.stop();
    await primary?.stop();
  });

  test('the alert is answered 202 once the replica has it, and the replica has it', async () => {
    const res = await srv.post('/api/alerts/scom', alert(2));
    expect(res.status).toBe(202);
    const onReplica = createRedis(replica.url);
    try {
      const id = '33333333-3333-4333-8333-000000000002';
      expect(await onReplica.hget(redisKeys(srv.prefix).alert(id), 'incidentId')).toMatch(/^INC-/);
    } finally {
      onReplica.disconnect();
    }
  });
});
