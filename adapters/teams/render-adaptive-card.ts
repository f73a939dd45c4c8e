// Over 450 lines, kept whole for now: one card renderer (a card, its steps, requests, buttons and a
// reply preface share the text helpers and the size budget); tables live in table-elements.ts.
import type {
  Card,
  CardAction,
  CardCommand,
  CardLink,
  CardRequest,
  CardStep,
  CardTone,
  StepState,
} from '../../src/domain/cards/card';
import type { CodeBlock, Reply } from '../../src/app/chat/ports';
import { DEFAULT_LANG, type Lang } from '../../src/domain/runbooks/text';
import { plural, t } from '../../src/domain/strings';
import { evidenceElements, rowsFor, tableElements, toneColor } from './table-elements';

/**
 * Card → Adaptive Card 1.5 JSON for Teams. Pure. Buttons are Universal Actions (`Action.Execute`)
 * whose data carries the card action's opaque value back; confirmations and reasons live in an
 * `Action.ShowCard`, so the request is only made after the second click.
 *
 * Free text (runbook texts, commands, names, every alert field) goes into RichTextBlock TextRuns,
 * which Teams shows verbatim: a TextBlock or a FactSet would treat `*`, `_` or `[x](y)` in a
 * command, a note or an alert's name as markdown. This file makes no TextBlock and no FactSet
 * (escaping-teams.test.ts checks); XML text goes through `escapeXml` (escape.ts).
 */

/** A JSON object of the Adaptive Card schema; kept loose because the schema is large. */
export type AcJson = { [key: string]: unknown };

export const ADAPTIVE_CARD_VERSION = '1.5';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The `verb` of every Action.Execute the bot sends; anything else is not ours. */
export const EXECUTE_VERB = 'exchops';
/**
 * Teams refuses messages over about 28 KB including the activity around the card; the card gets
 * this much and is shortened until it fits.
 */
export const MAX_CARD_BYTES = 24_000;
/**
 * Teams shows at most 6 actions per set; the Adaptive Cards default host config allows 5, and
 * Microsoft's validator enforces that, so sets are cut at 5.
 */
export const MAX_ACTIONS_PER_SET = 5;

/** What an Action.Execute sends back in `action.data` (plus the value of its reason input). */
export interface ExecuteData {
  v: string;
  confirmed?: true;
  /** The id of the Input.Text whose value is the reason. */
  reasonInput?: string;
}

interface Detail {
  /** full: everything; compact: no step notes and links; minimal: also no commands or sub-step details. */
  steps: 'full' | 'compact' | 'minimal';
  /** How many top-level steps to draw; the rest are counted in a "more steps" line. */
  maxSteps: number;
  maxRequests: number;
}

/** Renders a card, shortening it until it fits Teams' size limit. */
export function renderAdaptiveCard(card: Card, preface?: Reply): AcJson {
  const tries: Detail[] = [
    { steps: 'full', maxSteps: Infinity, maxRequests: Infinity },
    { steps: 'compact', maxSteps: Infinity, maxRequests: Infinity },
    { steps: 'minimal', maxSteps: Infinity, maxRequests: Infinity },
  ];
  for (const detail of tries) {
    const json = build(card, detail, preface);
    if (cardBytes(json) <= MAX_CARD_BYTES) return json;
  }
  // Still too big: draw fewer steps (binary search), then fewer requests.
  let lo = 0;
  let hi = card.steps.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const fits =
      cardBytes(build(card, { steps: 'minimal', maxSteps: mid, maxRequests: Infinity }, preface)) <=
      MAX_CARD_BYTES;
    if (fits) lo = mid;
    else hi = mid - 1;
  }
  const withSteps = build(card, { steps: 'minimal', maxSteps: lo, maxRequests: Infinity }, preface);
  if (cardBytes(withSteps) <= MAX_CARD_BYTES) return withSteps;
  return build(card, { steps: 'minimal', maxSteps: 0, maxRequests: 3 }, preface);
}

/** A reply as an Adaptive Card, or null when plain text says it all. */
export function renderReplyCard(reply: Reply, lang: Lang = DEFAULT_LANG): AcJson | null {
  if (reply.card) return renderAdaptiveCard(reply.card, reply);
  if ((!reply.code || reply.code.length === 0) && (!reply.tables || reply.tables.length === 0)) {
    return null;
  }
  // The budget is in characters; escapes and non-ASCII text take more bytes, so halve until it fits.
  let budget = MAX_CARD_BYTES - 2_000;
  let json = root(prefaceElements(reply, lang, budget), reply.text);
  while (cardBytes(json) > MAX_CARD_BYTES && budget > 200) {
    budget = Math.floor(budget / 2);
    json = root(prefaceElements(reply, lang, budget), reply.text);
  }
  return json;
}

export function cardBytes(json: AcJson): number {
  return Buffer.byteLength(JSON.stringify(json), 'utf8');
}

function build(card: Card, detail: Detail, preface: Reply | undefined): AcJson {
  const lang = card.lang;
  const inputs = { next: 1 };
  const body: AcJson[] = [];
  if (preface) body.push(...prefaceElements(preface, lang, 6_000));

  body.push({
    type: 'Container',
    style: toneStyle(card.tone),
    bleed: true,
    items: [
      rich([{ text: card.title, size: 'Large', weight: 'Bolder' }]),
      ...(card.subtitle
        ? [rich([{ text: card.subtitle, isSubtle: true }], { spacing: 'None' })]
        : []),
    ],
  });
  if (card.status) {
    body.push(
      rich([
        { text: `● ${card.status.label}`, weight: 'Bolder', color: toneColor(card.status.tone) },
      ]),
    );
  }
  if (card.summary) body.push(rich([{ text: card.summary }]));
  // Not a FactSet: Teams reads its titles and values as markdown, and the values are alert text
  // (server, health set) where `[click](https://…)` would become a link.
  card.facts.forEach((f, i) =>
    body.push(
      rich([{ text: `${f.label}: `, weight: 'Bolder' }, { text: f.value }], {
        spacing: i === 0 ? 'Default' : 'None',
      }),
    ),
  );
  for (const note of card.notes) body.push(rich([{ text: note, isSubtle: true }]));

  if (card.requests && card.requests.length > 0) {
    body.push(
      rich([{ text: t(lang, 'teams.requests'), weight: 'Bolder', size: 'Medium' }], {
        separator: true,
      }),
    );
    const shown = card.requests.slice(0, detail.maxRequests);
    for (const r of shown) body.push(...requestElements(r, lang, inputs));
    const hidden = card.requests.length - shown.length;
    if (hidden > 0)
      body.push(rich([{ text: plural(lang, 'teams.moreRequests', hidden), isSubtle: true }]));
  }

  const shownSteps = card.steps.slice(0, detail.maxSteps);
  for (const step of shownSteps) body.push(stepContainer(step, detail, inputs, lang));
  const hiddenSteps = countSteps(card.steps.slice(shownSteps.length));
  if (hiddenSteps > 0) {
    body.push(
      rich([{ text: plural(lang, 'teams.moreSteps', hiddenSteps), isSubtle: true, italic: true }], {
        separator: true,
      }),
    );
  }

  if (card.actions.length > 0) {
    body.push(
      ...actionSets(
        card.actions.map((a) => toAction(a, inputs, lang)),
        { separator: true },
      ),
    );
  }
  if (card.links.length > 0) body.push(...actionSets(card.links.map(openUrl)));
  return root(body, card.fallbackText);
}

function root(body: AcJson[], fallbackText: string): AcJson {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText,
    // Teams draws cards narrow unless told; incident cards carry PowerShell lines.
    msteams: { width: 'Full' },
    body,
  };
}

/**
 * A reply's text, its tables, its code. With tables, the raw output they were parsed from sits
 * behind an `Action.ShowCard` ("Raw output"): one click away, not in the way.
 */
function prefaceElements(reply: Reply, lang: Lang, budget: number): AcJson[] {
  const out: AcJson[] = [rich([{ text: reply.text }])];
  const tables = reply.tables ?? [];
  const code = reply.code ?? [];
  // The tables are what people read: they get most of the room, the code blocks share the rest.
  const tableShare = tables.length === 0 ? 0 : code.length === 0 ? budget : budget * 0.6;
  const each = code.length > 0 ? Math.floor((budget - tableShare) / code.length) : budget;
  for (const table of tables) {
    out.push(...tableElements(table, lang, rowsFor(table, tableShare / tables.length)));
  }
  const folded: AcJson[] = [];
  for (const block of code) {
    const elements = codeElements(block, lang, each);
    if (block.raw && tables.length > 0) folded.push(...elements);
    else out.push(...elements);
  }
  if (folded.length > 0) {
    out.push({
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.ShowCard',
          title: t(lang, 'table.rawOutput'),
          card: { type: 'AdaptiveCard', body: folded },
        },
      ],
    });
  }
  return out;
}

function codeElements(block: CodeBlock, lang: Lang, maxChars: number): AcJson[] {
  const out: AcJson[] = [];
  if (block.title) out.push(rich([{ text: block.title, weight: 'Bolder' }]));
  const cut = block.body.length > maxChars;
  const body = cut ? `${block.body.slice(0, Math.max(0, maxChars - 1))}…` : block.body;
  out.push(monospace(keepColumns(body)));
  const from = block.truncatedFrom ?? (cut ? block.body.length : undefined);
  if (from !== undefined) {
    out.push(
      rich([{ text: t(lang, 'teams.truncated', { count: from }), isSubtle: true, italic: true }]),
    );
  }
  if (block.fullTextUrl)
    out.push(
      ...actionSets([openUrl({ title: t(lang, 'reply.fullOutput'), url: block.fullTextUrl })]),
    );
  return out;
}

/**
 * Command output is often a table aligned with spaces; Teams collapses runs of spaces in text.
 * Runs become non-breaking spaces plus one normal space (so long lines can still wrap), tabs four
 * spaces. Only for output: commands are shown untouched so that a copy runs as shown.
 */
export function keepColumns(text: string): string {
  return text
    .replace(/\t/g, '    ')
    .replace(/ {2,}/g, (run) => `${'\u00a0'.repeat(run.length - 1)} `)
    .replace(/^ /gm, '\u00a0');
}

function requestElements(r: CardRequest, lang: Lang, inputs: { next: number }): AcJson[] {
  const items: AcJson[] = [
    rich([
      { text: r.title, weight: 'Bolder' },
      { text: ' — ' },
      { text: r.stateLabel, weight: 'Bolder', color: requestColor(r.state) },
    ]),
    rich(
      [
        {
          text: t(lang, `request.risk.${r.risk}`),
          color: r.risk === 'destructive' ? 'Attention' : 'Default',
        },
        ...(r.server ? [{ text: ` · ${t(lang, 'card.fact.server')}: ${r.server}` }] : []),
      ],
      { spacing: 'None' },
    ),
    monospace(r.command),
    ...r.lines.map((line) => rich([{ text: line, isSubtle: true }], { spacing: 'None' })),
  ];
  items.push(...actionSets(r.actions.map((a) => toAction(a, inputs, lang))));
  return [{ type: 'Container', separator: true, items }];
}

function stepContainer(
  step: CardStep,
  detail: Detail,
  inputs: { next: number },
  lang: Lang,
): AcJson {
  const sub = step.depth > 0;
  const full = detail.steps === 'full';
  const minimalSub = detail.steps === 'minimal' && sub;
  const items: AcJson[] = [
    rich([
      { text: `${step.number}  `, weight: 'Bolder' },
      { text: step.kindLabel, isSubtle: true },
      { text: `  ${stateIcon(step.state)} ${step.stateLabel}`, color: stateColor(step.state) },
    ]),
    rich([{ text: step.text }], { spacing: 'Small' }),
  ];
  if (!minimalSub) {
    const when = [step.condition, step.timing].filter((t): t is string => !!t).join(' ');
    if (when) items.push(rich([{ text: when, isSubtle: true, italic: true }], { spacing: 'None' }));
    if (step.blockedReason) items.push(rich([{ text: step.blockedReason, color: 'Warning' }]));
  }
  if (detail.steps !== 'minimal') {
    for (const c of step.commands) items.push(commandElement(c));
  }
  // The evidence comes before the buttons: what the click would be decided on.
  if (step.evidence) {
    const rows = full ? 20 : detail.steps === 'compact' ? 8 : 0;
    items.push(...evidenceElements(step.evidence, lang, rows));
  }
  if (full) {
    for (const note of step.notes) items.push(rich([{ text: note, isSubtle: true }]));
  }
  const actions = step.actions.map((a) => toAction(a, inputs, lang));
  if (full) actions.push(...step.links.map(openUrl));
  items.push(...actionSets(actions));
  for (const child of step.steps) items.push(stepContainer(child, detail, inputs, lang));
  return { type: 'Container', separator: !sub, spacing: sub ? 'Small' : 'Medium', items };
}

function commandElement(c: CardCommand): AcJson {
  const items: AcJson[] = [];
  if (c.roleLabel) items.push(rich([{ text: c.roleLabel, isSubtle: true, size: 'Small' }]));
  items.push(monospace(c.text));
  return { type: 'Container', style: 'emphasis', spacing: 'Small', items };
}

function monospace(text: string): AcJson {
  return {
    type: 'Container',
    style: 'emphasis',
    spacing: 'Small',
    items: [rich([{ text, fontType: 'Monospace', size: 'Small' }])],
  };
}

interface Run {
  text: string;
  weight?: 'Bolder';
  size?: 'Small' | 'Medium' | 'Large';
  color?: 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
  isSubtle?: boolean;
  italic?: boolean;
  fontType?: 'Monospace';
}

function rich(runs: Run[], extra: AcJson = {}): AcJson {
  return {
    type: 'RichTextBlock',
    ...extra,
    inlines: runs.filter((r) => r.text !== '').map((r) => ({ type: 'TextRun', ...r })),
  };
}

function toAction(a: CardAction, inputs: { next: number }, lang: Lang): AcJson {
  const style =
    a.style === 'danger' ? 'destructive' : a.style === 'primary' ? 'positive' : 'default';
  if (!a.confirm && !a.needsReason) return execute(a.id, a.label, style, { v: a.value });
  const body: AcJson[] = [];
  const data: ExecuteData = { v: a.value };
  if (a.confirm) {
    body.push(
      rich([{ text: a.confirm.title, weight: 'Bolder' }]),
      rich([{ text: a.confirm.text }]),
    );
    data.confirmed = true;
  }
  if (a.needsReason) {
    const id = `reason-${inputs.next++}`;
    if (!a.confirm) body.push(rich([{ text: a.needsReason.title, weight: 'Bolder' }]));
    body.push({
      type: 'Input.Text',
      id,
      label: a.needsReason.label,
      isRequired: !a.needsReason.optional,
      errorMessage: t(lang, 'teams.reasonRequired'),
      isMultiline: true,
      maxLength: 500,
    });
    data.reasonInput = id;
  }
  const submit = a.needsReason?.submit ?? a.confirm?.confirm ?? a.label;
  return {
    type: 'Action.ShowCard',
    id: a.id,
    title: a.label,
    style,
    card: { type: 'AdaptiveCard', body, actions: [execute(`${a.id}/ok`, submit, style, data)] },
  };
}

function execute(id: string, title: string, style: string, data: ExecuteData): AcJson {
  return { type: 'Action.Execute', id, title, verb: EXECUTE_VERB, style, data };
}

function openUrl(link: CardLink): AcJson {
  return { type: 'Action.OpenUrl', title: link.title, url: link.url };
}

function actionSets(actions: AcJson[], extra: AcJson = {}): AcJson[] {
  const sets: AcJson[] = [];
  for (let i = 0; i < actions.length; i += MAX_ACTIONS_PER_SET) {
    sets.push({
      type: 'ActionSet',
      ...(i === 0 ? extra : { spacing: 'Small' }),
      actions: actions.slice(i, i + MAX_ACTIONS_PER_SET),
    });
  }
  return sets;
}

function countSteps(steps: readonly CardStep[]): number {
  return steps.reduce((n, s) => n + 1 + countSteps(s.steps), 0);
}

function toneStyle(tone: CardTone): string {
  return tone === 'attention' ? 'attention' : tone === 'warning' ? 'warning' : 'emphasis';
}

function requestColor(state: string): Run['color'] {
  if (state === 'approved' || state === 'succeeded') return 'Good';
  if (state === 'rejected' || state === 'failed' || state === 'unknown') return 'Attention';
  if (state === 'pending' || state === 'running') return 'Accent';
  return 'Default';
}

const STATE_ICONS: Record<StepState, string> = {
  pending: '○',
  'not-applicable': '–',
  blocked: '⛔',
  'awaiting-approval': '⏸',
  running: '▶',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭',
  done: '✔',
};

function stateIcon(state: StepState): string {
  return STATE_ICONS[state];
}

function stateColor(state: StepState): Run['color'] {
  switch (state) {
    case 'succeeded':
    case 'done':
      return 'Good';
    case 'failed':
      return 'Attention';
    case 'blocked':
      return 'Warning';
    case 'awaiting-approval':
    case 'running':
      return 'Accent';
    default:
      return 'Default';
  }
}
