import type { DatabaseCopy, RecoveryEvent } from '../actions/parse-output';
import { loadCatalog } from '../../infra/files/load-catalog';
import { sampleIncident } from '../../../test/support/incidents';
import { assessSafety, type MemberFacts, type SafetyEvidence } from '../safety/dag-safety';
import type { CardStep, CardTable } from './card';
import { buildIncidentCard } from './incident-card';
import type { RunView } from './run-view';
import { buildSafetyEvidence } from './safety-evidence';

const NOW = new Date('2026-11-27T03:05:00Z');
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
const active = copy('DB01', 'EX01', { status: 'Mounted', active: true });
const evidence = (
  copies: DatabaseCopy[],
  members = ['EX01', 'EX02', 'EX03'].map((n) => member(n)),
  recoveries: RecoveryEvent[] = [],
): SafetyEvidence => ({
  server: 'EX01',
  gatheredAt: NOW.toISOString(),
  copies,
  members,
  recoveries,
  errors: [],
});
const recovery = (minutesAgo: number, state: string): RecoveryEvent => ({
  time: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
  eventId: state === 'Started' ? 500 : 501,
  action: 'RestartService',
  resource: 'MSExchangePOP3BE',
  responder: 'PopDeepTestRestart',
  state,
  result: state === 'Finished' ? 'Succeeded' : null,
  message: null,
});

/** A table as { column key: cell } per row, for readable expectations. */
const rowsOf = (table: CardTable) =>
  table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c.key, r.cells[i]])));

describe('failover pre-check evidence', () => {
  it('lists every other copy of each active database with its state, and allows a healthy target', () => {
    const out = assessSafety(
      evidence([
        active,
        copy('DB01', 'EX02'),
        copy('DB01', 'EX03', { copyQueueLength: 12, contentIndexState: 'Crawling' }),
      ]),
      NOW,
    );
    const ev = buildSafetyEvidence(out, 'failover-safe', 'en');
    expect(ev.verdict).toBe(
      'Failover allowed: every database active on EX01 has a healthy copy elsewhere',
    );
    expect(ev.tone).toBe('good');
    expect(ev.checkedAt).toBe(NOW.toISOString());
    const table = ev.tables[0]!;
    expect(table.columns.map((c) => c.key)).toEqual([
      'database',
      'server',
      'status',
      'copyQueue',
      'replayQueue',
      'contentIndex',
      'activationBlocked',
      'componentState',
      'fit',
    ]);
    expect(table.columns.find((c) => c.key === 'copyQueue')?.align).toBe('right');
    expect(rowsOf(table)).toEqual([
      {
        database: 'DB01',
        server: 'EX02',
        status: 'Healthy',
        copyQueue: '0',
        replayQueue: '0',
        contentIndex: 'Healthy',
        activationBlocked: 'no',
        componentState: 'Active',
        fit: 'yes',
      },
      {
        database: 'DB01',
        server: 'EX03',
        status: 'Healthy',
        copyQueue: '12',
        replayQueue: '0',
        contentIndex: 'Crawling',
        activationBlocked: 'no',
        componentState: 'Active',
        fit: 'copy queue 12 (needs < 10); content index Crawling',
      },
    ]);
    expect(table.rows.map((r) => r.tone)).toEqual(['good', undefined]);
  });

  it('refuses when a database has no copy fit to take over, marking those copies', () => {
    const out = assessSafety(
      evidence(
        [
          active,
          copy('DB01', 'EX02', { status: 'Failed' }),
          copy('DB01', 'EX03'),
          copy('DB02', 'EX01', { status: 'Mounted', active: true }),
        ],
        [member('EX01'), member('EX02'), member('EX03', 'Inactive', true)],
      ),
      NOW,
    );
    const ev = buildSafetyEvidence(out, 'failover-safe', 'en');
    expect(ev.tone).toBe('attention');
    expect(ev.verdict).toBe(
      'Failover refused: DB01 has no healthy copy to fail over to; DB02 has no other copy. Nothing was moved; escalate instead',
    );
    const rows = rowsOf(ev.tables[0]!);
    expect(rows.map((r) => [r.server, r.activationBlocked, r.componentState, r.fit])).toEqual([
      ['EX02', 'no', 'Active', 'status Failed'],
      ['EX03', 'yes', 'Inactive', 'activation blocked; ServerWideOffline Inactive'],
    ]);
    expect(ev.tables[0]!.rows.map((r) => r.tone)).toEqual(['attention', 'attention']);
  });

  it('speaks Traditional Chinese, keeping Exchange identifiers', () => {
    const out = assessSafety(evidence([active, copy('DB01', 'EX02', { status: 'Failed' })]), NOW);
    const ev = buildSafetyEvidence(out, 'failover-safe', 'zh-TW');
    expect(ev.verdict).toBe(
      '拒絕容錯移轉：DB01 沒有可容錯移轉的健康複本。未移動任何資料庫；請改為提報',
    );
    expect(ev.tables[0]!.columns.map((c) => c.label)).toContain('複製佇列');
    expect(rowsOf(ev.tables[0]!)[0]!.fit).toBe('狀態 Failed');
  });
});

describe('restart guard evidence', () => {
  const afterFailover = [
    copy('DB01', 'EX01'),
    copy('DB01', 'EX02', { status: 'Mounted', active: true }),
    copy('DB01', 'EX03'),
  ];

  it('shows each condition clear and allows the restart', () => {
    const ev = buildSafetyEvidence(
      assessSafety(evidence(afterFailover), NOW),
      'restart-safe',
      'en',
    );
    expect(ev.verdict).toBe('Restart allowed: no condition holds it back');
    expect(rowsOf(ev.tables[0]!)).toEqual([
      { condition: 'Active database copies on EX01', state: 'clear', detail: 'none' },
      {
        condition: 'Other DAG members restarting, failed over or down',
        state: 'clear',
        detail: 'none',
      },
      { condition: 'Only healthy copy of a database on EX01', state: 'clear', detail: 'none' },
      { condition: 'Managed Availability recovery in progress', state: 'clear', detail: 'none' },
      {
        condition: 'Maintenance (EX01: ServerWideOffline, components)',
        state: 'clear',
        detail: 'ServerWideOffline Active',
      },
    ]);
  });

  it('says which condition holds it back: another member down', () => {
    const copies = afterFailover.map((c) =>
      c.mailboxServer === 'EX03' ? { ...c, status: 'ServiceDown' } : c,
    );
    const ev = buildSafetyEvidence(assessSafety(evidence(copies), NOW), 'restart-safe', 'en');
    expect(ev.tone).toBe('warning');
    expect(ev.verdict).toBe(
      'Restart held: Other DAG members restarting, failed over or down (EX03: down or restarting (copies ServiceDown))',
    );
    const held = ev.tables[0]!.rows.filter((r) => r.tone === 'attention');
    expect(held.map((r) => r.cells[0])).toEqual([
      'Other DAG members restarting, failed over or down',
    ]);
  });

  it('holds a restart while Managed Availability is recovering the server, and lists its actions', () => {
    const out = assessSafety(
      evidence(afterFailover, undefined, [
        recovery(1, 'Started'),
        recovery(59, 'Finished'),
        recovery(60, 'Started'),
      ]),
      NOW,
    );
    const ev = buildSafetyEvidence(out, 'restart-safe', 'en');
    expect(ev.verdict).toMatch(/^Restart held: Managed Availability recovery in progress \(/);
    expect(ev.verdict).toContain('RestartService of MSExchangePOP3BE by PopDeepTestRestart');
    const ma = ev.tables[1]!;
    expect(ma.title).toBe("Managed Availability's recovery actions on EX01, last 6 h");
    expect(rowsOf(ma).map((r) => [r.responder, r.action, r.state, r.result])).toEqual([
      ['PopDeepTestRestart', 'RestartService', 'Started', ''],
      ['PopDeepTestRestart', 'RestartService', 'Finished', 'Succeeded'],
      ['PopDeepTestRestart', 'RestartService', 'Started', ''],
    ]);
    expect(ma.rows.map((r) => r.tone)).toEqual(['warning', undefined, undefined]);
  });
});

describe('hold evidence', () => {
  it('holds changes on a server in maintenance, and says so', () => {
    const out = assessSafety(
      evidence([active, copy('DB01', 'EX02')], [member('EX01', 'Inactive'), member('EX02')]),
      NOW,
    );
    const ev = buildSafetyEvidence(out, 'no-hold', 'en');
    expect(ev.verdict).toBe('Changes held: EX01 is in maintenance (ServerWideOffline Inactive)');
    expect(rowsOf(ev.tables[0]!)[0]).toEqual({
      condition: 'Maintenance (EX01: ServerWideOffline, components)',
      state: 'holds it back',
      detail: 'ServerWideOffline Inactive',
    });
    const zh = buildSafetyEvidence(out, 'no-hold', 'zh-TW');
    expect(zh.verdict).toBe('變更暫緩：EX01 正在維護（ServerWideOffline Inactive）');
  });

  it('passes on a healthy server', () => {
    const out = assessSafety(evidence([active, copy('DB01', 'EX02')]), NOW);
    const ev = buildSafetyEvidence(out, 'no-hold', 'en');
    expect(ev.tone).toBe('good');
    expect(ev.verdict).toBe(
      'No hold: EX01 is not in maintenance and Managed Availability is not recovering it',
    );
    expect(ev.tables).toHaveLength(1);
  });
});

describe('on the incident card', () => {
  const catalog = loadCatalog();
  const all = (steps: CardStep[]): CardStep[] => steps.flatMap((s) => [s, ...all(s.steps)]);
  const result = (parsed: unknown, finishedAt: string) => ({
    jobId: `j-${finishedAt}`,
    actionId: 'get-dag-safety',
    status: 'succeeded',
    summary: 'held: …',
    durationMs: 5,
    finishedAt,
    parsed,
  });
  const runWith = (steps: RunView['steps']): RunView => ({
    id: 'RUN-1',
    incidentId: 'INC-7',
    version: 4,
    sectionId: 'pop-deep',
    status: 'waiting',
    verdict: 'confirmed',
    waitUntil: null,
    steps,
  });

  it("puts each check's evidence on its step, and annotates a held alert instead of dropping it", () => {
    const held = assessSafety(
      evidence([active, copy('DB01', 'EX02')], [member('EX01', 'Inactive'), member('EX02')]),
      NOW,
    );
    const card = buildIncidentCard({
      incident: sampleIncident(),
      catalog,
      run: runWith({
        'pop-deep/pop-deep.hold': {
          state: 'running',
          results: [result(held, '2026-11-27T03:04:00Z')],
        },
      }),
      requests: [],
      lang: 'en',
      now: NOW,
    });
    const hold = all(card.steps).find((s) => s.id === 'pop-deep.hold')!;
    expect(hold.evidence?.verdict).toBe(
      'Changes held: EX01 is in maintenance (ServerWideOffline Inactive)',
    );
    expect(all(card.steps).find((s) => s.id === 'pop-deep.precheck')?.evidence).toBeUndefined();
    expect(card.notes[0]).toBe(
      'The alert stays open and is not dropped; its changes wait while this holds: EX01 is in maintenance (ServerWideOffline Inactive).',
    );
  });

  it('shows the failover pre-check on its step, newest result first', () => {
    const before = assessSafety(evidence([active, copy('DB01', 'EX02')]), NOW);
    const now = assessSafety(evidence([active, copy('DB01', 'EX02', { status: 'Failed' })]), NOW);
    const card = buildIncidentCard({
      incident: sampleIncident(),
      catalog,
      run: runWith({
        'pop-deep/pop-deep.precheck': {
          state: 'failed',
          results: [result(before, '2026-11-27T03:01:00Z'), result(now, '2026-11-27T03:04:00Z')],
        },
      }),
      requests: [],
      lang: 'zh-TW',
      now: NOW,
    });
    const pre = all(card.steps).find((s) => s.id === 'pop-deep.precheck')!;
    expect(pre.evidence?.tone).toBe('attention');
    expect(pre.evidence?.verdict).toMatch(/^拒絕容錯移轉：DB01/);
    // Not in maintenance: no note.
    expect(card.notes.join(' ')).not.toMatch(/不會被捨棄/);
  });

  it('keeps the escalation step an escalated run ended on open, for the person who takes over', () => {
    const card = buildIncidentCard({
      incident: sampleIncident(),
      catalog,
      run: {
        ...runWith({
          'pop-deep/pop-deep.precheck': { state: 'failed', results: [] },
          'pop-deep/pop-deep.precheck-escalate': { state: 'pending', results: [], started: true },
        }),
        status: 'escalated',
      },
      requests: [],
      lang: 'en',
      now: NOW,
    });
    const escalate = all(card.steps).find((s) => s.id === 'pop-deep.precheck-escalate')!;
    expect(escalate.state).toBe('pending');
    expect(escalate.actions.map((a) => a.label)).toEqual(['Mark done']);
    // A step the run never reached is still skipped.
    expect(all(card.steps).find((s) => s.id === 'pop-deep.8')?.state).toBe('skipped');
  });
});
