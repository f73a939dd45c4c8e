import { z } from 'zod';
import type { CardAction } from '../../src/domain/cards/card';

/**
 * How a card button travels through Slack. Slack gives back only the button's `action_id` and
 * `value`, so what the click handler must know besides the core's opaque value rides along:
 * - `action_id` = `exo:<flags>:<card action id>`; flag `c` says the button had a confirm dialog
 *   (Slack shows it before it sends the click, so a click on such a button is a confirmed one),
 *   flag `r` says the click must ask for a reason first.
 * - with `r`, `value` is JSON `{ v, r }`: the core's value and the reason dialog's texts (already
 *   in the card's language, which the click handler does not otherwise know).
 * Payloads reaching us are signed by Slack, but are still parsed defensively.
 */
export const ACTION_ID_PREFIX = 'exo:';
export const MAX_ACTION_ID = 255;
export const MAX_VALUE = 2000;

const reasonSchema = z.object({
  title: z.string().max(200),
  label: z.string().max(2000),
  submit: z.string().max(200),
  optional: z.boolean(),
});
const wrappedSchema = z.object({ v: z.string().max(MAX_VALUE), r: reasonSchema });

export type ReasonPrompt = z.infer<typeof reasonSchema>;

export interface DecodedClick {
  value: string;
  confirmed: boolean;
  needsReason: ReasonPrompt | undefined;
}

export function slackActionId(action: CardAction): string {
  const flags = `${action.confirm ? 'c' : ''}${action.needsReason ? 'r' : ''}`;
  return `${ACTION_ID_PREFIX}${flags}:${action.id}`;
}

export function slackButtonValue(action: CardAction): string {
  return action.needsReason
    ? JSON.stringify({ v: action.value, r: action.needsReason })
    : action.value;
}

/** Null for a click that is not one of our buttons or whose value is malformed. */
export function decodeClick(actionId: unknown, value: unknown): DecodedClick | null {
  if (typeof actionId !== 'string' || typeof value !== 'string') return null;
  const m = /^exo:([cr]{0,2}):/.exec(actionId);
  if (!m) return null;
  const flags = m[1] ?? '';
  const confirmed = flags.includes('c');
  if (!flags.includes('r')) {
    return value.length > 0 ? { value, confirmed, needsReason: undefined } : null;
  }
  try {
    const parsed = wrappedSchema.safeParse(JSON.parse(value));
    return parsed.success ? { value: parsed.data.v, confirmed, needsReason: parsed.data.r } : null;
  } catch {
    return null;
  }
}
