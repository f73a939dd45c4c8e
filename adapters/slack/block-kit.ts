import type { types } from '@slack/bolt';
import type { CardAction, CardLink } from '../../src/domain/cards/card';
import { MAX_ACTION_ID, MAX_VALUE, slackActionId, slackButtonValue } from './action-codec';

/** Block Kit's building blocks as this adapter uses them: limits, text, code and buttons. */

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

// ---------------------------------------------------------------------------------------------
// Text helpers

/**
 * Slack mrkdwn's three control characters: the one escaping function for every text Slack parses
 * (a message's top-level `text`, which is also its notification, and every mrkdwn element). With
 * `<` and `>` escaped no `<!channel>`, `<@U…>` or `<url|label>` can form; with `&` escaped no
 * `&lt;` in the input turns into one. plain_text elements are not parsed and take text as it is.
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A message's top-level `text` (notification and fallback): escaped, then cut. */
export function fallbackText(text: string): string {
  return cut(esc(text), LIMITS.fallbackText);
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
export function plain(text: string, max: number): types.PlainTextElement {
  const t = cut(text.trim(), max);
  return { type: 'plain_text', text: t.length > 0 ? t : '-', emoji: true };
}

export function mrkdwnSection(text: string): types.SectionBlock {
  const t = cut(text, LIMITS.sectionText);
  return { type: 'section', text: { type: 'mrkdwn', text: t.length > 0 ? t : ' ' } };
}

export function safeUrl(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

export function link(l: CardLink): string {
  return `<${safeUrl(l.url)}|${esc(l.title.replace(/[|>]/g, ' '))}>`;
}

/**
 * A code block of at most `max` characters, fences included. Returns the text and how many
 * characters of `body` were left out.
 */
export function code(body: string, max: number): { text: string; omitted: number } {
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

export interface Ids {
  used: Set<string>;
}

export function button(action: CardAction, ids: Ids, labelPrefix = ''): types.Button | null {
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

export function actionsBlocks(buttons: types.Button[], maxBlocks = Infinity): types.ActionsBlock[] {
  const out: types.ActionsBlock[] = [];
  for (let i = 0; i < buttons.length && out.length < maxBlocks; i += LIMITS.actionsElements) {
    out.push({ type: 'actions', elements: buttons.slice(i, i + LIMITS.actionsElements) });
  }
  return out;
}

export function buttons(
  actions: readonly CardAction[],
  ids: Ids,
  labelPrefix = '',
): types.Button[] {
  return actions
    .map((a) => button(a, ids, labelPrefix))
    .filter((b): b is types.Button => b !== null);
}
