import { parseCommand } from './commands';

test.each([
  ['', { name: 'help' }],
  ['help', { name: 'help' }],
  ['health EX01', { name: 'health', server: 'EX01' }],
  [
    'HEALTH ex01.contoso.com POP.Protocol',
    { name: 'health', server: 'ex01.contoso.com', healthSet: 'POP.Protocol' },
  ],
  [
    'probe EX01 POP\\PopCTPProbe',
    { name: 'probe', server: 'EX01', healthSet: 'POP', probe: 'PopCTPProbe' },
  ],
  [
    'probe EX01 POP.Protocol/PopDeepTestProbe',
    { name: 'probe', server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' },
  ],
  ['runbook PopCTPMonitor', { name: 'runbook', query: 'PopCTPMonitor' }],
  ['incidents', { name: 'incidents' }],
  ['incident inc-12', { name: 'incident', id: 'INC-12' }],
  ['jobs', { name: 'jobs' }],
  ['audit', { name: 'audit' }],
  ['audit INC-3', { name: 'audit', subject: 'INC-3' }],
  ['audit EX02', { name: 'audit', subject: 'EX02' }],
  ['workers', { name: 'workers' }],
  ['lang zh-tw', { name: 'lang', lang: 'zh-TW' }],
])('parses %p', (text, command) => {
  expect(parseCommand(text)).toEqual({ ok: true, command });
});

test.each([
  ['health', /server name is missing/, 'health <server> [health-set]'],
  ["health EX01';Restart-Computer", /not a valid host name/, 'health <server> [health-set]'],
  ['health EX01 $(evil)', /health set .* is not valid/, 'health <server> [health-set]'],
  ['probe EX01', /probe is missing/, 'probe <server> <HealthSet\\Probe>'],
  ['probe EX01 PopCTPProbe', /HealthSet\\Probe/, 'probe <server> <HealthSet\\Probe>'],
  ['probe EX01 POP\\Pop`CTP', /not a valid/, 'probe <server> <HealthSet\\Probe>'],
  ['incident 12', /not an incident id/, 'incident <id>'],
  ['incidents now', /too many arguments/, 'incidents'],
  ['lang fr', /choose one of/, 'lang en|zh-TW'],
  ['runbook', /say which/, 'runbook <monitor|probe|health-set>'],
  ['runbook a;b', /not a monitor/, 'runbook <monitor|probe|health-set>'],
])('refuses %p with a usage line', (text, error, usage) => {
  const r = parseCommand(text);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error).toMatch(error);
  expect(r.usage).toBe(usage);
});

test('an unknown command has no usage line of its own (the caller shows help)', () => {
  expect(parseCommand('reboot-everything')).toEqual({
    ok: false,
    error: 'unknown command "reboot-everything"',
    usage: null,
  });
});

test('echoed input is clipped', () => {
  const r = parseCommand(`incident ${'x'.repeat(500)}`);
  expect(!r.ok && r.error.length).toBeLessThan(120);
});
