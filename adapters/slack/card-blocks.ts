import type { Card, CardRequest, CardTone } from '../../src/domain/cards/card';
import { plural, t } from '../../src/domain/strings';
import {
  LIMITS,
  actionsBlocks,
  buttons,
  code,
  cut,
  esc,
  fallbackText,
  link,
  mrkdwnSection,
  plain,
  type Block,
  type Ids,
  type SlackMessage,
} from './block-kit';
import { stepBlocks } from './step-blocks';

/** A whole card: header, facts, notes, the approval block, the steps, its buttons and links. */

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

/** The card as Block Kit within `maxBlocks` (≤ 50) blocks. */
export function renderCardBlocks(card: Card, maxBlocks: number = LIMITS.blocks): SlackMessage {
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
            `:book: ${esc(t(card.lang, 'slack.links'))}: ${card.links.map(link).join(' · ')}`,
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
        elements: [
          {
            type: 'mrkdwn',
            text: plural(card.lang, 'slack.moreRequests', requests.length - shown),
          },
        ],
      });
    }
    room -= middle.length;
  }

  if (card.steps.length > 0 && room >= 2) {
    middle.push({ type: 'divider' });
    room -= 1;
    middle.push(...stepBlocks(card, room, ids));
  }

  // The accounting above keeps within the budget; this only guards against a slip in it.
  const fitted = middle.slice(0, Math.max(0, budget - head.length - tail.length));
  return { text: fallback(card), blocks: [...head, ...fitted, ...tail] };
}

function fallback(card: Card): string {
  const status = card.status ? ` — ${card.status.label}` : '';
  return fallbackText(`${card.fallbackText}${status}`);
}
