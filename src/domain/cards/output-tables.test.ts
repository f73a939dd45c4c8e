import { parseOutput, type ActionId, type ActionOutput } from '../actions';
import { LANGS } from '../runbooks/text';
import { assessSafety } from '../safety/dag-safety';
import { MAX_TABLE_ROWS, outputTables } from './output-tables';

function parsed(actionId: ActionId, rows: unknown, followUp?: ActionId): ActionOutput {
  const r = parseOutput(actionId, JSON.stringify(rows), followUp);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const copy = (db: string, server: string, status: string, active: string, over = {}) => ({
  DatabaseName: db,
  Status: status,
  MailboxServer: server,
  ActiveDatabaseCopy: active,
  CopyQueueLength: 0,
  ReplayQueueLength: 3,
  ContentIndexState: 'Healthy',
  ...over,
});

describe('outputTables', () => {
  it('server health: monitor, health set, alert value, state; unhealthy rows first and marked', () => {
    const out = parsed('get-server-health', [
      { Name: 'PopSelfTestMonitor', HealthSetName: 'POP', AlertValue: 'Healthy' },
      {
        Name: 'PopDeepTestMonitor',
        HealthSetName: 'POP.Protocol',
        AlertValue: 'Unhealthy',
        CurrentHealthSetState: 'NotApplicable',
        LastTransitionTime: '/Date(1700000000000)/',
      },
    ]);
    const [table] = outputTables(out, 'en');
    expect(table?.title).toBe('Server health');
    expect(table?.columns.map((c) => c.label)).toEqual([
      'Monitor',
      'Health set',
      'Alert value',
      'State',
      'Last change',
    ]);
    expect(table?.rows[0]).toEqual({
      cells: [
        'PopDeepTestMonitor',
        'POP.Protocol',
        'Unhealthy',
        'NotApplicable',
        '2023-11-14 22:13:20Z',
      ],
      tone: 'attention',
    });
    expect(table?.rows[1]?.cells.slice(0, 3)).toEqual(['PopSelfTestMonitor', 'POP', 'Healthy']);
    expect(table?.rows[1]?.tone).toBeUndefined();
  });

  it('headers are localized, values stay as Exchange prints them', () => {
    const out = parsed('get-server-health', [
      { Name: 'PopDeepTestMonitor', HealthSetName: 'POP', AlertValue: 'Unhealthy' },
    ]);
    const [table] = outputTables(out, 'zh-TW');
    expect(table?.title).toBe('伺服器健康狀態');
    expect(table?.columns.map((c) => c.label)).toContain('警示值');
    expect(table?.rows[0]?.cells).toContain('Unhealthy');
  });

  it('database copies: database, status, copy and replay queue (right-aligned), active copy, content index', () => {
    const out = parsed('get-mailbox-database-copy-status', [
      copy('DB01', 'EX01', 'Mounted', 'ex01'),
      copy('DB02', 'EX01', 'FailedAndSuspended', 'ex02', {
        CopyQueueLength: 212,
        ContentIndexState: 'Failed',
      }),
    ]);
    const [table] = outputTables(out, 'en');
    expect(table?.columns.map((c) => c.key)).toEqual([
      'database',
      'status',
      'copyQueue',
      'replayQueue',
      'activeCopy',
      'contentIndex',
    ]);
    expect(table?.columns.find((c) => c.key === 'copyQueue')?.align).toBe('right');
    expect(table?.rows[0]?.cells).toEqual(['DB01', 'Mounted', '0', '3', 'ex01', 'Healthy']);
    expect(table?.rows[1]).toMatchObject({
      cells: ['DB02', 'FailedAndSuspended', '212', '3', 'ex02', 'Failed'],
      tone: 'attention',
    });
  });

  it('copies on several servers get a server column; ActivationSuspended shows as True/False', () => {
    const out = parsed('get-database-copies', [
      copy('DB01', 'EX01', 'Mounted', 'ex01', { ActivationSuspended: false }),
      copy('DB01', 'EX02', 'Healthy', 'ex01', { ActivationSuspended: true }),
    ]);
    const [table] = outputTables(out, 'en');
    expect(table?.columns.map((c) => c.key)).toContain('server');
    expect(table?.rows[1]?.cells).toEqual([
      'DB01',
      'EX02',
      'Healthy',
      '0',
      '3',
      'ex01',
      'Healthy',
      'True',
    ]);
  });

  it('a probe, a service, component states and the activation policy each make a table', () => {
    const probe = outputTables(
      parsed('invoke-monitoring-probe', {
        MonitorIdentity: 'POP.Protocol\\PopSelfTestProbe',
        ResultType: 'Failed',
        Error: 'timed out',
      }),
      'en',
    );
    expect(probe[0]).toMatchObject({
      title: 'Probe result',
      rows: [{ cells: ['POP.Protocol\\PopSelfTestProbe', 'Failed', '', '', 'timed out'] }],
    });
    expect(probe[0]?.rows[0]?.tone).toBe('attention');

    const service = outputTables(
      parsed('get-service-status', { Name: 'MSExchangePOP3BE', Status: 1 }),
      'en',
    );
    expect(service[0]?.rows[0]).toEqual({
      cells: ['MSExchangePOP3BE', 'Stopped'],
      tone: 'warning',
    });

    const components = outputTables(
      parsed('get-server-component-state', [
        { Identity: 'EX01', Component: 'HubTransport', State: 'Active' },
        { Identity: 'EX01', Component: 'ServerWideOffline', State: 'Inactive' },
      ]),
      'en',
    );
    expect(components[0]?.rows.map((r) => r.cells[1])).toEqual([
      'ServerWideOffline',
      'HubTransport',
    ]);

    const mailbox = outputTables(
      parsed('get-mailbox-server', {
        Name: 'EX02',
        DatabaseAvailabilityGroup: 'DAG1',
        DatabaseCopyAutoActivationPolicy: 'Blocked',
        DatabaseCopyActivationDisabledAndMoveNow: true,
      }),
      'en',
    );
    expect(mailbox[0]?.rows[0]?.cells).toEqual(['EX02', 'DAG1', 'Blocked', 'True']);
  });

  it('every read action with a parser gives a table with one label per column, in every language', () => {
    const samples: [ActionId, unknown][] = [
      ['get-health-report', { HealthSet: 'POP', AlertValue: 'Healthy', MonitorCount: 7 }],
      ['get-pop-settings', { Server: 'EX01', ProtocolLogEnabled: true }],
      ['test-imap-connectivity', { Result: 'Success', Latency: 12.4, Scenario: 'Login' }],
      ['get-boot-time', { CSName: 'EX01', LastBootUpTime: '2026-11-26T10:00:00Z' }],
      [
        'get-managed-availability-recoveries',
        [{ TimeCreated: '2026-11-26T10:00:00Z', Message: 'ActionId: RestartService' }],
      ],
    ];
    for (const lang of LANGS) {
      for (const [id, rows] of samples) {
        const tables = outputTables(parsed(id, rows), lang);
        expect(tables).toHaveLength(1);
        for (const table of tables) {
          expect(table.title).toBeTruthy();
          for (const c of table.columns) expect(c.label).toBeTruthy();
          for (const r of table.rows) expect(r.cells).toHaveLength(table.columns.length);
        }
      }
    }
  });

  it('a change shows the state its follow-up read found', () => {
    const out = parsed(
      'restart-service',
      { Name: 'MSExchangePOP3BE', Status: 4 },
      'get-service-status',
    );
    expect(outputTables(out, 'en')[0]?.rows[0]?.cells).toEqual(['MSExchangePOP3BE', 'Running']);
  });

  it('keeps at most MAX_TABLE_ROWS rows and counts the rest', () => {
    const many = Array.from({ length: MAX_TABLE_ROWS + 7 }, (_, i) => ({
      Name: `Monitor${i}`,
      AlertValue: 'Healthy',
    }));
    const [table] = outputTables(parsed('get-server-health', many), 'en');
    expect(table?.rows).toHaveLength(MAX_TABLE_ROWS);
    expect(table?.omittedRows).toBe(7);
  });

  it("a DAG safety pre-check shows its copies, the members' components and the recoveries", () => {
    const copies = parsed('get-database-copies', [
      copy('DB01', 'EX01', 'Mounted', 'ex01'),
      copy('DB01', 'EX02', 'Healthy', 'ex01'),
    ]);
    const components = parsed('get-server-component-state', [
      { Identity: 'EX02', Component: 'ServerWideOffline', State: 'Inactive' },
    ]);
    const out = assessSafety(
      {
        server: 'EX01',
        gatheredAt: '2026-12-01T07:40:00.000Z',
        copies: copies.kind === 'copy-status' ? copies.copies : null,
        members: [
          {
            name: 'EX02',
            components: components.kind === 'component-state' ? components.components : null,
            mailbox: null,
          },
        ],
        recoveries: [],
        errors: [],
      },
      new Date('2026-12-01T07:41:00.000Z'),
    );
    const tables = outputTables(out, 'en');
    expect(tables.map((tb) => tb.title)).toEqual(['Database copies', 'Server component states']);
    expect(tables[0]?.rows).toHaveLength(2);
    expect(tables[1]?.rows[0]).toMatchObject({
      cells: ['EX02', 'ServerWideOffline', 'Inactive'],
      tone: 'warning',
    });
  });

  it('nothing parsed, or an unknown shape, gives no table and does not throw', () => {
    expect(outputTables(undefined, 'en')).toEqual([]);
    expect(outputTables({ kind: 'copy-status' }, 'en')).toEqual([]);
    expect(outputTables('text', 'en')).toEqual([]);
  });
});
