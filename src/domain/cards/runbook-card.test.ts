import { toServerRef } from '../alerts/host-name';
import type { ServerRef } from '../alerts/alert';
import { catalogFromTexts } from '../runbooks/catalog-from-texts';
import type { Catalog, SectionDef } from '../runbooks/catalog';
import { loadCatalog } from '../../infra/files/load-catalog';
import { matchRunbook } from '../runbooks/match-runbook';
import { readRunbookFiles, shippedRunbooksDir } from '../../infra/files/read-runbook-files';
import type { ServerRole } from '../runbooks/schema';
import { decodeActionRef } from './action-ref';
import type { Card, CardStep } from './card';
import { cardContextFromMatch, buildRunbookCard } from './runbook-card';

const catalog: Catalog = loadCatalog();

const all = (steps: CardStep[]): CardStep[] => steps.flatMap((s) => [s, ...all(s.steps)]);
const find = (card: Card, id: string): CardStep => {
  const s = all(card.steps).find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
};

function render(
  monitor: string,
  healthSet: string,
  server: ServerRef | null,
  opts: { roles?: ServerRole[] | null; related?: ServerRef | null; lang?: 'en' | 'zh-TW' } = {},
): Card {
  const match = matchRunbook(catalog, { monitor, healthSet });
  const ctx = cardContextFromMatch(
    match,
    {
      server,
      relatedServer: opts.related ?? null,
      roles: opts.roles ?? null,
      monitor,
      incident: { id: 'inc-1', version: 3 },
    },
    catalog,
  );
  return buildRunbookCard(match.section, ctx, opts.lang ?? 'en');
}

describe('buildRunbookCard', () => {
  const ctp = render('POPCTPMonitor', 'POP', toServerRef('CAS01.contoso.com'), {
    related: toServerRef('MBX01.contoso.com'),
  });

  it('has the title, facts and the seed’s numbered steps', () => {
    expect(ctp.title).toBe('PopCTPMonitor recovery actions');
    expect(ctp.subtitle).toBe('POP · CAS01.contoso.com');
    expect(ctp.tone).toBe('warning');
    expect(ctp.facts.map((f) => [f.key, f.value])).toEqual([
      ['healthSet', 'POP'],
      ['monitor', 'POPCTPMonitor'],
      ['probe', 'POP\\PopCTPProbe'],
      ['server', 'CAS01.contoso.com'],
      ['relatedServer', 'MBX01.contoso.com'],
      ['role', 'unknown'],
      ['matchedBy', 'monitor name'],
      ['source', 'seed runbook'],
    ]);
    // 0a: the hold check, beyond the seed; the seed's numbering stays.
    expect(ctp.steps.map((s) => s.number)).toEqual(['0a', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(ctp.steps[3]?.steps.map((s) => [s.number, s.depth])).toEqual([
      ['3.1', 1],
      ['3.2', 1],
      ['3.3', 1],
      ['3.4', 1],
      ['3.5', 1],
      ['3.6', 1],
    ]);
    expect(ctp.links.map((l) => l.url)).toContain(
      'https://technet.microsoft.com/zh-tw/library/ms.exch.scom.pop(v=EXCHG.150)',
    );
  });

  it('shows the exact PowerShell with the incident’s values bound and quoted', () => {
    expect(find(ctp, 'pop-ctp.2').commands.map((c) => c.text)).toEqual([
      "Invoke-MonitoringProbe -Identity 'POP\\PopCTPProbe' -Server 'CAS01.contoso.com'",
    ]);
    expect(find(ctp, 'pop-ctp.3.5').commands[0]?.text).toBe(
      "Get-ServerHealth -Identity 'MBX01.contoso.com'",
    );
    expect(find(ctp, 'pop-ctp.3.1').commands[0]).toMatchObject({
      actionId: 'set-pop-protocol-log',
      risk: 'change',
      complete: true,
      text: "Set-PopSettings -Server 'CAS01.contoso.com' -ProtocolLogEnabled $true",
    });
  });

  it('offers buttons by kind: checks run, changes ask approval, destructive ones confirm', () => {
    const check = find(ctp, 'pop-ctp.2').actions;
    expect(check.map((a) => [a.label, a.style, a.confirm])).toEqual([
      ['Run check', 'default', undefined],
    ]);
    const change = find(ctp, 'pop-ctp.1').actions;
    expect(change.map((a) => [a.label, a.style, a.confirm])).toEqual([
      ['Request approval', 'primary', undefined],
    ]);
    const restart = find(ctp, 'pop-ctp.4').actions[0];
    expect(restart?.style).toBe('danger');
    expect(restart?.confirm?.text).toContain("Restart-Computer -ComputerName 'CAS01.contoso.com'");
    expect(decodeActionRef(restart?.value ?? '')).toEqual({
      v: 1,
      op: 'run-step',
      section: 'pop-ctp',
      step: 'pop-ctp.4',
      incident: 'inc-1',
      version: 3,
    });
    expect(find(ctp, 'pop-ctp.8').actions.map((a) => a.label)).toEqual(['Mark done']);
    const goto = decodeActionRef(find(ctp, 'pop-ctp.3.6').actions[0]?.value ?? '');
    expect(goto).toMatchObject({
      op: 'open-section',
      section: 'pop-deep',
      server: 'relatedServer',
      monitor: 'PopDeepTestMonitor',
    });
    expect(find(ctp, 'pop-ctp.3.6').timing).toBe(
      'Continues with: PopDeepTestMonitor and PopSelfTestMonitor recovery actions (on MBX01.contoso.com)',
    );
    expect(find(ctp, 'pop-ctp.4').condition).toBe('Only if step 3.5 succeeded');
    expect(ctp.actions.map((a) => a.id)).toEqual([
      'run-checks:pop-ctp',
      'open-section:pop-verify',
      'switch-lang:pop-ctp',
    ]);
  });

  it('keeps every button within chat limits and every id unique', () => {
    const actions = [...ctp.actions, ...all(ctp.steps).flatMap((s) => s.actions)];
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
    for (const a of actions) {
      expect(a.value.length).toBeLessThanOrEqual(2000);
      expect(decodeActionRef(a.value)).not.toBeNull();
      if (a.confirm) {
        for (const f of [a.confirm.title, a.confirm.confirm, a.confirm.deny]) {
          expect(f.length).toBeLessThanOrEqual(30);
        }
        expect(a.confirm.text.length).toBeLessThanOrEqual(300);
      }
    }
  });

  it('never builds a command from a missing or invalid server: placeholder, no button', () => {
    for (const server of [null, toServerRef("EX01'; Restart-Computer -Force; '")]) {
      const card = render('PopDeepTestMonitor', 'POP.Protocol', server);
      const steps = all(card.steps).filter((s) => s.commands.length > 0);
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) {
        expect(s.commands.every((c) => !c.complete && c.text.includes('<server>'))).toBe(true);
        expect(s.commands.some((c) => c.text.includes('Restart-Computer -Force;'))).toBe(false);
        expect(s.state).toBe('blocked');
        expect(s.actionable).toBe(false);
        expect(s.actions).toEqual([]);
        expect(s.blockedReason).toMatch(/^Cannot run: server/);
      }
      expect(find(card, 'pop-deep.2').commands[0]?.text).toBe(
        "Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server <server>",
      );
      expect(card.actions.map((a) => a.id)).not.toContain('run-checks:pop-deep');
    }
  });

  it('shows a missing _Mbx server as a placeholder on the steps that need it only', () => {
    expect(find(ctp, 'pop-ctp.3.5').actionable).toBe(true);
    const noMbx = render('PopCTPMonitor', 'POP', toServerRef('CAS01'));
    expect(find(noMbx, 'pop-ctp.3.5').commands[0]?.text).toBe(
      'Get-ServerHealth -Identity <mailbox server>',
    );
    expect(find(noMbx, 'pop-ctp.3.5').actionable).toBe(false);
    expect(find(noMbx, 'pop-ctp.2').actionable).toBe(true);
  });

  describe('role-dependent steps', () => {
    it('offers both services when the role is unknown', () => {
      const card = render('AverageCommandProcessingTimeGt60sMonitor', 'POP', toServerRef('EX01'));
      const restart = find(card, 'pop-60s.1');
      expect(restart.commands.map((c) => [c.roleLabel, c.text])).toEqual([
        [
          'Client Access',
          "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3' -Force }",
        ],
        [
          'Mailbox',
          "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
        ],
      ]);
      expect(restart.actions.map((a) => [a.id, a.label])).toEqual([
        ['run-step:pop-60s.1:client-access', 'Request approval: Client Access'],
        ['run-step:pop-60s.1:mailbox', 'Request approval: Mailbox'],
      ]);
      expect(find(card, 'pop-60s.3.1').condition).toBe(
        'Only on a Mailbox server and only if step 3.0a succeeded and server role unknown: decide before running',
      );
    });

    it('picks the service and skips the failover on a Client Access server', () => {
      const card = render('AverageCommandProcessingTimeGt60sMonitor', 'POP', toServerRef('CAS01'), {
        roles: ['client-access'],
      });
      expect(find(card, 'pop-60s.1').commands.map((c) => c.text)).toEqual([
        "Invoke-Command -ComputerName 'CAS01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3' -Force }",
      ]);
      expect(find(card, 'pop-60s.3.1')).toMatchObject({ state: 'not-applicable', actions: [] });
      expect(find(card, 'pop-60s.3').state).toBe('pending');
    });

    it('fails over first on a Mailbox server', () => {
      const card = render('AverageCommandProcessingTimeGt60sMonitor', 'POP', toServerRef('MBX01'), {
        roles: ['mailbox'],
      });
      expect(find(card, 'pop-60s.1').commands[0]?.text).toContain("'MSExchangePOP3BE'");
      expect(find(card, 'pop-60s.3.1').actions[0]).toMatchObject({ style: 'danger' });
      expect(find(card, 'pop-60s.3.1').condition).toBe(
        'Only on a Mailbox server and only if step 3.0a succeeded',
      );
    });
  });

  it('renders zh-TW and falls back to en for a missing text', () => {
    const zh = render('PopProxyTestMonitor', 'POP.Proxy', toServerRef('CAS01'), { lang: 'zh-TW' });
    expect(zh.title).toBe('PopProxyTestMonitor 復原動作');
    expect(zh.steps[3]?.text).toBe('如果探查持續失敗，請重新啟動 CAS。');
    expect(zh.steps[3]?.kindLabel).toBe('破壞性（需嚴格核准）');
    expect(zh.steps[3]?.condition).toBe('僅在步驟 2 失敗時');
    expect(zh.facts[0]).toEqual({ key: 'healthSet', label: '健全設定', value: 'POP.Proxy' });

    const enOnly = catalogFromTexts([
      { layer: 'shipped', files: readRunbookFiles(shippedRunbooksDir()) },
      {
        layer: 'operator',
        files: [
          {
            file: 'ops/x.yaml',
            text: `
id: x
title: { en: X }
source: { kind: operator, description: { en: ours } }
sections:
  - id: pop-proxy
    kind: recovery
    title: { en: Only English here }
    steps:
      - { id: x.1, kind: manual, text: { en: Call the lead. } }
`,
          },
        ],
      },
    ]);
    if (!enOnly.ok) throw new Error(JSON.stringify(enOnly.issues));
    const section = enOnly.catalog.sections.get('pop-proxy') as SectionDef;
    const card = buildRunbookCard(
      section,
      { server: null, relatedServer: null, healthSet: 'POP.Proxy', probe: null, roles: null },
      'zh-TW',
    );
    expect(card.title).toBe('Only English here');
    expect(card.steps[0]?.text).toBe('Call the lead.');
    expect(card.steps[0]?.kindLabel).toBe('人工');
  });

  it('shows progress: finished steps offer no buttons', () => {
    const match = matchRunbook(catalog, { monitor: 'PopProxyTestMonitor' });
    const card = buildRunbookCard(
      match.section,
      cardContextFromMatch(match, {
        server: toServerRef('CAS01'),
        stepStates: { 'pop-proxy.1': 'succeeded', 'pop-proxy.2': 'failed' },
      }),
    );
    expect(card.steps.map((s) => [s.state, s.actions.length])).toEqual([
      ['pending', 1],
      ['succeeded', 0],
      ['failed', 1],
      ['pending', 1],
      ['pending', 1],
      ['pending', 1],
    ]);
  });

  it('carries nothing platform-specific', () => {
    const text = JSON.stringify(ctp);
    for (const word of ['"blocks"', 'mrkdwn', 'AdaptiveCard', 'Action.Execute', '<div', '**']) {
      expect(text).not.toContain(word);
    }
  });
});

test("the verify card's 'continue with the recovery section' opens the failing monitor's section", () => {
  const match = matchRunbook(catalog, { monitor: 'PopDeepTestMonitor', healthSet: 'POP.Protocol' });
  const ctx = cardContextFromMatch(
    match,
    { server: toServerRef('EX01.contoso.com'), incident: { id: 'inc-1', version: 3 } },
    catalog,
  );
  const verify = buildRunbookCard(match.verifySection, ctx, 'en');
  const onward = find(verify, 'pop-verify.2.4');
  expect(onward.actions).toHaveLength(1);
  expect(decodeActionRef(onward.actions[0]!.value)).toMatchObject({
    op: 'open-section',
    section: 'pop-deep',
  });
  // Without a known monitor there is no section to go to: no button that opens the wrong one.
  const unknown = matchRunbook(catalog, { healthSet: 'POP.Protocol' });
  const bare = buildRunbookCard(
    unknown.verifySection,
    cardContextFromMatch(unknown, { server: null }, catalog),
    'en',
  );
  expect(find(bare, 'pop-verify.2.4').actions).toEqual([]);
});
