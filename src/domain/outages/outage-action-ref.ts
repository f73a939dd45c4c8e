import { z } from 'zod';
import { LANGS } from '../runbooks/text';

/**
 * What an outage card's button means, carried in its value (Slack allows 2,000 characters). Apart
 * from the incident card's ActionRef (cards/action-ref.ts) so neither schema changes: a click
 * handler tries `decodeActionRef`, then `decodeOutageActionRef`. Input like any other: re-checked.
 */
export const OUTAGE_OPS = [
  /** Show one member incident (its own card, privately or in the thread). */
  'open-member',
  /** Run the read-only dependency checks the card lists. */
  'run-dependency-checks',
  /** List every member in the outage's thread. */
  'show-members',
  /** Let the members' held changes go ahead (a person, with a reason; audited). */
  'release-holds',
] as const;
export type OutageOp = (typeof OUTAGE_OPS)[number];

export const outageActionRefSchema = z
  .object({
    v: z.literal(1),
    scope: z.literal('outage'),
    op: z.enum(OUTAGE_OPS),
    outage: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,127}$/),
    incident: z.string().max(128).optional(),
    lang: z.enum(LANGS).optional(),
  })
  .strict();
export type OutageActionRef = z.infer<typeof outageActionRefSchema>;

export function encodeOutageActionRef(ref: OutageActionRef): string {
  return JSON.stringify(ref);
}

/** Null for anything that is not a well-formed outage reference. */
export function decodeOutageActionRef(value: string): OutageActionRef | null {
  try {
    const parsed = outageActionRefSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
