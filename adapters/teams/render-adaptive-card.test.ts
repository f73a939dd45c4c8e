import { APPROVAL_STATES } from '../../src/domain/approvals/approval-request';
import { toServerRef } from '../../src/domain/alerts/host-name';
import { encodeActionRef } from '../../src/domain/cards/action-ref';
import type {
  Card,
  CardAction,
  CardRequest,
  CardStep,
  CardTable,
  StepState,
} from '../../src/domain/cards/card';
import { buildRunbookCard, type RunbookCardContext } from '../../src/domain/cards/runbook-card';
import { flattenSteps, type Catalog } from '../../src/domain/runbooks/catalog';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { LANGS, type Lang } from '../../src/domain/runbooks/text';
import { adaptiveCardProblems } from '../../test/support/adaptive-cards';
import {
  cardBytes,
  EXECUTE_VERB,
  keepColumns,
  MAX_ACTIONS_PER_SET,
  MAX_CARD_BYTES,
  renderAdaptiveCard,
  renderReplyCard,
  type AcJson,
} from './render-adaptive-card';

const catalog: Catalog = loadCatalog();

const STATES: StepState[] = [
  'pending',
  'not-applicable',
  'blocked',
  'awaiting-approval',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'done',
];

function context(
  sectionId: string,
  variant: 'unknown-role' | 'mailbox' | 'progress',
): RunbookCardContext {
  const section = catalog.sections.get(sectionId);
  const ids = section ? flattenSteps(section.steps).map((s) => s.id) : [];
  return {
    server: toServerRef('EX01.contoso.com'),
    relatedServer: toServerRef('MBX01.contoso.com'),
    healthSet: 'POP',
    probe: { name: 'PopCTPProbe', healthSet: 'POP' },
    roles: variant === 'mailbox' ? ['mailbox'] : null,
    monitor: 'PopCTPMonitor',
    matchedBy: 'monitor',
    runbook: catalog.runbooks[0] ?? null,
    verifySectionId: 'pop-verify',
    incident: { id: 'inc-42', version: 7 },
    catalog,
    // Every state on some step, so every icon and colour is drawn.
    stepStates:
      variant === 'progress'
        ? Object.fromEntries(ids.map((id, i) => [id, STATES[i % STATES.length] as StepState]))
        : undefined,
  };
}

/** Every element and action of a card, inline cards included. */
function walk(json: unknown, visit: (node: AcJson) => void): void {
  if (Array.isArray(json)) json.forEach((x) => walk(x, visit));
  else if (json && typeof json === 'object') {
    visit(json as AcJson);
    Object.values(json).forEach((x) => walk(x, visit));
  }
}

function ourChecks(json: AcJson): string[] {
  const problems: string[] = [];
  if (cardBytes(json) > MAX_CARD_BYTES) problems.push(`too big: ${cardBytes(json)} bytes`);
  walk(json, (node) => {
    if (node.type === 'ActionSet' && (node.actions as unknown[]).length > MAX_ACTIONS_PER_SET) {
      problems.push('too many actions in a set');
    }
    if (node.type === 'Action.Execute') {
      const data = node.data as { v?: unknown };
      if (node.verb !== EXECUTE_VERB || typeof data.v !== 'string') problems.push('bad execute');
    }
    if (node.type === 'Action.Submit') problems.push('Action.Submit instead of Action.Execute');
  });
  return problems;
}

const action = (id: string, label: string, over: Partial<CardAction> = {}): CardAction => ({
  id,
  label,
  style: 'default',
  value: encodeActionRef({ v: 1, op: 'approve', section: 'pop-ctp', request: id }),
  ...over,
});

// Every state a request can be in, from the approvals' own list.
const REQUEST_STATES = APPROVAL_STATES;

function requests(): CardRequest[] {
  return REQUEST_STATES.map((state, i) => ({
    id: `r${i}`,
    title: `Restart MSExchangePOP3 (${state})`,
    state,
    stateLabel: state,
    risk: i % 3 === 0 ? 'destructive' : i % 3 === 1 ? 'change' : 'read',
    command: "Restart-Service -Name 'MSExchangePOP3' -Force # *not* markdown_",
    server: i % 2 === 0 ? 'EX01.contoso.com' : null,
    lines: ['Requested by Ann at 03:00Z', 'Expires 03:15Z'],
    actions:
      state === 'pending'
        ? [
            action(`approve:r${i}`, 'Approve', { style: 'primary' }),
            action(`reject:r${i}`, 'Reject', {
              style: 'danger',
              needsReason: { title: 'Reject', label: 'Reason', submit: 'Reject', optional: false },
            }),
            action(`cancel:r${i}`, 'Cancel request'),
            action(`breakglass:r${i}`, 'Break glass', {
              style: 'danger',
              confirm: { title: 'Sure?', text: 'Runs now', confirm: 'Run', deny: 'Cancel' },
              needsReason: { title: 'Why', label: 'Reason', submit: 'Run', optional: true },
            }),
          ]
        : [],
  }));
}

describe('renderAdaptiveCard on every card the shipped runbooks produce', () => {
  const cases: [string, Lang, 'unknown-role' | 'mailbox' | 'progress'][] = [];
  for (const id of catalog.sections.keys()) {
    for (const lang of LANGS) {
      for (const variant of ['unknown-role', 'mailbox', 'progress'] as const) {
        cases.push([id, lang, variant]);
      }
    }
  }

  it.each(cases)('%s (%s, %s) parses cleanly in adaptivecards', (id, lang, variant) => {
    const section = catalog.sections.get(id);
    if (!section) throw new Error(id);
    const card = buildRunbookCard(section, context(id, variant), lang);
    const json = renderAdaptiveCard(card);
    expect(adaptiveCardProblems(json)).toEqual([]);
    expect(ourChecks(json)).toEqual([]);
  });

  it('a card with requests in every state and status parses cleanly, in both languages', () => {
    for (const lang of LANGS) {
      const section = catalog.sections.get('pop-ctp');
      if (!section) throw new Error('pop-ctp');
      const card: Card = {
        ...buildRunbookCard(section, context('pop-ctp', 'progress'), lang),
        requests: requests(),
        status: { label: 'Waiting 10 min', tone: 'good' },
      };
      const json = renderAdaptiveCard(card);
      expect(adaptiveCardProblems(json)).toEqual([]);
      expect(ourChecks(json)).toEqual([]);
      const text = JSON.stringify(json);
      for (const state of REQUEST_STATES) expect(text).toContain(`(${state})`);
    }
  });
});

describe('renderAdaptiveCard details', () => {
  const section = catalog.sections.get('pop-ctp');
  if (!section) throw new Error('pop-ctp');
  const card = buildRunbookCard(section, context('pop-ctp', 'unknown-role'), 'en');
  const json = renderAdaptiveCard(card);
  const nodes: AcJson[] = [];
  walk(json, (n) => nodes.push(n));

  it('is an Adaptive Card 1.5 with the title, facts and the fallback text', () => {
    expect(json).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.5',
      fallbackText: card.fallbackText,
    });
    const runs = nodes.filter((n) => n.type === 'TextRun').map((n) => n.text);
    expect(runs).toContain(card.title);
    // Facts are TextRuns (verbatim), label then value.
    for (const f of card.facts) {
      expect(runs).toContain(`${f.label}: `);
      expect(runs).toContain(f.value);
    }
  });

  it('shows the exact PowerShell verbatim in monospace', () => {
    const commands = flatten(card.steps).flatMap((s) => s.commands.map((c) => c.text));
    expect(commands.length).toBeGreaterThan(0);
    const mono = nodes.filter((n) => n.type === 'TextRun' && n.fontType === 'Monospace');
    for (const c of commands) expect(mono.map((n) => n.text)).toContain(c);
  });

  it('gives every step button an Action.Execute carrying the card action value', () => {
    const executes = nodes.filter((n) => n.type === 'Action.Execute');
    for (const a of flatten(card.steps).flatMap((s) => s.actions)) {
      const hit = executes.find((e) => (e.data as { v: string }).v === a.value);
      expect(hit).toBeDefined();
    }
  });

  it('asks for confirmation before a destructive request: ShowCard, then confirmed:true', () => {
    const destructive = flatten(card.steps)
      .flatMap((s) => s.actions)
      .filter((a) => a.confirm);
    expect(destructive.length).toBeGreaterThan(0);
    for (const a of destructive) {
      const show = nodes.find((n) => n.type === 'Action.ShowCard' && n.id === a.id) as {
        style: string;
        card: { actions: { data: unknown }[] };
      };
      expect(show.style).toBe('destructive');
      expect(show.card.actions[0]?.data).toEqual({ v: a.value, confirmed: true });
      // No direct Execute for it: one click cannot make the request.
      expect(nodes.some((n) => n.type === 'Action.Execute' && n.id === a.id)).toBe(false);
    }
  });

  it('collects a reason in a ShowCard with a required Input.Text', () => {
    const json2 = renderAdaptiveCard({ ...card, requests: requests() });
    const found: AcJson[] = [];
    walk(json2, (n) => found.push(n));
    const reject = found.find((n) => n.type === 'Action.ShowCard' && n.id === 'reject:r0') as {
      card: { body: AcJson[]; actions: { data: { reasonInput: string } }[] };
    };
    const input = reject.card.body.find((n) => n.type === 'Input.Text');
    expect(input).toMatchObject({ isRequired: true, label: 'Reason' });
    expect(reject.card.actions[0]?.data.reasonInput).toBe(input?.id);
  });

  it('maps button styles: primary → positive, danger → destructive', () => {
    const styles = new Set(nodes.filter((n) => n.type === 'Action.Execute').map((n) => n.style));
    expect(
      [...styles].every((s) => ['default', 'positive', 'destructive'].includes(String(s))),
    ).toBe(true);
  });

  it('shortens a card that would not fit, saying how many steps are left out', () => {
    const many: CardStep[] = Array.from({ length: 150 }, (_, i) => ({
      ...(card.steps[1] as CardStep),
      id: `s${i}`,
      number: String(i + 1),
      text: 'x'.repeat(300),
      actions: [],
    }));
    const big = renderAdaptiveCard({ ...card, steps: many });
    expect(cardBytes(big)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(JSON.stringify(big)).toMatch(/\d+ more steps are not shown/);
    expect(adaptiveCardProblems(big)).toEqual([]);
  });

  it('splits more than 5 card-wide actions over several ActionSets', () => {
    const actions = Array.from({ length: 12 }, (_, i) => action(`a${i}`, `A${i}`));
    const out = renderAdaptiveCard({ ...card, actions, steps: [] });
    const sets: AcJson[] = [];
    walk(out, (n) => n.type === 'ActionSet' && sets.push(n));
    expect(sets.map((s) => (s.actions as unknown[]).length).slice(0, 3)).toEqual([5, 5, 2]);
    expect(adaptiveCardProblems(out)).toEqual([]);
  });
});

describe('renderReplyCard', () => {
  it('is null for plain text', () => {
    expect(renderReplyCard({ text: 'hello' })).toBeNull();
  });

  it('shows code blocks in monospace with the truncation note and the full-output link', () => {
    const json = renderReplyCard({
      text: 'Output of step 2',
      code: [
        {
          title: 'EX01',
          body: 'Name  Status\n----  ------',
          truncatedFrom: 90000,
          fullTextUrl: 'https://bot.example/out/1',
        },
      ],
    });
    expect(json).not.toBeNull();
    const s = JSON.stringify(json);
    expect(s).toContain('Monospace');
    expect(s).toContain('90000 characters');
    expect(s).toContain('https://bot.example/out/1');
    expect(adaptiveCardProblems(json as AcJson)).toEqual([]);
  });

  it('keeps the columns of command output (Teams collapses runs of spaces)', () => {
    expect(keepColumns('Name    State\n  x\ty')).toBe(
      'Name\u00a0\u00a0\u00a0 State\n\u00a0 x\u00a0\u00a0\u00a0 y',
    );
  });

  it('fits output in a wide script (multi-byte characters, escapes) too', () => {
    const json = renderReplyCard({
      text: 't',
      code: [{ body: '健康\n'.repeat(30_000) }],
    }) as AcJson;
    expect(cardBytes(json)).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });

  it('cuts a huge code body to fit the size limit', () => {
    const json = renderReplyCard({ text: 't', code: [{ body: 'y'.repeat(100_000) }] }) as AcJson;
    expect(cardBytes(json)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(JSON.stringify(json)).toContain('100000 characters');
  });
});

describe('tables (a step output, a pre-check evidence)', () => {
  const copies: CardTable = {
    title: 'Database copies',
    columns: [
      { key: 'database', label: 'Database' },
      { key: 'status', label: 'Status' },
      { key: 'copyQueue', label: 'Copy queue', align: 'right' },
    ],
    rows: [
      { cells: ['DB01', 'Mounted', '0'] },
      { cells: ['DB02', 'FailedAndSuspended', '212'], tone: 'attention' },
    ],
  };
  const nodesOf = (json: unknown, type: string): AcJson[] => {
    const out: AcJson[] = [];
    walk(json, (n) => {
      if (n.type === type) out.push(n);
    });
    return out;
  };
  const cellTexts = (row: AcJson): string[] =>
    (row.cells as AcJson[]).map((c) => JSON.stringify(c).match(/"text":"([^"]*)"/)?.[1] ?? '');

  it('draws a reply table as an Adaptive Card Table: header row first, numbers right, tone as style', () => {
    const json = renderReplyCard({ text: 'Step 2', tables: [copies] }) as AcJson;
    expect(json).not.toBeNull();
    expect(adaptiveCardProblems(json)).toEqual([]);
    expect(ourChecks(json)).toEqual([]);
    const [table] = nodesOf(json, 'Table');
    expect(table).toMatchObject({ firstRowAsHeaders: true, showGridLines: true });
    const columns = table?.columns as AcJson[];
    expect(columns).toHaveLength(3);
    expect(columns[2]).toMatchObject({ horizontalCellContentAlignment: 'Right' });
    for (const c of columns) expect(typeof c.width).toBe('number');
    const rows = table?.rows as AcJson[];
    expect(rows.map(cellTexts)).toEqual([
      ['Database', 'Status', 'Copy queue'],
      ['DB01', 'Mounted', '0'],
      ['DB02', 'FailedAndSuspended', '212'],
    ]);
    expect(rows[2]).toMatchObject({ style: 'attention' });
    // Cells are verbatim text, like the rest of the card.
    expect(nodesOf(json, 'TextBlock')).toEqual([]);
  });

  it('puts the raw output behind a "Raw output" ShowCard, in the reply language', () => {
    for (const [lang, label] of [
      ['en', 'Raw output'],
      ['zh-TW', '原始輸出'],
    ] as const) {
      const json = renderReplyCard(
        {
          text: 'Step 2',
          tables: [copies],
          code: [
            { title: 'PowerShell', body: 'Get-MailboxDatabaseCopyStatus -Server EX01' },
            { title: label, body: '[{"DatabaseName":"DB01"}]', raw: true },
          ],
          lang,
        },
        lang,
      ) as AcJson;
      expect(adaptiveCardProblems(json)).toEqual([]);
      const [show] = nodesOf(json, 'Action.ShowCard');
      expect(show?.title).toBe(label);
      expect(JSON.stringify(show?.card)).toContain('DatabaseName');
      // The command stays in view; only the raw output is folded.
      const body = json.body as AcJson[];
      const visible = JSON.stringify(body.filter((b) => b.type !== 'ActionSet'));
      expect(visible).toContain('Get-MailboxDatabaseCopyStatus');
      expect(visible).not.toContain('DatabaseName');
    }
  });

  it('cuts a big table to fit the card size and says how many rows are left out', () => {
    const big: CardTable = {
      columns: ['a', 'b', 'c', 'd', 'e'].map((k) => ({ key: k, label: k.toUpperCase() })),
      rows: Array.from({ length: 100 }, (_, i) => ({ cells: Array(5).fill(`Monitor${i}-健康`) })),
      omittedRows: 20,
    };
    const json = renderReplyCard({
      text: 't',
      tables: [big],
      code: [{ title: 'Raw output', body: 'x'.repeat(50_000), raw: true }],
    }) as AcJson;
    expect(cardBytes(json)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(adaptiveCardProblems(json)).toEqual([]);
    const shown = ((nodesOf(json, 'Table')[0]?.rows as AcJson[]).length ?? 0) - 1;
    expect(shown).toBeGreaterThan(1);
    expect(JSON.stringify(json)).toContain(`and ${120 - shown} more rows`);
  });

  it('an empty table says so', () => {
    const json = renderReplyCard({ text: 't', tables: [{ ...copies, rows: [] }] }, 'zh-TW');
    expect(JSON.stringify(json)).toContain('（無）');
  });

  it('draws a step evidence (verdict, tables) on the step, and the card still fits', () => {
    const section = catalog.sections.get('pop-ctp');
    if (!section) throw new Error('pop-ctp');
    for (const lang of LANGS) {
      const base = buildRunbookCard(section, context('pop-ctp', 'progress'), lang);
      const evidence = {
        verdict: 'Failover held: DB02 has no healthy copy elsewhere',
        tone: 'attention' as const,
        tables: [copies],
        checkedAt: '2026-12-01T07:40:00.000Z',
      };
      const one: Card = {
        ...base,
        steps: base.steps.map((st, i) => (i === 0 ? { ...st, evidence } : st)),
      };
      const json = renderAdaptiveCard(one);
      expect(adaptiveCardProblems(json)).toEqual([]);
      expect(ourChecks(json)).toEqual([]);
      const runs = nodesOf(json, 'TextRun');
      expect(runs.find((r) => r.text === evidence.verdict)).toMatchObject({ color: 'Attention' });
      expect(nodesOf(json, 'Table')).toHaveLength(1);
      // Evidence on every step: the card shortens (tables go first), the verdicts stay.
      const all: Card = { ...base, steps: base.steps.map((st) => ({ ...st, evidence })) };
      const crowded = renderAdaptiveCard(all);
      expect(adaptiveCardProblems(crowded)).toEqual([]);
      expect(ourChecks(crowded)).toEqual([]);
      expect(nodesOf(crowded, 'TextRun').some((r) => r.text === evidence.verdict)).toBe(true);
    }
  });
});

function flatten(steps: CardStep[]): CardStep[] {
  return steps.flatMap((s) => [s, ...flatten(s.steps)]);
}
