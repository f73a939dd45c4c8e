import { Queue } from 'bullmq';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { commandChannelAlert, ps51Alert, ps7Alert } from '../fixtures/scom-alerts';
import { startTestServer, type TestServer } from '../support/server';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import { eventsOf, type CardEventJob } from '../../jobs/queues/card-events';
import type { IncidentEvent } from '../../src/domain/incidents/incident';

let srv: TestServer;
let events: Queue<CardEventJob>;

beforeEach(async () => {
  srv = await startTestServer('webhook');
  events = new Queue<CardEventJob>(QUEUE_NAMES.cardEvents, {
    connection: srv.redis,
    prefix: redisKeys(srv.prefix).bullPrefix,
  });
});

afterEach(async () => {
  await events.close();
  await srv.stop();
});

const post = (body: unknown, headers?: Record<string, string>) =>
  srv.post('/api/alerts/scom', body, headers);

async function results(res: Response) {
  const body = (await res.json()) as { results: Array<Record<string, unknown>> };
  return body.results;
}

/** Every change on the card-events queue (a job carries one change or the intake's batch). */
async function queuedEvents(): Promise<IncidentEvent[]> {
  const jobs = await events.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed']);
  return jobs.flatMap((j) => eventsOf(j.data));
}

/** The changes queued for an incident, once `enough` says they are all there (hand-off is after the 202). */
async function eventsFor(
  incidentId: string,
  enough: (found: IncidentEvent[]) => boolean,
): Promise<IncidentEvent[]> {
  for (let i = 0; ; i++) {
    const found = (await queuedEvents()).filter(
      // Only the incident's own changes (its remediation run's changes share the queue).
      (e) => e.incidentId === incidentId && e.change !== 'run' && e.change !== 'approval',
    );
    if (enough(found) || i >= 200) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every incident-store key under the test's prefix: to prove that refused input wrote nothing. */
async function keyCount(): Promise<number> {
  const keys = await srv.redis.keys(`${srv.prefix}:{inc}*`);
  return keys.length;
}

describe('authentication and transport', () => {
  test('missing or wrong token: 401, nothing stored', async () => {
    const none = await post(ps51Alert(), { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post(ps51Alert(), { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'unauthorized', message: 'Missing or wrong bearer token.' },
    });
    const basic = await post(ps51Alert(), { authorization: `Basic ${srv.token}` });
    expect(basic.status).toBe(401);
    expect(await keyCount()).toBe(0);
  });

  test('wrong content type: 415', async () => {
    const res = await post('Id=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    );
  });

  test('not JSON: 400', async () => {
    const res = await post('{"Id": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    expect(await keyCount()).toBe(0);
  });

  test('a 2 MiB body: 413', async () => {
    const res = await post(ps51Alert({ Description: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(await keyCount()).toBe(0);
  });

  test('501 alerts: 400, nothing stored', async () => {
    const batch = Array.from({ length: 501 }, (_, i) =>
      ps51Alert({ Id: `id-${i}`, Description: 'short' }),
    );
    const res = await post(batch);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /At most 500/,
    );
    expect(await keyCount()).toBe(0);
  });

  test('an empty array: 400', async () => {
    expect((await post([])).status).toBe(400);
  });

  test('healthz and readyz', async () => {
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${srv.url}/readyz`);
    expect(ready.status).toBe(200);
    // Readiness also shows Redis's persistence and restarts (test/integration/redis-durability).
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: true });
  });
});

describe('intake', () => {
  test.each([
    [
      'Windows PowerShell 5.1 Get-SCOMAlert',
      ps51Alert(),
      'POP.Protocol',
      'PopDeepTestMonitor',
      'EX01.contoso.com',
    ],
    ['PowerShell 7 Get-SCOMAlert', ps7Alert(), 'POP', 'PopCTPMonitor', 'EXCAS01.contoso.com'],
    [
      'command channel',
      commandChannelAlert(),
      'POP',
      'AverageCommandProcessingTimeGt60sMonitor',
      'EX02.contoso.com',
    ],
  ])(
    '%s: 202, created, one incident event queued',
    async (_shape, alert, healthSet, monitor, server) => {
      const res = await post(alert);
      expect(res.status).toBe(202);
      const [r] = await results(res);
      expect(r).toMatchObject({ outcome: 'created', healthSet, monitor, server });
      expect(r?.incidentId).toMatch(/^INC-\d+$/);
      const queued = await eventsFor(String(r?.incidentId), (found) => found.length > 0);
      expect(queued).toEqual([
        expect.objectContaining({ incidentId: r?.incidentId, version: 1, change: 'created' }),
      ]);
    },
  );

  test('repeat, duplicate, resolution and reopen', async () => {
    const first = (await results(await post(ps51Alert())))[0];
    const id = first?.incidentId as string;
    expect(first?.outcome).toBe('created');

    const dup = (await results(await post(ps51Alert())))[0];
    expect(dup).toMatchObject({ outcome: 'duplicate', incidentId: id });

    const repeat = (await results(await post(ps51Alert({ RepeatCount: 2 }))))[0];
    expect(repeat).toMatchObject({ outcome: 'updated', incidentId: id });

    const other = ps51Alert({
      Id: '11111111-2222-3333-4444-555555555555',
      Description:
        'POP.Protocol health set unhealthy (PopSelfTestMonitor/MSExchangePOP3BE) - self test failed',
    });
    expect((await results(await post(other)))[0]).toMatchObject({
      outcome: 'updated',
      incidentId: id,
    });

    const resolveFirst = (await results(await post(ps51Alert({ ResolutionState: 254 }))))[0];
    expect(resolveFirst).toMatchObject({ outcome: 'updated', incidentId: id });
    const resolveOther = (await results(await post({ ...other, ResolutionState: 255 })))[0];
    expect(resolveOther).toMatchObject({ outcome: 'resolved', incidentId: id });

    const incident = await srv.incidents.get(id);
    expect(incident).toMatchObject({
      status: 'resolved',
      occurrences: 4,
      monitors: ['PopDeepTestMonitor', 'PopSelfTestMonitor'],
    });
    expect(await srv.redis.pttl(`${srv.prefix}:{inc}:incident:${id}`)).toBeGreaterThan(
      29 * 24 * 3600 * 1000,
    );

    // The same resolution again changes nothing.
    expect((await results(await post({ ...other, ResolutionState: 255 })))[0]).toMatchObject({
      outcome: 'duplicate',
    });

    // A new alert after resolution opens a new incident.
    const again = (
      await results(await post(ps51Alert({ Id: '99999999-0000-0000-0000-000000000000' })))
    )[0];
    expect(again?.outcome).toBe('created');
    expect(again?.incidentId).not.toBe(id);

    const versions = await eventsFor(id, (found) => found.length >= 5);
    expect(versions.map((e) => e.version).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  test('20 concurrent deliveries of the same alert make one incident', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(ps51Alert())));
    const all = (await Promise.all(responses.map(results))).flat();
    expect(all.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(all.filter((r) => r.outcome === 'duplicate')).toHaveLength(19);
    expect(new Set(all.map((r) => r.incidentId)).size).toBe(1);
    const open = await srv.incidents.listOpen();
    expect(open).toHaveLength(1);
  });

  test('20 concurrent different alerts for one key: one incident holding all of them', async () => {
    const alerts = Array.from({ length: 20 }, (_, i) =>
      ps51Alert({ Id: `00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}` }),
    );
    const all = (
      await Promise.all((await Promise.all(alerts.map((a) => post(a)))).map(results))
    ).flat();
    expect(all.filter((r) => r.outcome === 'created')).toHaveLength(1);
    const [incident] = await srv.incidents.listOpen();
    expect(incident?.alerts).toHaveLength(20);
    expect(incident?.version).toBe(20);
  });

  test('a batch is recorded together, in order per incident: an alert, more of it, its resolution', async () => {
    const server = (n: number) => {
      const fqdn = `EX${n}.contoso.com`;
      return {
        Id: `aaaaaaaa-0000-0000-0000-0000000000${String(n).padStart(2, '0')}`,
        MonitoringObjectDisplayName: fqdn,
        MonitoringObjectPath: fqdn,
        MonitoringObjectFullName: `Microsoft.Exchange.15.HealthSet:${fqdn};POP.Protocol`,
        PrincipalName: fqdn,
        NetbiosComputerName: `EX${n}`,
      };
    };
    const second = { ...server(1), Id: 'bbbbbbbb-0000-0000-0000-000000000001' };
    const batch = [
      ...Array.from({ length: 8 }, (_, n) => ps51Alert(server(n + 1))),
      ps51Alert(second),
      ps51Alert({ ...server(1), ResolutionState: 255 }),
      ps51Alert({ ...second, ResolutionState: 255 }),
    ];
    const res = await post(batch);
    expect(res.status).toBe(202);
    const r = await results(res);
    expect(r.map((x) => x.outcome)).toEqual([
      ...Array.from({ length: 8 }, () => 'created'),
      'updated',
      'updated',
      'resolved',
    ]);
    expect(new Set(r.slice(0, 8).map((x) => x.incidentId)).size).toBe(8);
    const first = await srv.incidents.get(r[0]?.incidentId as string);
    expect(first).toMatchObject({ status: 'resolved', occurrences: 2 });
    expect(await srv.incidents.listOpen()).toHaveLength(7);
    // Every alert's "alert received" entry is in the trail when the batch is answered.
    const received = (await srv.approvals.audit.latest({}, 200)).filter(
      (e) => e.action === 'alert.received',
    );
    expect(received).toHaveLength(11);
    // Its 11 changes go on to the chat side together: a few jobs, not one per change.
    const changes = r.filter((x) => x.outcome !== 'duplicate').length;
    const incidentChanges = async () =>
      (await queuedEvents()).filter((e) => e.change !== 'run' && e.change !== 'approval').length;
    for (let i = 0; (await incidentChanges()) < changes; i++) {
      if (i > 200) throw new Error('the batch was not handed on');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const jobs = (
      await events.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed'])
    ).filter((j) => eventsOf(j.data).some((e) => e.change !== 'run' && e.change !== 'approval'));
    expect(jobs.length).toBeLessThan(changes / 2);
  });

  test('new incident ids are reserved only for alerts that open one', async () => {
    // A resend and a resolution of nothing open take no id: the next incident's id follows on.
    const one = (await results(await post(ps51Alert())))[0];
    expect((await results(await post(ps51Alert())))[0]?.outcome).toBe('duplicate');
    const closing = ps51Alert({ Id: 'cccccccc-0000-0000-0000-000000000000', ResolutionState: 255 });
    expect((await results(await post(closing)))[0]?.outcome).toBe('duplicate');
    const elsewhere = ps51Alert({
      Id: 'dddddddd-0000-0000-0000-000000000000',
      MonitoringObjectDisplayName: 'EX77.contoso.com',
      MonitoringObjectPath: 'EX77.contoso.com',
      MonitoringObjectFullName: 'Microsoft.Exchange.15.HealthSet:EX77.contoso.com;POP.Protocol',
      PrincipalName: 'EX77.contoso.com',
      NetbiosComputerName: 'EX77',
    });
    const next = (await results(await post(elsewhere)))[0];
    expect(next?.outcome).toBe('created');
    const n = (id: unknown) => Number(String(id).replace('INC-', ''));
    expect(n(next?.incidentId)).toBe(n(one?.incidentId) + 1);
  });

  test('a batch with invalid alerts accepts the valid ones and explains the rest', async () => {
    const res = await post([
      ps51Alert(),
      ps51Alert({ Id: undefined }),
      ps51Alert({ Id: 'x2', Severity: 'Apocalyptic', Name: 'n'.repeat(10_000) }),
      ps51Alert({ Id: 'x3', Description: 'bell\u0007' }),
      'not an alert',
    ]);
    expect(res.status).toBe(202);
    const r = await results(res);
    expect(r.map((x) => x.outcome)).toEqual([
      'created',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(r[1]?.errors).toEqual([{ field: 'id', reason: expect.stringMatching(/required/) }]);
    expect((r[2]?.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      'Name',
      'Severity',
    ]);
    expect(r[2]?.alertId).toBe('x2');
    expect(r[3]?.errors).toEqual([{ field: 'Description', reason: 'contains control characters' }]);
    // Only the valid alert reached Redis.
    expect(await srv.redis.exists(`${srv.prefix}:{inc}:alert:x2`)).toBe(0);
    expect(await srv.redis.exists(`${srv.prefix}:{inc}:alert:x3`)).toBe(0);
  });

  test('a single invalid alert: 422 with the reasons', async () => {
    const res = await post(ps51Alert({ RepeatCount: -1 }));
    expect(res.status).toBe(422);
    expect((await results(res))[0]).toMatchObject({
      outcome: 'rejected',
      errors: [{ field: 'RepeatCount' }],
    });
    expect(await keyCount()).toBe(0);
  });

  test('a custom field nested 100,000 deep: 422 naming the field, nothing stored', async () => {
    // Built as text: JSON.stringify itself overflows the stack on a value this deep.
    const depth = 100_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const alert = JSON.stringify(ps51Alert()).replace(/}$/, `,"CustomField3":${deep}}`);
    const res = await post(alert);
    expect(res.status).toBe(422);
    expect((await results(res))[0]).toMatchObject({
      outcome: 'rejected',
      alertId: '6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b',
      errors: [{ field: 'CustomField3', reason: expect.stringMatching(/nested deeper than 32/) }],
    });
    expect(await keyCount()).toBe(0);

    // In a batch the deep alert is refused and the valid one still goes in.
    const batch = `[${JSON.stringify(ps7Alert())},${alert}]`;
    const mixed = await post(batch);
    expect(mixed.status).toBe(202);
    expect((await results(mixed)).map((r) => r.outcome)).toEqual(['created', 'rejected']);
  });

  test('a custom field longer than 65,536 characters: 422 naming the field', async () => {
    const res = await post(ps51Alert({ CustomField4: 'x'.repeat(70_000) }));
    expect(res.status).toBe(422);
    expect((await results(res))[0]).toMatchObject({
      outcome: 'rejected',
      errors: [
        { field: 'CustomField4', reason: expect.stringMatching(/longer than 65536 characters/) },
      ],
    });
    expect(await keyCount()).toBe(0);
  });

  test.each([
    'EX01;Restart-Computer',
    "EX01' -Force",
    '$(calc)',
    'EX01\nRestart-Computer',
    'EX01\u2018 -Force',
  ])('hostile server name %p: stored and shown, never actionable', async (name) => {
    const res = await post(ps51Alert({ PrincipalName: name }));
    expect(res.status).toBe(202);
    const [r] = await results(res);
    const incident = await srv.incidents.get(r?.incidentId as string);
    expect(incident?.actionable).toBe(false);
    expect(incident?.server).toMatchObject({ name: name.trim(), valid: false });
  });
});
