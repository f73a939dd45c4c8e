import type { DatabaseCopy } from '../actions/parse-output';
import { judge } from '../remediation/apply-outcome';
import {
  assessSafety,
  failoverPrecheck,
  restartGuard,
  sealOf,
  worseThanSeal,
  type MemberFacts,
  type SafetyEvidence,
} from './dag-safety';

const copy = (db: string, server: string, extra: Partial<DatabaseCopy> = {}): DatabaseCopy => ({
  databaseName: db,
  status: 'Healthy',
  mailboxServer: server,
  activeDatabaseCopy: 'ex01',
  copyQueueLength: 0,
  replayQueueLength: 0,
  contentIndexState: 'Healthy',
  activationSuspended: false,
  active: false,
  ...extra,
});
const member = (name: string, swo = 'Active', disabled = false): MemberFacts => ({
  name,
  components: [{ server: name, component: 'ServerWideOffline', state: swo }],
  mailbox: {
    name,
    dag: 'DAG01',
    autoActivationPolicy: 'Unrestricted',
    activationDisabledAndMoveNow: disabled,
  },
});
const NOW = new Date('2026-05-01T12:00:00Z');
const evidence = (
  copies: DatabaseCopy[],
  members = ['EX01', 'EX02', 'EX03'].map((n) => member(n)),
): SafetyEvidence => ({
  server: 'EX01',
  gatheredAt: NOW.toISOString(),
  copies,
  members,
  recoveries: [],
  errors: [],
});
const active = copy('DB01', 'EX01', { status: 'Mounted', active: true });

describe('failover pre-check', () => {
  it('passes with one healthy target, and the seal counts it', () => {
    const v = failoverPrecheck(
      evidence([active, copy('DB01', 'EX02'), copy('DB01', 'EX03', { copyQueueLength: 10 })]),
    );
    expect(v.ok).toBe(true);
    expect(v.databases[0]).toMatchObject({ database: 'DB01', healthyTargets: 1 });
    expect(v.databases[0]!.targets[1]!.problems).toEqual(['copy queue 10 (needs < 10)']);
    expect(sealOf(v)).toEqual({ digest: v.digest, healthyTargets: { DB01: 1 } });
  });

  it('fails when no copy is within the limits, naming why', () => {
    const v = failoverPrecheck(
      evidence([
        active,
        copy('DB01', 'EX02', { replayQueueLength: 50 }),
        copy('DB01', 'EX03', { contentIndexState: 'Crawling' }),
      ]),
    );
    expect(v.ok).toBe(false);
    expect(v.reasons[0]).toMatch(
      /DB01 has no healthy copy.*replay queue 50.*content index Crawling/,
    );
  });

  it('the limits are settings', () => {
    const e = evidence([active, copy('DB01', 'EX02', { copyQueueLength: 12 })]);
    expect(failoverPrecheck(e).ok).toBe(false);
    const lax = { ...assessSafety(e, NOW).limits, copyQueueBelow: 20 };
    expect(failoverPrecheck(e, lax).ok).toBe(true);
  });

  it('a maintenance or blocked member is no target', () => {
    const v = failoverPrecheck(
      evidence(
        [active, copy('DB01', 'EX02'), copy('DB01', 'EX03')],
        [member('EX01'), member('EX02', 'Inactive'), member('EX03', 'Active', true)],
      ),
    );
    expect(v.ok).toBe(false);
  });

  it('the worker refuses when its own pre-check is worse than the approved one', () => {
    const before = failoverPrecheck(evidence([active, copy('DB01', 'EX02'), copy('DB01', 'EX03')]));
    const after = failoverPrecheck(
      evidence([active, copy('DB01', 'EX02'), copy('DB01', 'EX03', { status: 'Failed' })]),
    );
    expect(worseThanSeal(before, sealOf(before))).toBeNull();
    expect(worseThanSeal(after, sealOf(before))).toMatch(
      /DB01 1 healthy target\(s\), approved with 2/,
    );
    const none = failoverPrecheck(evidence([active, copy('DB01', 'EX02', { status: 'Failed' })]));
    expect(worseThanSeal(none, undefined)).toMatch(/fails now/);
  });
});

describe('restart guard', () => {
  it('holds while another member is down, or the server still hosts active copies', () => {
    const passive = copy('DB01', 'EX01');
    const ok = restartGuard(
      evidence([
        passive,
        copy('DB01', 'EX02', { status: 'Mounted', active: true }),
        copy('DB01', 'EX03'),
      ]),
    );
    expect(ok).toEqual({ ok: true, reasons: [] });
    const down = restartGuard(
      evidence([
        passive,
        copy('DB01', 'EX02', { status: 'Mounted', active: true }),
        copy('DB01', 'EX03', { status: 'ServiceDown' }),
      ]),
    );
    expect(down.reasons).toEqual([
      'DAG member EX03 is down or restarting (its copies are ServiceDown)',
    ]);
    expect(restartGuard(evidence([active, copy('DB01', 'EX02')])).reasons).toEqual([
      'the server still hosts active copies: DB01',
    ]);
    const only = restartGuard(evidence([passive, copy('DB01', 'EX02', { status: 'Failed' })]));
    expect(only.reasons).toContain('the server holds the only healthy copy of DB01');
  });
});

describe('holds', () => {
  it('maintenance and a Managed Availability recovery in progress hold changes', () => {
    const e = evidence([active], [member('EX01', 'Inactive')]);
    e.recoveries = [
      {
        time: '2026-05-01T11:59:00Z',
        eventId: 500,
        action: 'RestartService',
        resource: 'MSExchangePOP3BE',
        responder: 'PopDeepTestRestart',
        state: 'Started',
        result: null,
        message: null,
      },
      {
        time: '2026-05-01T11:00:10Z',
        eventId: 501,
        action: 'RestartService',
        resource: 'MSExchangePOP3BE',
        responder: 'PopDeepTestRestart',
        state: 'Finished',
        result: 'Succeeded',
        message: null,
      },
      {
        time: '2026-04-30T01:00:00Z',
        eventId: 501,
        action: 'RestartServer',
        resource: 'EX01',
        responder: 'X',
        state: 'Finished',
        result: 'Succeeded',
        message: null,
      },
    ];
    const h = assessSafety(e, NOW).hold;
    expect(h.ok).toBe(false);
    expect(h.maintenance).toBe(true);
    expect(h.recentRecoveries).toHaveLength(2);
    expect(h.inProgress.map((r) => r.resource)).toEqual(['MSExchangePOP3BE']);
    expect(h.reasons[1]).toMatch(
      /Managed Availability is recovering MSExchangePOP3BE \(RestartService by PopDeepTestRestart/,
    );
  });
});

describe('how a restart guard step judges', () => {
  it('holds a restart while Managed Availability is recovering the server, even when the DAG allows it', () => {
    const e = evidence([
      copy('DB01', 'EX01'),
      copy('DB01', 'EX02', { status: 'Mounted', active: true }),
    ]);
    const recovering = {
      ...e,
      recoveries: [
        {
          time: new Date(NOW.getTime() - 60_000).toISOString(),
          eventId: 500,
          action: 'RestartService',
          resource: 'MSExchangePOP3BE',
          responder: 'PopDeepTestRestart',
          state: 'Started',
          result: null,
          message: null,
        },
      ],
    };
    expect(judge({ expect: 'restart-safe' }, assessSafety(e, NOW))).toBe('met');
    const out = assessSafety(recovering, NOW);
    expect(out.restart.ok).toBe(true);
    expect(judge({ expect: 'restart-safe' }, out)).toBe('not-met');
  });
});
