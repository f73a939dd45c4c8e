import { parseOutput, parseJsonRows, splitHostMessages } from '.';

describe('parseJsonRows', () => {
  it('reads nothing as zero rows, an object as one row, an array as many', () => {
    expect(parseJsonRows('')).toEqual({ ok: true, value: [] });
    expect(parseJsonRows('\r\n')).toEqual({ ok: true, value: [] });
    expect(parseJsonRows('{"a":1}')).toEqual({ ok: true, value: [{ a: 1 }] });
    expect(parseJsonRows('[{"a":1},{"a":2}]')).toEqual({ ok: true, value: [{ a: 1 }, { a: 2 }] });
  });

  it('sets aside WARNING/VERBOSE lines PowerShell writes to stdout', () => {
    const raw =
      'WARNING: Changes to POP3 settings will only take effect after all Microsoft Exchange POP3 services are restarted on server EX01.\r\n{"a":1}';
    expect(parseJsonRows(raw)).toEqual({ ok: true, value: [{ a: 1 }] });
    expect(splitHostMessages(raw).messages).toHaveLength(1);
  });

  it('keeps the raw text on bad output', () => {
    const r = parseJsonRows('Name : x\n{"a":1}');
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-json' } });
    if (!r.ok) expect(r.error.raw).toBe('Name : x\n{"a":1}');
    expect(parseJsonRows('42')).toMatchObject({ ok: false, error: { code: 'unexpected-shape' } });
  });
});

describe('parseOutput', () => {
  it('server health: monitors and the unhealthy ones', () => {
    const raw = JSON.stringify([
      {
        Server: 'EX01',
        CurrentHealthSetState: 'NotApplicable',
        Name: 'PopDeepTestMonitor',
        TargetResource: 'MSExchangePOP3BE',
        HealthSetName: 'POP.Protocol',
        AlertValue: 'Unhealthy',
        LastTransitionTime: '/Date(1700000000000)/',
        ServerComponentName: 'None',
      },
      { Name: 'PopSelfTestMonitor', HealthSetName: 'POP.Protocol', AlertValue: 'Healthy' },
    ]);
    const r = parseOutput('get-server-health', raw);
    expect(
      r.ok && r.value.kind === 'server-health' && r.value.unhealthy.map((m) => m.name),
    ).toEqual(['PopDeepTestMonitor']);
    expect(
      r.ok && r.value.kind === 'server-health' && r.value.monitors[0]!.lastTransitionTime,
    ).toBe('2023-11-14T22:13:20.000Z');
    expect(parseOutput('get-server-health', '')).toEqual({
      ok: true,
      value: { kind: 'server-health', monitors: [], unhealthy: [] },
    });
  });

  it('probe: a single object, Succeeded or Failed with the error', () => {
    const failed = parseOutput(
      'invoke-monitoring-probe',
      '{"MonitorIdentity":"POP.Protocol\\\\PopDeepTestProbe","ResultType":"Failed","Error":"timed out","Exception":""}',
    );
    expect(failed).toMatchObject({
      ok: true,
      value: { kind: 'probe', resultType: 'Failed', error: 'timed out' },
    });
    const ok = parseOutput('invoke-monitoring-probe', '{"ResultType":"Succeeded","Error":null}');
    expect(ok).toMatchObject({ ok: true, value: { resultType: 'Succeeded', error: null } });
    expect(parseOutput('invoke-monitoring-probe', '')).toMatchObject({
      ok: false,
      error: { code: 'empty-output' },
    });
  });

  it('copy status: which copies are active', () => {
    const raw = JSON.stringify([
      {
        DatabaseName: 'DB01',
        Status: 'Mounted',
        MailboxServer: 'EX01',
        ActiveDatabaseCopy: 'ex01',
      },
      {
        DatabaseName: 'DB02',
        Status: 'Healthy',
        MailboxServer: 'EX01',
        ActiveDatabaseCopy: 'ex02',
      },
    ]);
    expect(parseOutput('get-mailbox-database-copy-status', raw)).toMatchObject({
      ok: true,
      value: { anyActive: true, activeDatabases: ['DB01'] },
    });
    const none = parseOutput(
      'get-mailbox-database-copy-status',
      '{"DatabaseName":"DB01","Status":"Healthy","MailboxServer":"EX01","ActiveDatabaseCopy":"ex02"}',
    );
    expect(none).toMatchObject({ ok: true, value: { anyActive: false, activeDatabases: [] } });
  });

  it('POP settings, connectivity, service status, boot time', () => {
    expect(
      parseOutput(
        'get-pop-settings',
        '{"Server":"EX01","ProtocolLogEnabled":false,"LogFileLocation":"C:\\\\Logging\\\\Pop3"}',
      ),
    ).toMatchObject({
      ok: true,
      value: { settings: { protocolLogEnabled: false, logFileLocation: 'C:\\Logging\\Pop3' } },
    });
    expect(
      parseOutput(
        'test-pop-connectivity',
        '{"ClientAccessServer":"EX01","Result":"Success","Latency":{"TotalMilliseconds":12.5}}',
      ),
    ).toMatchObject({ ok: true, value: { succeeded: true, results: [{ latencyMs: 12.5 }] } });
    expect(
      parseOutput('test-pop-connectivity', '{"Result":"Failure","Latency":"00:00:01.5000000"}'),
    ).toMatchObject({ ok: true, value: { succeeded: false, results: [{ latencyMs: 1500 }] } });
    expect(
      parseOutput(
        'restart-service',
        '{"Name":"MSExchangePOP3BE","Status":4}',
        'get-service-status',
      ),
    ).toEqual({
      ok: true,
      value: {
        kind: 'change',
        after: { kind: 'service-status', name: 'MSExchangePOP3BE', status: 'Running' },
      },
    });
    expect(
      parseOutput('get-boot-time', '{"CSName":"EX01","LastBootUpTime":"2026-11-26T10:00:00Z"}'),
    ).toMatchObject({
      ok: true,
      value: { server: 'EX01', lastBootUpTime: '2026-11-26T10:00:00Z' },
    });
  });

  it('gives a typed error, with the raw text, for the wrong shape', () => {
    const r = parseOutput('get-pop-settings', '[{"Server":"A"},{"Server":"B"}]');
    expect(r).toMatchObject({ ok: false, error: { code: 'unexpected-shape' } });
    const s = parseOutput('get-mailbox-database-copy-status', '{"Status":"Mounted"}');
    expect(s).toMatchObject({
      ok: false,
      error: { code: 'unexpected-shape', raw: '{"Status":"Mounted"}' },
    });
  });
});
