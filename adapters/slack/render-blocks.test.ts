import { toServerRef } from '../../src/domain/alerts/host-name';
import { decodeActionRef, encodeActionRef } from '../../src/domain/cards/action-ref';
import type {
  Card,
  CardAction,
  CardRequest,
  CardStep,
  CardTable,
} from '../../src/domain/cards/card';
import { buildRunbookCard } from '../../src/domain/cards/runbook-card';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { LANGS } from '../../src/domain/runbooks/text';
import { decodeClick } from './action-codec';
import {
  blockKitProblems,
  renderCardBlocks,
  renderReplyBlocks,
  type Block,
  type SlackMessage,
} from './render-blocks';

const catalog = loadCatalog();

type Btn = {
  action_id: string;
  value: string;
  text: { text: string };
  style?: string;
  confirm?: unknown;
};
const buttonsOf = (blocks: Block[]): Btn[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as unknown as Btn[]) : []));
const textOf = (m: SlackMessage): string => JSON.stringify(m.blocks);

function request(i: number, long = false): CardRequest {
  const ref = { v: 1 as const, section: 'pop-ctp', incident: 'inc-1', request: `req${i}` };
  return {
    id: `req${i}`,
    title: `Restart POP on EX01 (#${i})`,
    state: 'pending',
    stateLabel: 'Waiting for approval',
    risk: 'destructive',
    command: long
      ? 'Restart-Service MSExchangePOP3; '.repeat(400)
      : "Restart-Service -Name 'MSExchangePOP3'",
    server: 'EX01.contoso.com',
    lines: ['Requested by Ana', 'Expires 10:15 UTC', long ? 'x'.repeat(5000) : 'Reason: POP down'],
    actions: [
      {
        id: `approve:req${i}`,
        label: 'Approve',
        style: 'primary',
        value: encodeActionRef({ ...ref, op: 'approve' }),
      },
      {
        id: `reject:req${i}`,
        label: 'Reject',
        style: 'danger',
        value: encodeActionRef({ ...ref, op: 'reject' }),
        needsReason: { title: 'Reject', label: 'Why?', submit: 'Reject', optional: false },
      },
      {
        id: `cancel-request:req${i}`,
        label: 'Cancel',
        style: 'default',
        value: encodeActionRef({ ...ref, op: 'cancel-request' }),
      },
    ],
  };
}

describe('renderCardBlocks on every shipped runbook section', () => {
  const sections = [...catalog.sections.values()];
  it('the catalog has sections', () => expect(sections.length).toBeGreaterThan(5));

  for (const lang of LANGS) {
    it(`stays within Block Kit limits for all sections (${lang}), with requests and status`, () => {
      for (const section of sections) {
        const runbook = catalog.runbooks.find((r) => r.id === section.runbookId) ?? null;
        const other = sections.find((s) => s.kind === 'verify' && s.id !== section.id);
        const card = buildRunbookCard(
          section,
          {
            server: toServerRef('EX01.contoso.com'),
            relatedServer: toServerRef('MBX01.contoso.com'),
            healthSet: 'POP',
            probe: { name: 'PopCTPProbe', healthSet: 'POP' },
            roles: null, // unknown role: one button per role variant, the most buttons
            monitor: 'PopCTPMonitor',
            matchedBy: 'monitor',
            runbook,
            verifySectionId: other?.id,
            incident: { id: 'inc-42', version: 7 },
            catalog,
          },
          lang,
        );
        const full: Card = {
          ...card,
          status: { label: 'Waiting 10 min', tone: 'warning' },
          requests: [request(1), request(2), request(3)],
        };
        for (const c of [card, full]) {
          const msg = renderCardBlocks(c);
          expect({ section: section.id, problems: blockKitProblems(msg.blocks) }).toEqual({
            section: section.id,
            problems: [],
          });
          expect(msg.text.length).toBeGreaterThan(0);
          expect(msg.blocks[0]).toMatchObject({ type: 'header' });
          // The shipped runbooks fit whole: nothing is left out.
          expect(textOf(msg)).not.toMatch(/more steps|個步驟/);
          // Every button still decodes to what the core gave.
          for (const b of buttonsOf(msg.blocks)) {
            const click = decodeClick(b.action_id, b.value);
            expect(click).not.toBeNull();
            expect(decodeActionRef(click?.value ?? '')).not.toBeNull();
          }
        }
      }
    });
  }

  it('renders the POP card in full: numbers, kinds, PowerShell, danger + confirm, links', () => {
    const section = catalog.sections.get('pop-ctp');
    if (!section) throw new Error('pop-ctp missing');
    const card = buildRunbookCard(
      section,
      {
        server: toServerRef('CAS01.contoso.com'),
        relatedServer: toServerRef('MBX01.contoso.com'),
        healthSet: 'POP',
        probe: { name: 'PopCTPProbe', healthSet: 'POP' },
        roles: null,
        incident: { id: 'inc-1', version: 3 },
        catalog,
      },
      'en',
    );
    const msg = renderCardBlocks({ ...card, requests: [request(1)] });
    const text = textOf(msg);
    expect(text).toContain('*3.1.*');
    expect(text).toContain(
      "```Invoke-MonitoringProbe -Identity 'POP\\\\PopCTPProbe' -Server 'CAS01.contoso.com'```",
    );
    expect(text).toContain('technet.microsoft.com');
    const buttons = buttonsOf(msg.blocks);
    const restart = buttons.find((b) => b.action_id === 'exo:c:run-step:pop-ctp.4');
    expect(restart).toMatchObject({ style: 'danger', confirm: { style: 'danger' } });
    const reject = buttons.find((b) => b.action_id.startsWith('exo:r:reject:req1'));
    expect(decodeClick(reject?.action_id, reject?.value)).toMatchObject({
      confirmed: false,
      needsReason: { title: 'Reject', optional: false },
    });
    expect(new Set(buttons.map((b) => b.action_id)).size).toBe(buttons.length);
  });
});

describe('renderCardBlocks degrades a card that cannot fit', () => {
  const act = (id: string, label = 'Run check'): CardAction => ({
    id,
    label: `${label} ${'x'.repeat(100)}`,
    style: 'danger',
    value: encodeActionRef({
      v: 1,
      op: 'run-step',
      section: 'huge',
      step: id.toLowerCase().slice(0, 60),
    }),
    confirm: {
      title: 'T'.repeat(40),
      text: 'y'.repeat(400),
      confirm: 'Yes'.repeat(20),
      deny: 'No',
    },
  });
  const step = (n: string, depth: number, subs: CardStep[] = []): CardStep => ({
    id: `huge.${n}`,
    number: n,
    depth,
    kind: 'destructive',
    kindLabel: 'Destructive',
    text: `Step ${n} <&> `.repeat(200),
    condition: 'Only if step 1 failed',
    timing: 'Wait 10 minutes',
    commands: [
      {
        actionId: 'restart-service' as never,
        risk: 'destructive',
        language: 'powershell',
        text: "Restart-Service 'x' ```".repeat(300),
        complete: true,
      },
      {
        actionId: 'restart-service' as never,
        risk: 'destructive',
        language: 'powershell',
        text: 'Get-X'.repeat(500),
        complete: true,
        roleLabel: 'Mailbox',
      },
    ],
    state: 'pending',
    stateLabel: 'Pending',
    actionable: true,
    notes: ['n'.repeat(4000)],
    links: [{ title: 'doc|x>', url: 'https://example.com/a|b>c' }],
    // Same id on purpose: ids must still come out unique.
    actions: Array.from({ length: 30 }, () => act(`huge.${n}`)),
    steps: subs,
  });
  const huge: Card = {
    version: 1,
    lang: 'en',
    title: 'H'.repeat(400),
    subtitle: 's'.repeat(4000),
    tone: 'attention',
    fallbackText: 'f'.repeat(5000),
    summary: 'S'.repeat(5000),
    facts: Array.from({ length: 25 }, (_, i) => ({
      key: 'monitor' as const,
      label: `L${i}`,
      value: 'v'.repeat(3000),
    })),
    notes: Array.from({ length: 50 }, () => 'note '.repeat(100)),
    steps: Array.from({ length: 40 }, (_, i) =>
      step(
        String(i + 1),
        0,
        Array.from({ length: 8 }, (_, j) => step(`${i + 1}.${j + 1}`, 1)),
      ),
    ),
    actions: Array.from({ length: 40 }, (_, i) => act(`card-${i}`)),
    links: Array.from({ length: 30 }, (_, i) => ({
      title: `Link ${i}`,
      url: `https://example.com/${i}`,
    })),
    requests: Array.from({ length: 20 }, (_, i) => request(i, true)),
    status: { label: 'Recovered', tone: 'good' },
  };

  it('stays within every limit and says how many steps were left out', () => {
    const msg = renderCardBlocks(huge);
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    const text = textOf(msg);
    expect(text).toMatch(/\d+ more steps — open the runbook/);
    expect(text).toMatch(/\d+ older requests not shown/);
    const open = buttonsOf(msg.blocks).find((b) => b.action_id.startsWith('exo::more:'));
    expect(decodeActionRef(decodeClick(open?.action_id, open?.value)?.value ?? '')).toMatchObject({
      op: 'open-section',
      section: 'huge',
    });
    expect(msg.text.length).toBeLessThanOrEqual(3000);
  });

  const few = (s: CardStep): CardStep => ({
    ...s,
    actions: s.actions.slice(0, 1),
    steps: s.steps.map(few),
  });

  it('collapses sub-steps into their parent when that is enough to fit', () => {
    const medium: Card = {
      ...huge,
      requests: [],
      notes: [],
      facts: [],
      summary: undefined,
      steps: huge.steps.slice(0, 6).map(few),
    };
    const msg = renderCardBlocks(medium);
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    const text = textOf(msg);
    expect(text).not.toMatch(/more steps/);
    expect(text).toContain('↳ :white_circle: *6.8.*'); // the last sub-step is still listed
    expect(buttonsOf(msg.blocks).some((b) => b.text.text.startsWith('6.1 · '))).toBe(true);
  });

  it('fits a card under a long reply and keeps replies within the limits', () => {
    const msg = renderReplyBlocks({
      text: 'Output <of> the check & more',
      code: Array.from({ length: 60 }, (_, i) => ({
        title: `EX0${i}`,
        body: 'line\n'.repeat(2000),
        truncatedFrom: 50_000,
        fullTextUrl: 'https://chatops.example.com/jobs/1/output',
      })),
      card: huge,
    });
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    expect(msg.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Output &lt;of&gt; the check &amp; more' },
    });
  });
});

describe('renderReplyBlocks', () => {
  it('shows code in a code block, notes what was cut and links the whole', () => {
    const msg = renderReplyBlocks({
      text: 'Get-ServerHealth on EX01',
      code: [{ title: 'EX01', body: 'a'.repeat(10_000), fullTextUrl: 'https://x.example/o/1' }],
    });
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    const section = msg.blocks[1] as { text: { text: string } };
    expect(section.text.text.startsWith('*EX01*\n```aaa')).toBe(true);
    const omitted = Number(/…\((\d+) more characters\)/.exec(section.text.text)?.[1]);
    expect(omitted).toBeGreaterThan(7000);
    expect(omitted).toBeLessThan(10_000);
    expect(section.text.text).toContain('<https://x.example/o/1|Full output>');
    expect(msg.text).toBe('Get-ServerHealth on EX01');
  });

  it('counts what the core already cut', () => {
    const msg = renderReplyBlocks({ text: 'x', code: [{ body: 'short', truncatedFrom: 105 }] });
    expect(JSON.stringify(msg.blocks)).toContain('…(100 more characters)');
  });
});

describe('tables (a step output, a pre-check evidence)', () => {
  const copies: CardTable = {
    title: 'Database copies',
    columns: [
      { key: 'database', label: 'Database' },
      { key: 'status', label: 'Status' },
      { key: 'copyQueue', label: 'Copy queue', align: 'right' },
      { key: 'activeCopy', label: 'Active copy' },
    ],
    rows: [
      { cells: ['DB01', 'Mounted', '0', 'ex01'] },
      { cells: ['DB02-LONGER', 'FailedAndSuspended', '212', 'ex02'], tone: 'attention' },
    ],
  };
  const sectionTexts = (m: SlackMessage): string[] =>
    m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
  const codeLines = (text: string): string[] =>
    /```\n?([\s\S]*)```/.exec(text)?.[1]?.split('\n') ?? [];

  it('draws a table as aligned monospace text under its title, numbers right-aligned', () => {
    const msg = renderReplyBlocks({ text: 'Step 2 · copies', tables: [copies] });
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    const text = sectionTexts(msg)[1] ?? '';
    expect(text.startsWith('*Database copies*\n```\n  Database')).toBe(true);
    expect(codeLines(text)).toEqual([
      '  Database     Status              Copy queue  Active copy',
      '  -----------  ------------------  ----------  -----------',
      '  DB01         Mounted                      0  ex01',
      '! DB02-LONGER  FailedAndSuspended         212  ex02',
    ]);
  });

  it('aligns Traditional Chinese headers by their display width (two columns a character)', () => {
    const zh: CardTable = {
      columns: [
        { key: 'database', label: '資料庫' },
        { key: 'status', label: '狀態' },
      ],
      rows: [{ cells: ['DB01', 'Mounted'] }],
    };
    const lines = codeLines(
      sectionTexts(renderReplyBlocks({ text: 'x', tables: [zh] }, 'zh-TW'))[1] ?? '',
    );
    expect(lines[0]).toBe('資料庫  狀態');
    expect(lines[2]).toBe('DB01    Mounted');
  });

  it('puts the raw output after the tables: a link when the whole output has a page, else code', () => {
    const raw = { title: 'Raw output', body: '[{"DatabaseName":"DB01"}]', raw: true };
    const linked = renderReplyBlocks({
      text: 'x',
      tables: [copies],
      code: [{ ...raw, fullTextUrl: 'https://bot.example/r/1' }],
    });
    expect(sectionTexts(linked)[2]).toBe('_Raw output: <https://bot.example/r/1|Full output>_');
    const inline = renderReplyBlocks({ text: 'x', tables: [copies], code: [raw] });
    expect(sectionTexts(inline)[2]).toContain('```[{"DatabaseName":"DB01"}]```');
    // Without tables the output stays a code block, as before.
    const plain = renderReplyBlocks({ text: 'x', code: [{ ...raw, fullTextUrl: 'https://b/1' }] });
    expect(sectionTexts(plain)[1]).toContain('```[{"DatabaseName":"DB01"}]```');
  });

  it('cuts rows to fit a section and says how many more there are, counting the core cut too', () => {
    const big: CardTable = {
      title: 'Server health',
      columns: [
        { key: 'monitor', label: 'Monitor' },
        { key: 'alertValue', label: 'Alert value' },
        { key: 'error', label: 'Error' },
      ],
      rows: Array.from({ length: 100 }, (_, i) => ({
        cells: [`Monitor<${i}>&`, 'Healthy', 'e'.repeat(300)],
      })),
      omittedRows: 40,
    };
    const msg = renderReplyBlocks({ text: 'x', tables: [big, big] });
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    const text = sectionTexts(msg)[1] ?? '';
    const shown = codeLines(text).length - 2;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`_… and ${100 - shown + 40} more rows (in the raw output)_`);
    expect(text).toContain('Monitor&lt;0&gt;&amp;');
    expect(text).not.toContain('<0>');
  });

  it('a table with no rows says so; a cell cannot close the code block', () => {
    const msg = renderReplyBlocks({
      text: 'x',
      tables: [
        { columns: [{ key: 'a', label: 'A' }], rows: [] },
        { columns: [{ key: 'a', label: 'A' }], rows: [{ cells: ['x```y'] }] },
      ],
    });
    expect(codeLines(sectionTexts(msg)[1] ?? '')[2]).toBe('(none)');
    expect(codeLines(sectionTexts(msg)[2] ?? '')[2]).toBe('x`\u200b``y');
  });

  it('draws a step evidence (verdict, tables) between the step and its buttons, within limits', () => {
    const section = catalog.sections.get('pop-ctp');
    if (!section) throw new Error('pop-ctp');
    const base = buildRunbookCard(
      section,
      {
        server: toServerRef('EX01.contoso.com'),
        relatedServer: null,
        healthSet: 'POP',
        probe: null,
        roles: ['mailbox'],
        monitor: 'PopCTPMonitor',
        matchedBy: 'monitor',
        runbook: null,
        catalog,
      },
      'en',
    );
    const evidence = {
      verdict: 'Failover allowed: every database has a healthy copy elsewhere',
      tone: 'good' as const,
      tables: [copies],
      checkedAt: '2026-12-01T07:40:00.000Z',
    };
    const steps = base.steps.map((s, i) => (i === 0 ? { ...s, evidence } : s));
    const msg = renderCardBlocks({ ...base, steps });
    expect(blockKitProblems(msg.blocks)).toEqual([]);
    const texts = sectionTexts(msg);
    const at = texts.findIndex((x) => x.includes('Failover allowed'));
    expect(texts[at]).toBe(
      ':large_green_circle: *Failover allowed: every database has a healthy copy elsewhere*  _checked 2026-12-01 07:40:00Z_',
    );
    expect(texts[at + 1]).toContain('*Database copies*');

    // On a card too big for every step in full, the verdict stays on the collapsed step.
    const many = Array.from({ length: 30 }, (_, i) => ({
      ...base.steps[0]!,
      id: `s${i}`,
      number: String(i + 1),
      evidence,
    }));
    const crowded = renderCardBlocks({ ...base, steps: many });
    expect(blockKitProblems(crowded.blocks)).toEqual([]);
    expect(textOf(crowded)).toContain('Failover allowed');
  });
});
