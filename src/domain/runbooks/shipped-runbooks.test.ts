import { buildCommand } from '../actions/registry';
import { toServerRef } from '../alerts/host-name';
import type { BindingContext } from './bindings';
import { flattenSteps, type Catalog, type SectionDef, type StepDef } from './catalog';
import { loadCatalog } from '../../infra/files/load-catalog';
import { matchRunbook } from './match-runbook';
import { SERVER_ROLES } from './schema';
import { buildStepCommands } from './step-commands';
import type { LocalizedText } from './text';

const catalog: Catalog = loadCatalog();

/** The seed's steps only: steps beyond the seed (marked so) are checked on their own below. */
const seedSteps = (steps: readonly StepDef[]): StepDef[] =>
  steps.filter((s) => !s.beyondSeed).map((s) => ({ ...s, steps: seedSteps(s.steps) }));

function section(id: string): SectionDef {
  const s = catalog.sections.get(id);
  if (!s) throw new Error(`no section ${id}`);
  return { ...s, steps: seedSteps(s.steps) };
}

function fullSection(id: string): SectionDef {
  const s = catalog.sections.get(id);
  if (!s) throw new Error(`no section ${id}`);
  return s;
}

const kinds = (steps: StepDef[]) => steps.map((s) => s.kind);
const step = (sectionId: string, stepId: string): StepDef => {
  const found = flattenSteps(section(sectionId).steps).find((s) => s.id === stepId);
  if (!found) throw new Error(`no step ${stepId}`);
  return found;
};

const ctx = (over: Partial<BindingContext> = {}): BindingContext => ({
  server: toServerRef('EX01.contoso.com'),
  relatedServer: toServerRef('MBX01.contoso.com'),
  healthSet: 'POP',
  probe: { name: 'PopCTPProbe', healthSet: 'POP' },
  roles: null,
  ...over,
});

describe('the POP runbook follows the seed step for step', () => {
  it('has the three health sets, four probes and five monitors of the seed table', () => {
    const pop = catalog.healthSets.filter((h) => h.runbookId === 'pop').map((h) => h.name);
    expect(pop).toEqual(['POP', 'POP.Proxy', 'POP.Protocol']);
    const probes = catalog.probes.filter((p) => p.runbookId === 'pop');
    expect(probes.map((p) => [p.name, p.healthSet, p.dependencies.length])).toEqual([
      ['PopCTPProbe', 'POP', 6],
      ['PopProxyTestProbe', 'POP.Proxy', 0],
      ['PopDeepTestProbe', 'POP.Protocol', 4],
      ['PopSelfTestProbe', 'POP.Protocol', 0],
    ]);
    const monitors = catalog.monitors.filter((m) => m.runbookId === 'pop');
    expect(monitors.map((m) => [m.name, m.probe, m.section])).toEqual([
      ['PopCTPMonitor', 'PopCTPProbe', 'pop-ctp'],
      ['PopProxyTestMonitor', 'PopProxyTestProbe', 'pop-proxy'],
      ['PopDeepTestMonitor', 'PopDeepTestProbe', 'pop-deep'],
      ['PopSelfTestMonitor', 'PopSelfTestProbe', 'pop-deep'],
      ['AverageCommandProcessingTimeGt60sMonitor', 'PopSelfTestProbe', 'pop-60s'],
    ]);
  });

  it('verify: identify, then 4 sub-steps ending in the recovery sections', () => {
    const s = section('pop-verify');
    expect(kinds(s.steps)).toEqual(['check', 'check']);
    expect(kinds(s.steps[1]?.steps ?? [])).toEqual(['check', 'check', 'check', 'goto']);
    const rerun = step('pop-verify', 'pop-verify.2.3');
    expect(rerun.action).toBe('invoke-monitoring-probe');
    expect(rerun.params).toEqual({
      server: { from: 'server' },
      healthSet: { from: 'probeHealthSet' },
      probe: { from: 'probe' },
    });
    expect(step('pop-verify', 'pop-verify.2.4').when).toEqual([
      { step: 'pop-verify.2.3', outcome: 'failed' },
    ]);
  });

  it('PopDeepTestMonitor / PopSelfTestMonitor: 8 steps', () => {
    const s = section('pop-deep');
    expect(s.steps.map((x) => x.number)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(kinds(s.steps)).toEqual([
      'change',
      'check',
      'destructive',
      'check',
      'destructive',
      'check',
      'change',
      'manual',
    ]);
    expect(s.steps.map((x) => x.action)).toEqual([
      'restart-service',
      'invoke-monitoring-probe',
      'move-active-databases-off',
      'get-mailbox-database-copy-status',
      'restart-server',
      'invoke-monitoring-probe',
      'allow-database-activation',
      undefined,
    ]);
    expect(step('pop-deep', 'pop-deep.1').params.service).toBe('MSExchangePOP3BE');
    // "repeat until the server hosts no active database copy", bounded
    expect(step('pop-deep', 'pop-deep.4')).toMatchObject({
      expect: 'no-active-database-copy',
      repeat: { until: 'succeeded', maxAttempts: 30, intervalSeconds: 60 },
    });
    expect(step('pop-deep', 'pop-deep.5').when).toEqual([
      { step: 'pop-deep.4', outcome: 'succeeded' },
      // Beyond the seed: the restart guard.
      { step: 'pop-deep.guard', outcome: 'succeeded' },
    ]);
  });

  it('PopCTPMonitor: 8 steps, step 3 with 6 sub-steps', () => {
    const s = section('pop-ctp');
    expect(kinds(s.steps)).toEqual([
      'change',
      'check',
      'change',
      'destructive',
      'check',
      'change',
      'change',
      'manual',
    ]);
    const three = s.steps[2];
    expect(three?.steps.map((x) => x.number)).toEqual(['3.1', '3.2', '3.3', '3.4', '3.5', '3.6']);
    expect(kinds(three?.steps ?? [])).toEqual([
      'change',
      'change',
      'check',
      'check',
      'check',
      'goto',
    ]);
    expect(step('pop-ctp', 'pop-ctp.3.5').params.server).toEqual({ from: 'relatedServer' });
    expect(step('pop-ctp', 'pop-ctp.3.6').goto).toEqual({
      section: 'pop-deep',
      server: 'relatedServer',
      monitor: 'PopDeepTestMonitor',
    });
  });

  it('PopProxyTestMonitor: 5 steps', () => {
    expect(kinds(section('pop-proxy').steps)).toEqual([
      'change',
      'check',
      'destructive',
      'check',
      'manual',
    ]);
  });

  it('AverageCommandProcessingTimeGt60sMonitor: 6 steps, step 3 with 2 sub-steps', () => {
    const s = section('pop-60s');
    expect(kinds(s.steps)).toEqual(['change', 'wait', 'destructive', 'wait', 'change', 'manual']);
    expect(kinds(s.steps[2]?.steps ?? [])).toEqual(['destructive', 'check']);
    expect(step('pop-60s', 'pop-60s.2').wait).toEqual({ minutes: 10 });
    expect(step('pop-60s', 'pop-60s.3.1').when[0]).toEqual({ role: 'mailbox' });
  });

  it('steps beyond the seed are marked, keep the seed numbering, and guard the seed steps', () => {
    const deep = fullSection('pop-deep');
    expect(deep.steps.map((x) => [x.id, x.number, x.beyondSeed])).toEqual([
      ['pop-deep.hold', '0a', true],
      ['pop-deep.1', '1', false],
      ['pop-deep.2', '2', false],
      ['pop-deep.precheck', '2a', true],
      ['pop-deep.precheck-escalate', '2b', true],
      ['pop-deep.3', '3', false],
      ['pop-deep.4', '4', false],
      ['pop-deep.guard', '4a', true],
      ['pop-deep.5', '5', false],
      ['pop-deep.6', '6', false],
      ['pop-deep.7', '7', false],
      ['pop-deep.failback', '7a', true],
      ['pop-deep.failback-check', '7b', true],
      ['pop-deep.8', '8', false],
    ]);
    expect(deep.steps.find((x) => x.id === 'pop-deep.3')?.when).toEqual([
      { step: 'pop-deep.2', outcome: 'failed' },
      { step: 'pop-deep.precheck', outcome: 'succeeded' },
    ]);
    expect(deep.steps.find((x) => x.id === 'pop-deep.3')?.params.precheck).toEqual({
      from: 'failoverPrecheck',
    });
    expect(deep.steps.find((x) => x.id === 'pop-deep.failback')).toMatchObject({
      kind: 'destructive',
      action: 'move-preferred-databases-back',
      when: [{ step: 'pop-deep.7', outcome: 'done' }],
    });
    for (const id of ['pop-deep', 'pop-ctp', 'pop-proxy', 'pop-60s']) {
      expect(fullSection(id).steps[0]).toMatchObject({ expect: 'no-hold', beyondSeed: true });
    }
  });

  it('every recovery section ends with the escalation to Microsoft support and its link', () => {
    for (const id of ['pop-deep', 'pop-ctp', 'pop-proxy', 'pop-60s']) {
      const last = section(id).steps.at(-1);
      expect(last?.kind).toBe('manual');
      expect(last?.links.map((l) => l.url)).toEqual([
        'https://go.microsoft.com/fwlink/p/?linkid=180809',
      ]);
    }
  });
});

describe('the IMAP runbook has the same form', () => {
  it('has the page’s sections, numbering and kinds', () => {
    expect(kinds(section('imap-deep').steps)).toEqual([
      'change',
      'check',
      'destructive',
      'destructive',
      'check',
      'change',
      'manual',
    ]);
    expect(kinds(section('imap-deep').steps[3]?.steps ?? [])).toEqual(['check']);
    const ctp = section('imap-ctp');
    expect(ctp.steps).toHaveLength(8);
    expect(kinds(ctp.steps[2]?.steps ?? [])).toEqual([
      'change',
      'change',
      'check',
      'check',
      'check',
      'check',
      'goto',
    ]);
    expect(kinds(section('imap-proxy').steps)).toEqual([
      'change',
      'check',
      'destructive',
      'check',
      'manual',
    ]);
    const slow = section('imap-slow');
    expect(kinds(slow.steps)).toEqual([
      'change',
      'wait',
      'wait',
      'destructive',
      'wait',
      'change',
      'manual',
    ]);
    expect(kinds(slow.steps[3]?.steps ?? [])).toEqual(['destructive', 'check']);
  });

  it('uses the IMAP4 services by role and -ProtocolLogEnabled', () => {
    const restart = step('imap-slow', 'imap-slow.1');
    const services = (roles: BindingContext['roles']) =>
      buildStepCommands(restart, ctx({ roles })).map((c) => /-Name '(\w+)'/.exec(c.text)?.[1]);
    expect(services(['client-access'])).toEqual(['MSExchangeIMAP4']);
    expect(services(['mailbox'])).toEqual(['MSExchangeIMAP4BE']);
    expect(services(null)).toEqual(['MSExchangeIMAP4', 'MSExchangeIMAP4BE']);
    expect(buildStepCommands(step('imap-ctp', 'imap-ctp.3.1'), ctx())[0]?.text).toBe(
      "Set-ImapSettings -Server 'EX01.contoso.com' -ProtocolLogEnabled $true",
    );
    expect(step('imap-deep', 'imap-deep.1').params.service).toBe('MSExchangeIMAP4BE');
  });
});

describe('corrections to the seed', () => {
  it('protocol logging uses -ProtocolLogEnabled, never -ProtocolLoggingEnabled', () => {
    const on = buildStepCommands(step('pop-ctp', 'pop-ctp.3.1'), ctx());
    const off = buildStepCommands(step('pop-ctp', 'pop-ctp.6'), ctx());
    expect(on.map((c) => c.text)).toEqual([
      "Set-PopSettings -Server 'EX01.contoso.com' -ProtocolLogEnabled $true",
    ]);
    expect(off.map((c) => c.text)).toEqual([
      "Set-PopSettings -Server 'EX01.contoso.com' -ProtocolLogEnabled $false",
    ]);
    expect(step('pop-ctp', 'pop-ctp.3.1').notes[0]?.en).toMatch(
      /-ProtocolLoggingEnabled.*-ProtocolLogEnabled/s,
    );
  });

  it('both of the seed spellings of a monitor match (aliases, any case)', () => {
    expect(matchRunbook(catalog, { monitor: 'PopTestDeepMonitor' })).toMatchObject({
      matchedBy: 'monitor-alias',
      section: { id: 'pop-deep' },
      monitor: { name: 'PopDeepTestMonitor' },
    });
    expect(matchRunbook(catalog, { monitor: 'POPCTPMonitor' })).toMatchObject({
      matchedBy: 'monitor',
      section: { id: 'pop-ctp' },
      monitor: { name: 'PopCTPMonitor' },
    });
    expect(matchRunbook(catalog, { monitor: 'popdeeptestmonitor' }).section.id).toBe('pop-deep');
  });

  it('the 60-second monitor restarts the service of the server role', () => {
    const restart = step('pop-60s', 'pop-60s.1');
    const service = (roles: BindingContext['roles']) =>
      buildStepCommands(restart, ctx({ roles })).map((c) => [c.role, c.text]);
    expect(service(['client-access'])).toEqual([
      [
        'client-access',
        "Invoke-Command -ComputerName 'EX01.contoso.com' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3' -Force }",
      ],
    ]);
    expect(service(['mailbox'])).toEqual([
      [
        'mailbox',
        "Invoke-Command -ComputerName 'EX01.contoso.com' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
      ],
    ]);
    // Unknown, or a 2016/2019 server with both roles: a person chooses between both.
    expect(service(null).map(([role]) => role)).toEqual(['client-access', 'mailbox']);
    expect(service(['client-access', 'mailbox'])).toHaveLength(2);
  });
});

describe('every shipped runbook', () => {
  const texts: { where: string; text: LocalizedText }[] = [];
  for (const rb of catalog.runbooks) {
    texts.push({ where: `${rb.id} title`, text: rb.title });
    texts.push({ where: `${rb.id} source`, text: rb.source.description });
    rb.source.links.forEach((l) => texts.push({ where: `${rb.id} link`, text: l.title }));
  }
  for (const h of catalog.healthSets) {
    if (h.description) texts.push({ where: h.name, text: h.description });
  }
  for (const p of catalog.probes) {
    p.dependencies.forEach((d) => texts.push({ where: p.name, text: d.name }));
  }
  for (const s of catalog.sections.values()) {
    texts.push({ where: s.id, text: s.title });
    if (s.summary) texts.push({ where: s.id, text: s.summary });
    s.notes.forEach((n) => texts.push({ where: s.id, text: n }));
    for (const st of flattenSteps(s.steps)) {
      texts.push({ where: st.id, text: st.text });
      st.notes.forEach((n) => texts.push({ where: `${st.id} note`, text: n }));
      st.links.forEach((l) => texts.push({ where: `${st.id} link`, text: l.title }));
    }
  }

  it('has every text in en and zh-TW', () => {
    const incomplete = texts.filter((t) => !t.text.en.trim() || !t.text['zh-TW']?.trim());
    expect(incomplete.map((t) => t.where)).toEqual([]);
    expect(texts.length).toBeGreaterThan(150);
  });

  it('builds every command a step can produce through buildCommand', () => {
    let built = 0;
    for (const s of catalog.sections.values()) {
      for (const st of flattenSteps(s.steps)) {
        if (st.action === undefined) continue;
        for (const roles of [null, ...SERVER_ROLES.map((r) => [r])]) {
          for (const c of buildStepCommands(st, ctx({ roles }))) {
            expect({ step: st.id, complete: c.complete, problems: c.problems }).toEqual({
              step: st.id,
              complete: true,
              problems: [],
            });
            const again = buildCommand(c.actionId, c.params);
            expect(again.ok && again.command).toBe(c.text);
            built++;
          }
        }
      }
    }
    expect(built).toBeGreaterThan(100);
  });

  it('marks IMAP as derived from Microsoft’s page, not the seed', () => {
    const imap = catalog.runbooks.find((r) => r.id === 'imap');
    expect(imap?.source.kind).toBe('derived');
    expect(imap?.source.links[0]?.url).toContain('troubleshooting-imap-health-set');
    expect(catalog.runbooks.find((r) => r.id === 'pop')?.source.kind).toBe('seed');
  });
});

describe('matching', () => {
  const m = (input: Parameters<typeof matchRunbook>[1]) => {
    const r = matchRunbook(catalog, input);
    return [r.matchedBy, r.section.id, r.healthSet, r.monitor?.name ?? null];
  };

  it('finds sections by monitor, probe and health set', () => {
    expect(m({ monitor: 'PopCTPMonitor', healthSet: 'POP' })).toEqual([
      'monitor',
      'pop-ctp',
      'POP',
      'PopCTPMonitor',
    ]);
    expect(m({ probe: 'popproxytestprobe' })).toEqual([
      'probe',
      'pop-proxy',
      'POP.Proxy',
      'PopProxyTestMonitor',
    ]);
    expect(m({ probe: 'PopSelfTestProbe' })).toEqual([
      'probe',
      'pop-deep',
      'POP.Protocol',
      'PopSelfTestMonitor',
    ]);
    expect(m({ healthSet: 'pop.protocol' })).toEqual([
      'health-set',
      'pop-verify',
      'POP.Protocol',
      null,
    ]);
  });

  it('gives the set’s verify procedure for an unknown monitor, and a generic one for an unknown set', () => {
    expect(m({ monitor: 'PopSomethingNewMonitor', healthSet: 'POP' })).toEqual([
      'health-set',
      'pop-verify',
      'POP',
      null,
    ]);
    expect(m({ monitor: 'OwaSelfTestMonitor', healthSet: 'OWA.Protocol' })).toEqual([
      'generic',
      'generic-verify',
      'OWA.Protocol',
      null,
    ]);
    expect(m({})).toEqual(['generic', 'generic-verify', null, null]);
  });

  it('decides a monitor name shared by POP and IMAP by the alert’s health set', () => {
    const name = 'AverageCommandProcessingTimeGt60sMonitor';
    expect(m({ monitor: name, healthSet: 'IMAP' })[1]).toBe('imap-slow');
    expect(m({ monitor: name, healthSet: 'POP' })[1]).toBe('pop-60s');
    // The seed files it under POP and POP.Protocol: the same runbook decides.
    expect(m({ monitor: name, healthSet: 'POP.Protocol' })[1]).toBe('pop-60s');
    const open = matchRunbook(catalog, { monitor: name });
    expect(open.alternatives).toHaveLength(1);
    expect(m({ monitor: 'RequestsQueuedGt500Monitor', healthSet: 'IMAP' })[1]).toBe('imap-slow');
    expect(m({ monitor: 'ImapTestDeepMonitor', healthSet: 'IMAP.Protocol' })).toEqual([
      'monitor-alias',
      'imap-deep',
      'IMAP.Protocol',
      'ImapDeepTestMonitor',
    ]);
  });

  it('a recovery match carries the verify procedure that goes first', () => {
    expect(matchRunbook(catalog, { monitor: 'ImapCTPMonitor' }).verifySection.id).toBe(
      'imap-verify',
    );
  });
});

describe('the IMAP runbook has the safety steps beyond the page, as the POP runbook does', () => {
  it('marks them, keeps the page numbering, and guards the page steps', () => {
    const deep = fullSection('imap-deep');
    const flat = (steps: typeof deep.steps): [string, string, boolean][] =>
      steps.flatMap((x) => [
        [x.id, x.number, x.beyondSeed] as [string, string, boolean],
        ...flat(x.steps),
      ]);
    expect(flat(deep.steps)).toEqual([
      ['imap-deep.hold', '0a', true],
      ['imap-deep.1', '1', false],
      ['imap-deep.2', '2', false],
      ['imap-deep.precheck', '2a', true],
      ['imap-deep.precheck-escalate', '2b', true],
      ['imap-deep.3', '3', false],
      ['imap-deep.4', '4', false],
      ['imap-deep.4.1', '4.1', false],
      ['imap-deep.guard', '4.1a', true],
      ['imap-deep.5', '5', false],
      ['imap-deep.6', '6', false],
      ['imap-deep.failback', '6a', true],
      ['imap-deep.failback-check', '6b', true],
      ['imap-deep.7', '7', false],
    ]);
    expect(deep.steps.find((x) => x.id === 'imap-deep.3')).toMatchObject({
      params: { server: { from: 'server' }, precheck: { from: 'failoverPrecheck' } },
      when: [
        { step: 'imap-deep.2', outcome: 'failed' },
        { step: 'imap-deep.precheck', outcome: 'succeeded' },
      ],
    });
    expect(deep.steps.find((x) => x.id === 'imap-deep.precheck-escalate')).toMatchObject({
      kind: 'manual',
      when: [{ step: 'imap-deep.precheck', outcome: 'failed' }],
    });
    expect(deep.steps.find((x) => x.id === 'imap-deep.failback')).toMatchObject({
      kind: 'destructive',
      action: 'move-preferred-databases-back',
      when: [{ step: 'imap-deep.6', outcome: 'done' }],
    });

    const slow = fullSection('imap-slow');
    const restart = slow.steps.find((x) => x.id === 'imap-slow.4')!;
    expect(restart.steps.map((x) => [x.id, x.expect ?? x.kind])).toEqual([
      ['imap-slow.precheck', 'failover-safe'],
      ['imap-slow.precheck-escalate', 'manual'],
      ['imap-slow.4.1', 'destructive'],
      ['imap-slow.4.2', 'no-active-database-copy'],
      ['imap-slow.guard', 'restart-safe'],
    ]);
    expect(restart.steps.find((x) => x.id === 'imap-slow.4.1')?.params.precheck).toEqual({
      from: 'failoverPrecheck',
    });
    expect(slow.steps.map((x) => x.id)).toContain('imap-slow.failback');
    for (const id of ['imap-deep', 'imap-ctp', 'imap-proxy', 'imap-slow']) {
      expect(fullSection(id).steps[0]).toMatchObject({ expect: 'no-hold', beyondSeed: true });
    }
  });
});
