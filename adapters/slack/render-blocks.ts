import type { types } from '@slack/bolt';
import {
  decodeActionRef,
  encodeActionRef,
  type ActionRef,
} from '../../src/domain/cards/action-ref';
import type {
  Card,
  CardAction,
  CardLink,
  CardRequest,
  CardStep,
  CardTone,
  StepState,
} from '../../src/domain/cards/card';
import type { CodeBlock, Reply } from '../../src/app/chat/ports';
import type { Lang } from '../../src/domain/runbooks/text';
import { MAX_ACTION_ID, MAX_VALUE, slackActionId, slackButtonValue } from './action-codec';

/**
 * Card / Reply → Slack Block Kit. Pure. Any card, however large, comes out within Block Kit's
 * limits (Slack rejects the whole message otherwise, and an incident card that cannot be posted
 * is an alert nobody sees): long texts are cut, sub-steps collapse into their parent, and past
 * the block budget the rest of the steps become "N more steps — open the runbook".
 */

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** Notification and fallback text; Slack requires it alongside blocks. */
  text: string;
  blocks: Block[];
}

/** Block Kit's documented limits (api.slack.com/reference/block-kit). */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  value: MAX_VALUE,
  actionId: MAX_ACTION_ID,
  actionsElements: 25,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  fallbackText: 3000,
} as const;

const STEP_EMOJI: Record<StepState, string> = {
  pending: ':white_circle:',
  'not-applicable': ':heavy_minus_sign:',
  blocked: ':no_entry_sign:',
  'awaiting-approval': ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
  done: ':ballot_box_with_check:',
};

const REQUEST_EMOJI: Record<string, string> = {
  pending: ':hourglass_flowing_sand:',
  approved: ':thumbsup:',
  rejected: ':no_entry:',
  expired: ':alarm_clock:',
  cancelled: ':heavy_multiplication_x:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  unknown: ':grey_question:',
};

const TONE_EMOJI: Record<CardTone | 'good', string> = {
  info: ':information_source:',
  warning: ':warning:',
  attention: ':rotating_light:',
  good: ':large_green_circle:',
};

/** The few words the adapter adds itself; everything else comes translated in the card. */
const WORDS: Record<
  Lang,
  {
    moreSteps: (n: number) => string;
    openRunbook: string;
    moreRequests: (n: number) => string;
    moreChars: (n: number) => string;
    fullOutput: string;
    links: string;
  }
> = {
  en: {
    moreSteps: (n) => `${n} more step${n === 1 ? '' : 's'} — open the runbook`,
    openRunbook: 'Open the runbook',
    moreRequests: (n) => `${n} older request${n === 1 ? '' : 's'} not shown`,
    moreChars: (n) => `…(${n} more characters)`,
    fullOutput: 'Full output',
    links: 'Runbook',
  },
  'zh-TW': {
    moreSteps: (n) => `還有 ${n} 個步驟 — 請開啟操作手冊`,
    openRunbook: '開啟操作手冊',
    moreRequests: (n) => `另有 ${n} 個較早的申請未顯示`,
    moreChars: (n) => `…(另有 ${n} 個字元)`,
    fullOutput: '完整輸出',
    links: '操作手冊',
  },
};

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Slack mrkdwn's three control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `max` characters (with "…"), never in the middle of an escape like `&amp;`. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  let s = text.slice(0, max - 1);
  s = s.replace(/&[a-z]{0,3}$/, '');
  return `${s}…`;
}

/** Plain text (header, buttons, dialogs); Slack rejects an empty one. */
function plain(text: string, max: number): types.PlainTextElement {
  const t = cut(text.trim(), max);
  return { type: 'plain_text', text: t.length > 0 ? t : '-', emoji: true };
}

function mrkdwnSection(text: string): types.SectionBlock {
  const t = cut(text, LIMITS.sectionText);
  return { type: 'section', text: { type: 'mrkdwn', text: t.length > 0 ? t : ' ' } };
}

function safeUrl(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

function link(l: CardLink): string {
  return `<${safeUrl(l.url)}|${esc(l.title.replace(/[|>]/g, ' '))}>`;
}

/**
 * A code block of at most `max` characters, fences included. Returns the text and how many
 * characters of `body` were left out.
 */
function code(body: string, max: number): { text: string; omitted: number } {
  // A "```" inside would close the fence early; a zero-width space keeps it visible but inert.
  const clean = esc(body.replace(/```/g, '`\u200b``'));
  const room = Math.max(0, max - 8);
  if (clean.length <= room) return { text: `\`\`\`${clean}\`\`\``, omitted: 0 };
  const shown = cut(clean, room);
  return {
    text: `\`\`\`${shown}\`\`\``,
    omitted: Math.max(
      1,
      body.length - Math.round((body.length * (shown.length - 1)) / clean.length),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Buttons

interface Ids {
  used: Set<string>;
}

function button(action: CardAction, ids: Ids, labelPrefix = ''): types.Button | null {
  const value = slackButtonValue(action);
  // A value Slack would refuse cannot be sent back to us; leave the button out rather than
  // lose the whole card. The core's values are small, so this is a guard, not a path.
  if (value.length > LIMITS.value) return null;
  let id = slackActionId(action).slice(0, LIMITS.actionId);
  for (let n = 2; ids.used.has(id); n++) {
    const suffix = `~${n}`;
    id = `${slackActionId(action).slice(0, LIMITS.actionId - suffix.length)}${suffix}`;
  }
  ids.used.add(id);
  const b: types.Button = {
    type: 'button',
    action_id: id,
    text: plain(`${labelPrefix}${action.label}`, LIMITS.buttonText),
    value,
  };
  if (action.style !== 'default') b.style = action.style;
  if (action.confirm) {
    b.confirm = {
      title: plain(action.confirm.title, LIMITS.confirmTitle),
      text: plain(action.confirm.text, LIMITS.confirmText),
      confirm: plain(action.confirm.confirm, LIMITS.confirmButton),
      deny: plain(action.confirm.deny, LIMITS.confirmButton),
      ...(action.style === 'danger' ? { style: 'danger' as const } : {}),
    };
  }
  return b;
}

function actionsBlocks(buttons: types.Button[], maxBlocks = Infinity): types.ActionsBlock[] {
  const out: types.ActionsBlock[] = [];
  for (let i = 0; i < buttons.length && out.length < maxBlocks; i += LIMITS.actionsElements) {
    out.push({ type: 'actions', elements: buttons.slice(i, i + LIMITS.actionsElements) });
  }
  return out;
}

function buttons(actions: readonly CardAction[], ids: Ids, labelPrefix = ''): types.Button[] {
  return actions
    .map((a) => button(a, ids, labelPrefix))
    .filter((b): b is types.Button => b !== null);
}

// ---------------------------------------------------------------------------------------------
// Steps

function stepHead(step: CardStep, maxLen: number): string {
  const lines = [
    `${step.depth > 0 ? '↳ ' : ''}${STEP_EMOJI[step.state]} *${esc(step.number)}.* ${esc(step.text)}`,
    `_${esc(step.kindLabel)} · ${esc(step.stateLabel)}_`,
  ];
  if (step.condition) lines.push(`_${esc(step.condition)}_`);
  if (step.timing) lines.push(`:stopwatch: ${esc(step.timing)}`);
  if (step.blockedReason) lines.push(`:no_entry_sign: ${esc(step.blockedReason)}`);
  for (const n of step.notes) lines.push(`• ${esc(n)}`);
  if (step.links.length > 0) lines.push(step.links.map(link).join(' · '));
  return cut(lines.join('\n'), maxLen);
}

function stepCommands(step: CardStep, max: number): string {
  if (step.commands.length === 0 || max < 40) return '';
  const per = Math.floor(max / step.commands.length);
  return step.commands
    .map((c) => {
      const label = c.roleLabel ? `*${esc(c.roleLabel)}*\n` : '';
      return label + code(c.text, per - label.length - 1).text;
    })
    .join('\n');
}

/** The step, then each sub-step, each as a section and its buttons. */
function fullStep(step: CardStep, ids: Ids): Block[] {
  const head = stepHead(step, 1500);
  const cmds = stepCommands(step, LIMITS.sectionText - head.length - 1);
  const out: Block[] = [mrkdwnSection(cmds ? `${head}\n${cmds}` : head)];
  out.push(...actionsBlocks(buttons(step.actions, ids)));
  for (const sub of step.steps) out.push(...fullStep(sub, ids));
  return out;
}

function flatten(steps: readonly CardStep[]): CardStep[] {
  return steps.flatMap((s) => [s, ...flatten(s.steps)]);
}

/**
 * One section for the step with its sub-steps as one line each, and at most one actions block
 * with all their buttons (labelled with the sub-step's number, as they no longer sit under it).
 */
function collapsedStep(step: CardStep, ids: Ids): Block[] {
  const subs = flatten(step.steps);
  const subLines = subs.map(
    (s) =>
      `↳ ${STEP_EMOJI[s.state]} *${esc(s.number)}.* ${cut(esc(s.text), 120)} _(${esc(s.kindLabel)})_`,
  );
  const subText = cut(subLines.join('\n'), 1600);
  const head = stepHead(step, 800);
  const cmds = stepCommands(step, LIMITS.sectionText - head.length - subText.length - 2);
  const text = [head, cmds, subText].filter((t) => t.length > 0).join('\n');
  const all = [
    ...buttons(step.actions, ids),
    ...subs.flatMap((s) => buttons(s.actions, ids, `${s.number} · `)),
  ].slice(0, LIMITS.actionsElements);
  return [mrkdwnSection(text), ...actionsBlocks(all, 1)];
}

// ---------------------------------------------------------------------------------------------
// Requests (the approval block)

function requestBlocks(r: CardRequest, ids: Ids): Block[] {
  const head = [
    `${REQUEST_EMOJI[r.state] ?? ':grey_question:'} *${esc(r.title)}* — ${esc(r.stateLabel)}`,
    ...r.lines.map((l) => `• ${esc(l)}`),
  ].join('\n');
  const headText = cut(head, 1500);
  const cmd = code(r.command, LIMITS.sectionText - headText.length - 1).text;
  return [mrkdwnSection(`${headText}\n${cmd}`), ...actionsBlocks(buttons(r.actions, ids), 1)];
}

// ---------------------------------------------------------------------------------------------
// Cards

/** A button to the card's own section, for when steps had to be left out. */
function openRunbookAction(card: Card): CardAction | null {
  const refs = [...card.actions, ...flatten(card.steps).flatMap((s) => s.actions)]
    .map((a) => decodeActionRef(a.value))
    .filter((r): r is ActionRef => r !== null);
  const first = refs[0];
  if (!first) return null;
  const ref: ActionRef = {
    v: 1,
    op: 'open-section',
    section: first.section,
    ...(first.incident !== undefined ? { incident: first.incident } : {}),
    ...(first.version !== undefined ? { version: first.version } : {}),
  };
  return {
    id: `more:${first.section}`,
    label: WORDS[card.lang].openRunbook,
    style: 'default',
    value: encodeActionRef(ref),
  };
}

/** The card as Block Kit within `maxBlocks` (≤ 50) blocks. */
export function renderCardBlocks(card: Card, maxBlocks: number = LIMITS.blocks): SlackMessage {
  const W = WORDS[card.lang] ?? WORDS.en;
  const ids: Ids = { used: new Set() };
  const budget = Math.min(maxBlocks, LIMITS.blocks);

  const head: Block[] = [{ type: 'header', text: plain(card.title, LIMITS.headerText) }];
  const line = [
    card.status
      ? `${TONE_EMOJI[card.status.tone]} *${esc(card.status.label)}*`
      : TONE_EMOJI[card.tone],
    card.subtitle ? esc(card.subtitle) : '',
  ].filter((s) => s.length > 0);
  head.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: cut(line.join('  ·  '), LIMITS.contextText) }],
  });
  // Facts: ten fields per section, at most two sections (the card model has 15 fact kinds).
  for (let i = 0; i < card.facts.length && i < 2 * LIMITS.fields; i += LIMITS.fields) {
    head.push({
      type: 'section',
      fields: card.facts.slice(i, i + LIMITS.fields).map((f) => ({
        type: 'mrkdwn' as const,
        text: cut(`*${esc(f.label)}*\n${esc(f.value)}`, LIMITS.fieldText),
      })),
    });
  }
  if (card.summary) head.push(mrkdwnSection(esc(card.summary)));
  if (card.notes.length > 0)
    head.push(mrkdwnSection(card.notes.map((n) => `• ${esc(n)}`).join('\n')));

  // Card-wide buttons and links come last but are reserved first: they are small and matter.
  const tail: Block[] = [...actionsBlocks(buttons(card.actions, ids), 1)];
  if (card.links.length > 0) {
    tail.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: cut(
            `:book: ${esc(W.links)}: ${card.links.map(link).join(' · ')}`,
            LIMITS.contextText,
          ),
        },
      ],
    });
  }

  // A tiny budget (a card attached to a long reply) keeps only what fits, header first.
  if (head.length + tail.length + 2 > budget) {
    return { text: fallback(card), blocks: [...head, ...tail].slice(0, Math.max(1, budget)) };
  }
  let room = budget - head.length - tail.length;

  const middle: Block[] = [];
  const requests = card.requests ?? [];
  if (requests.length > 0 && room >= 2) {
    // Newest first; keep a divider, a "more" line and some blocks for the steps.
    const reqRoom = Math.max(0, room - 2 - Math.min(6, card.steps.length > 0 ? 3 : 0));
    const reqBlocks: Block[] = [];
    let shown = 0;
    for (const r of requests) {
      const b = requestBlocks(r, ids);
      if (reqBlocks.length + b.length > reqRoom) break;
      reqBlocks.push(...b);
      shown++;
    }
    middle.push({ type: 'divider' }, ...reqBlocks);
    if (shown < requests.length) {
      middle.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: W.moreRequests(requests.length - shown) }],
      });
    }
    room -= middle.length;
  }

  if (card.steps.length > 0 && room >= 2) {
    middle.push({ type: 'divider' });
    room -= 1;
    middle.push(...stepBlocks(card, room, ids, W));
  }

  // The accounting above keeps within the budget; this only guards against a slip in it.
  const fitted = middle.slice(0, Math.max(0, budget - head.length - tail.length));
  return { text: fallback(card), blocks: [...head, ...fitted, ...tail] };
}

function stepBlocks(card: Card, room: number, ids: Ids, W: (typeof WORDS)[Lang]): Block[] {
  // Rendering is pure but button ids are claimed as they are made; render candidates on
  // scratch id sets and render the chosen forms again on the real one.
  const scratch = (): Ids => ({ used: new Set(ids.used) });
  const full = card.steps.map((s) => fullStep(s, scratch()).length);
  const collapsed = card.steps.map((s) => collapsedStep(s, scratch()).length);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  if (sum(full) <= room) return card.steps.flatMap((s) => fullStep(s, ids));

  if (sum(collapsed) <= room) {
    // Start collapsed, then open steps in order while the budget allows.
    let slack = room - sum(collapsed);
    const open = card.steps.map((_, i) => {
      const extra = (full[i] ?? 0) - (collapsed[i] ?? 0);
      if (extra <= slack) {
        slack -= extra;
        return true;
      }
      return false;
    });
    return card.steps.flatMap((s, i) => (open[i] ? fullStep(s, ids) : collapsedStep(s, ids)));
  }

  // Even collapsed the steps do not fit: show what fits and point to the runbook for the rest.
  if (room < 1) return [];
  const more = room >= 2 ? openRunbookAction(card) : null;
  const reserve = more ? 2 : 1;
  const out: Block[] = [];
  let shown = 0;
  for (const s of card.steps) {
    const n = collapsedStep(s, scratch()).length;
    if (out.length + n > room - reserve) break;
    out.push(...collapsedStep(s, ids));
    shown++;
  }
  const rest = card.steps.length - shown;
  const links = card.links.length > 0 ? `\n${card.links.slice(0, 10).map(link).join(' · ')}` : '';
  out.push(mrkdwnSection(`:page_facing_up: *${esc(W.moreSteps(rest))}*${links}`));
  if (more) out.push(...actionsBlocks(buttons([more], ids), 1));
  return out;
}

function fallback(card: Card): string {
  const status = card.status ? ` — ${card.status.label}` : '';
  return cut(`${card.fallbackText}${status}`, LIMITS.fallbackText);
}

// ---------------------------------------------------------------------------------------------
// Replies

function codeSection(block: CodeBlock, W: (typeof WORDS)[Lang]): types.SectionBlock {
  const title = block.title ? `*${cut(esc(block.title), 200)}*\n` : '';
  const url = block.fullTextUrl ? ` <${safeUrl(block.fullTextUrl)}|${W.fullOutput}>` : '';
  // Room for the note "…(N more characters)" and the link.
  const noteRoom = 60 + url.length;
  const c = code(block.body, LIMITS.sectionText - title.length - noteRoom);
  const omitted =
    c.omitted +
    (block.truncatedFrom !== undefined ? Math.max(0, block.truncatedFrom - block.body.length) : 0);
  const note = omitted > 0 ? `\n_${W.moreChars(omitted)}_${url}` : url ? `\n${url.trim()}` : '';
  return mrkdwnSection(`${title}${c.text}${note}`);
}

/** A reply: its text, its code blocks, and its card if any, within the limits. */
export function renderReplyBlocks(
  reply: Reply,
  lang: Lang = reply.card?.lang ?? 'en',
): SlackMessage {
  const W = WORDS[lang] ?? WORDS.en;
  const blocks: Block[] = [];
  if (reply.text.trim().length > 0) blocks.push(mrkdwnSection(esc(reply.text)));
  const codes = reply.code ?? [];
  // Leave room for a card: the card's own rendering degrades into whatever is left.
  const codeRoom = LIMITS.blocks - blocks.length - (reply.card ? 12 : 0);
  for (const c of codes.slice(0, Math.max(0, codeRoom))) blocks.push(codeSection(c, W));
  if (codes.length > codeRoom && codeRoom > 0) {
    blocks[blocks.length - 1] = mrkdwnSection(
      `_${W.moreChars(codes.slice(codeRoom - 1).reduce((n, c) => n + c.body.length, 0))}_`,
    );
  }
  if (reply.card) {
    const card = renderCardBlocks(reply.card, LIMITS.blocks - blocks.length);
    blocks.push(...card.blocks);
  }
  const text = reply.text.trim().length > 0 ? reply.text : (reply.card?.fallbackText ?? '…');
  return { text: cut(text, LIMITS.fallbackText), blocks };
}

// ---------------------------------------------------------------------------------------------
// Checking (tests, and a guard before sending)

/** Every Block Kit limit the message breaks; empty when Slack will take it. */
export function blockKitProblems(blocks: readonly Block[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks > ${LIMITS.blocks}`);
  const textOk = (where: string, t: { text: string } | undefined, max: number) => {
    if (!t) return;
    if (t.text.length === 0) problems.push(`${where}: empty text`);
    if (t.text.length > max) problems.push(`${where}: text ${t.text.length} > ${max}`);
  };
  blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    switch (b.type) {
      case 'header':
        textOk(at, b.text, LIMITS.headerText);
        break;
      case 'section':
        textOk(at, b.text, LIMITS.sectionText);
        if (!b.text && !b.fields) problems.push(`${at}: neither text nor fields`);
        if (b.fields && b.fields.length > LIMITS.fields) problems.push(`${at}: > 10 fields`);
        b.fields?.forEach((f, j) => textOk(`${at} field ${j}`, f, LIMITS.fieldText));
        break;
      case 'context':
        if (b.elements.length > LIMITS.contextElements) problems.push(`${at}: > 10 elements`);
        b.elements.forEach((e, j) => {
          if (e.type === 'mrkdwn' || e.type === 'plain_text')
            textOk(`${at} el ${j}`, e, LIMITS.contextText);
        });
        break;
      case 'actions':
        if (b.elements.length > LIMITS.actionsElements) problems.push(`${at}: > 25 elements`);
        if (b.elements.length === 0) problems.push(`${at}: no elements`);
        for (const e of b.elements) {
          if (e.type !== 'button') continue;
          textOk(`${at} button`, e.text, LIMITS.buttonText);
          const id = e.action_id ?? '';
          if (id.length === 0 || id.length > LIMITS.actionId)
            problems.push(`${at}: action_id length ${id.length}`);
          if (ids.has(id)) problems.push(`${at}: duplicate action_id ${id}`);
          ids.add(id);
          if ((e.value ?? '').length > LIMITS.value)
            problems.push(`${at}: value > ${LIMITS.value}`);
          if (e.confirm) {
            textOk(`${at} confirm title`, e.confirm.title, LIMITS.confirmTitle);
            textOk(`${at} confirm text`, e.confirm.text, LIMITS.confirmText);
            textOk(`${at} confirm ok`, e.confirm.confirm, LIMITS.confirmButton);
            textOk(`${at} confirm deny`, e.confirm.deny, LIMITS.confirmButton);
          }
        }
        break;
      default:
        break;
    }
  });
  return problems;
}
