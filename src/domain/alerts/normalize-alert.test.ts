import { commandChannelAlert, ps51Alert, ps7Alert } from '../../../test/fixtures/scom-alerts';
import { normalizeAlert } from './normalize-alert';

const opts = { timeZone: 'UTC' };

function ok(input: unknown, options = opts) {
  const r = normalizeAlert(input, options);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.alert;
}

function errorsOf(input: unknown) {
  const r = normalizeAlert(input, opts);
  if (r.ok) throw new Error('expected errors');
  return r;
}

describe('normalizeAlert: the shapes SCOM sends', () => {
  test('Windows PowerShell 5.1 Get-SCOMAlert JSON: subject in Description, numeric enums, /Date()/', () => {
    const a = ok(ps51Alert());
    expect(a).toMatchObject({
      id: '6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b',
      healthSet: 'POP.Protocol',
      monitor: 'PopDeepTestMonitor',
      targetResource: 'MSExchangePOP3BE',
      severity: 'error',
      priority: 'normal',
      state: 'new',
      resolutionState: 0,
      raisedAt: '2024-05-14T11:12:33.000Z',
      repeatCount: 0,
      actionable: true,
    });
    expect(a.server).toEqual({
      name: 'EX01.contoso.com',
      fqdn: 'ex01.contoso.com',
      short: 'EX01',
      valid: true,
    });
    expect(a.failureText).toMatch(/^Pop3 deep test probe failed/);
    // Unknown fields are kept, never an error.
    expect(a.raw.NetbiosDomainName).toBe('CONTOSO');
  });

  test('PowerShell 7 JSON: subject in Name, ISO times, related mailbox server from _Mbx', () => {
    const a = ok(ps7Alert());
    expect(a).toMatchObject({
      healthSet: 'POP',
      monitor: 'PopCTPMonitor',
      targetResource: 'POP',
      priority: 'high',
    });
    expect(a.server?.short).toBe('EXCAS01');
    expect(a.relatedServer).toMatchObject({
      name: 'EXMBX02.contoso.com',
      valid: true,
      short: 'EXMBX02',
    });
    expect(a.raisedAt).toBe('2024-05-14T11:12:33.123Z');
  });

  test('command channel camelCase: braces around the id, strings for numbers, local times', () => {
    const a = ok(commandChannelAlert(), { timeZone: 'America/New_York' });
    expect(a.id).toBe('a1b2c3d4-e5f6-4789-abcd-ef0123456789');
    expect(a).toMatchObject({
      healthSet: 'POP',
      monitor: 'AverageCommandProcessingTimeGt60sMonitor',
      severity: 'error',
      state: 'new',
    });
    expect(a.server?.short).toBe('EX02');
    // 11:12:33 AM in New York in May is 15:12:33 UTC (EDT, UTC-4).
    expect(a.raisedAt).toBe('2024-05-14T15:12:33.000Z');
  });

  test('field names are case-insensitive', () => {
    const a = ok({
      ID: '{ABC-1}',
      NAME: 'POP health set unhealthy (PopCTPMonitor/POP) - x',
      PRINCIPALNAME: 'ex9',
    });
    expect(a).toMatchObject({ id: 'abc-1', monitor: 'PopCTPMonitor' });
    expect(a.server?.short).toBe('EX9');
  });

  test.each([
    ['Information', 'information'],
    ['warning', 'warning'],
    ['Critical', 'error'],
    [0, 'information'],
    [1, 'warning'],
    ['2', 'error'],
  ])('severity %p is %p', (severity, expected) => {
    expect(ok(ps51Alert({ Severity: severity })).severity).toBe(expected);
  });

  test.each([
    [0, 'new', 0],
    [249, 'acknowledged', 249],
    [254, 'resolved', 254],
    [255, 'closed', 255],
    [248, 'other', 248],
    ['Closed', 'closed', 255],
    ['Resolved', 'resolved', 254],
    ['Awaiting Evidence', 'other', null],
  ])('resolution state %p is %p', (value, state, code) => {
    expect(ok(ps51Alert({ ResolutionState: value }))).toMatchObject({
      state,
      resolutionState: code,
    });
  });

  test.each([
    ['/Date(1715685153000)/', '2024-05-14T11:12:33.000Z'],
    ['/Date(1715685153000+0200)/', '2024-05-14T11:12:33.000Z'],
    ['2024-05-14T13:12:33+02:00', '2024-05-14T11:12:33.000Z'],
    ['5/14/2024 11:12:33 AM', '2024-05-14T11:12:33.000Z'],
    ['12/1/2024 1:02:03 PM', '2024-12-01T13:02:03.000Z'],
  ])('time %p reads as %p', (value, iso) => {
    expect(ok(ps51Alert({ TimeRaised: value })).raisedAt).toBe(iso);
  });

  test('the same payload with keys in another order has the same fingerprint', () => {
    const a = ps51Alert();
    const reversed = Object.fromEntries(Object.entries(a).reverse());
    expect(ok(reversed).fingerprint).toBe(ok(a).fingerprint);
    expect(ok(ps51Alert({ RepeatCount: 1 })).fingerprint).not.toBe(ok(a).fingerprint);
  });

  test('an alert with no escalation subject is kept with unknown health set', () => {
    const a = ok(ps51Alert({ Name: 'Something else', Description: 'Disk is full' }));
    expect(a.healthSet).toBeNull();
    expect(a.monitor).toBeNull();
  });
});

describe('normalizeAlert: bad input is refused with the field and the reason', () => {
  test('not an object', () => {
    expect(errorsOf('hello').errors).toEqual([
      { field: '(alert)', reason: 'must be a JSON object' },
    ]);
    expect(errorsOf([1]).errors[0]?.field).toBe('(alert)');
    expect(errorsOf(null).errors[0]?.field).toBe('(alert)');
  });

  test('missing id', () => {
    const { Id: _omit, ...noId } = ps51Alert();
    const r = errorsOf(noId);
    expect(r.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    expect(r.errors[0]?.reason).toMatch(/required/);
  });

  test('wrong types name the field as the sender spelled it', () => {
    const r = errorsOf(ps51Alert({ Severity: { a: 1 }, RepeatCount: 'many', Name: 42 }));
    const fields = r.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['Name', 'RepeatCount', 'Severity']);
    expect(r.alertId).toBe('6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b');
  });

  test('unknown severity and out-of-range resolution state', () => {
    expect(errorsOf(ps51Alert({ Severity: 'Apocalyptic' })).errors[0]?.reason).toMatch(
      /not a known severity/,
    );
    expect(errorsOf(ps51Alert({ ResolutionState: 300 })).errors[0]?.reason).toMatch(/0 to 255/);
  });

  test('a 10,000-character Name is refused; a long Description is fine', () => {
    expect(errorsOf(ps51Alert({ Name: 'x'.repeat(10_000) })).errors[0]).toEqual({
      field: 'Name',
      reason: 'is longer than 1024 characters',
    });
    expect(ok(ps51Alert({ Description: 'y'.repeat(10_000) })).description).toHaveLength(10_000);
    expect(errorsOf(ps51Alert({ Description: 'y'.repeat(70_000) })).errors[0]?.field).toBe(
      'Description',
    );
  });

  test('control characters are refused; tabs and line breaks are not', () => {
    expect(errorsOf(ps51Alert({ Name: 'POP\u0000' })).errors[0]?.reason).toBe(
      'contains control characters',
    );
    expect(errorsOf(ps51Alert({ Description: 'a\u001b[31mred' })).errors[0]?.field).toBe(
      'Description',
    );
    expect(ok(ps51Alert({ Description: 'a\tb\r\nc' })).description).toBe('a\tb\r\nc');
  });

  test('a bad time is refused', () => {
    expect(errorsOf(ps51Alert({ TimeRaised: 'yesterday' })).errors[0]).toMatchObject({
      field: 'TimeRaised',
    });
  });

  test('an id with spaces or quotes is refused', () => {
    expect(errorsOf(ps51Alert({ Id: "abc'; drop" })).errors[0]?.field).toBe('Id');
  });
});

describe('hostile server names are stored but never actionable', () => {
  test.each([
    'EX01;Restart-Computer',
    "EX01' -Force",
    '$(calc)',
    'EX01\nEX02',
    'EX01\u2019; Stop-Service',
    'EX01 EX02',
    '-EX01',
    '12345',
  ])('%p', (name) => {
    const a = ok(ps51Alert({ PrincipalName: name }));
    expect(a.server?.valid).toBe(false);
    expect(a.server?.reason).toMatch(/server/);
    expect(a.actionable).toBe(false);
  });

  test('a hostile _Mbx name is marked invalid too', () => {
    const a = ok(
      ps7Alert({ Name: 'POP health set unhealthy', Description: 'failed _Mbx: EXMBX02;calc' }),
    );
    expect(a.relatedServer?.valid).toBe(false);
  });

  test('a valid NetBIOS or DNS name is actionable', () => {
    expect(ok(ps51Alert({ PrincipalName: 'ex-01' })).actionable).toBe(true);
    expect(ok(ps51Alert({ PrincipalName: 'EX01.corp.contoso.com.' })).server?.fqdn).toBe(
      'ex01.corp.contoso.com',
    );
  });
});
