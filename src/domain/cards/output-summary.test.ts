import { parseOutput, type ActionId, type ActionOutput } from '../actions';
import { describeOutput } from './output-summary';

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

const FOUR_ON_EX02 = [
  copy('DB01', 'EX02', 'Healthy', 'ex01'),
  copy('DB02', 'EX02', 'Healthy', 'ex03'),
  copy('DB03', 'EX02', 'Healthy', 'ex01'),
  copy('DB04', 'EX02', 'Healthy', 'ex04'),
];

describe('describeOutput: a change says what changed', () => {
  it('a service restart: its state and when', () => {
    const line = describeOutput(
      {
        actionId: 'restart-service',
        params: { server: 'EX01', service: 'MSExchangePOP3BE' },
        parsed: parsed(
          'restart-service',
          { Name: 'MSExchangePOP3BE', Status: 'Running' },
          'get-service-status',
        ),
        finishedAt: '2026-12-01T07:49:11.123Z',
      },
      'en',
    );
    expect(line).toBe('MSExchangePOP3BE Running, restarted 07:49:11Z');
  });

  it('a fail-over: activation blocked, and how many copies are still active on the server', () => {
    const input = (rows: unknown) => ({
      actionId: 'move-active-databases-off',
      params: { server: 'EX02' },
      parsed: parsed('move-active-databases-off', rows, 'get-mailbox-database-copy-status'),
    });
    expect(describeOutput(input(FOUR_ON_EX02), 'en')).toBe(
      'activation blocked; active copies on EX02: 0 of 4',
    );
    const oneLeft = [...FOUR_ON_EX02.slice(0, 3), copy('DB04', 'EX02', 'Mounted', 'ex02')];
    expect(describeOutput(input(oneLeft), 'en')).toBe(
      'activation blocked; active copies on EX02: 1 of 4; active now: DB04 on ex02',
    );
    expect(describeOutput(input(FOUR_ON_EX02), 'zh-TW')).toBe(
      '已封鎖啟用；EX02 上的使用中複本：0 / 4',
    );
  });

  it('a fail-back: where each database is active now', () => {
    const rows = [copy('DB01', 'EX02', 'Mounted', 'ex02'), copy('DB02', 'EX02', 'Healthy', 'ex03')];
    expect(
      describeOutput(
        {
          actionId: 'allow-database-activation',
          params: { server: 'EX02' },
          parsed: parsed('allow-database-activation', rows, 'get-mailbox-database-copy-status'),
        },
        'en',
      ),
    ).toBe(
      'activation allowed again; active copies on EX02: 1 of 2; active now: DB01 on ex02, DB02 on ex03',
    );
    expect(
      describeOutput(
        {
          actionId: 'move-preferred-databases-back',
          params: { server: 'EX02' },
          parsed: parsed('move-preferred-databases-back', rows, 'get-mailbox-database-copy-status'),
        },
        'zh-TW',
      ),
    ).toContain('目前使用中：DB01 在 ex02, DB02 在 ex03');
    expect(
      describeOutput(
        {
          actionId: 'move-active-database',
          params: { server: 'EX02', database: 'DB01' },
          parsed: parsed('move-active-database', rows, 'get-mailbox-database-copy-status'),
        },
        'en',
      ),
    ).toBe('DB01 is active on ex02 now');
  });

  it('protocol logging and a server restart', () => {
    expect(
      describeOutput(
        {
          actionId: 'set-imap-protocol-log',
          params: { server: 'EX01', enabled: true },
          parsed: parsed(
            'set-imap-protocol-log',
            { Server: 'EX01', ProtocolLogEnabled: true },
            'get-imap-settings',
          ),
        },
        'en',
      ),
    ).toBe('EX01: IMAP protocol logging on');
    expect(
      describeOutput(
        {
          actionId: 'restart-server',
          params: { server: 'EX01' },
          parsed: parsed(
            'restart-server',
            { CSName: 'EX01', LastBootUpTime: '2026-12-01T07:52:03Z' },
            'get-boot-time',
          ),
        },
        'zh-TW',
      ),
    ).toBe('EX01 已重新啟動，自 2026-12-01 07:52:03Z 起運作');
  });

  it('reads are put in words in the card language; nothing parsed gives null', () => {
    const health = parsed('get-server-health', [
      { Name: 'PopDeepTestMonitor', HealthSetName: 'POP', AlertValue: 'Unhealthy' },
      { Name: 'PopSelfTestMonitor', HealthSetName: 'POP', AlertValue: 'Healthy' },
    ]);
    expect(describeOutput({ actionId: 'get-server-health', parsed: health }, 'en')).toBe(
      '1 unhealthy: PopDeepTestMonitor',
    );
    expect(describeOutput({ actionId: 'get-server-health', parsed: health }, 'zh-TW')).toBe(
      '1 個狀況不良：PopDeepTestMonitor',
    );
    expect(describeOutput({ actionId: 'get-server-health' }, 'en')).toBeNull();
    expect(
      describeOutput({ actionId: 'get-dag-safety', parsed: { kind: 'dag-safety' } }, 'en'),
    ).toBeNull();
  });
});
