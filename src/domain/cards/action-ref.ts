import { z } from 'zod';
import { LANGS } from '../runbooks/text';
import { SERVER_ROLES } from '../runbooks/schema';

/**
 * What a button means, carried in its value and given back on the click. Small JSON (Slack allows
 * 2000 characters in a button value); the click handler decodes and re-checks it, because a value
 * coming back from chat is input like any other.
 */
export const CARD_OPS = [
  'run-step',
  'mark-done',
  'open-section',
  'run-checks',
  'switch-lang',
  /** Approval block buttons: act on one approval request (`request`). */
  'approve',
  'reject',
  'cancel-request',
] as const;
export type CardOp = (typeof CARD_OPS)[number];

const idPart = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,79}$/);

export const actionRefSchema = z
  .object({
    v: z.literal(1),
    op: z.enum(CARD_OPS),
    section: idPart,
    step: idPart.optional(),
    role: z.enum(SERVER_ROLES).optional(),
    /** For open-section after a goto: which server the followed section runs against. */
    server: z.enum(['server', 'relatedServer']).optional(),
    monitor: z.string().max(128).optional(),
    lang: z.enum(LANGS).optional(),
    incident: z.string().max(128).optional(),
    version: z.number().int().nonnegative().optional(),
    /** The approval request an approve / reject / cancel-request button acts on. */
    request: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/)
      .optional(),
  })
  .strict();
export type ActionRef = z.infer<typeof actionRefSchema>;

export function encodeActionRef(ref: ActionRef): string {
  return JSON.stringify(ref);
}

/** Null for anything that is not a well-formed reference. */
export function decodeActionRef(value: string): ActionRef | null {
  try {
    const parsed = actionRefSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What ties each operation's button to its target, beyond the section every value names: a
 * value without one of these could be aimed anywhere (an approve without `incident` once
 * approved another incident's request), so it is refused rather than guessed. `open-section` and
 * `switch-lang` also live on runbook cards shown without an incident, and only show a section or set
 * the channel's language.
 */
export const REQUIRED_BINDING: Record<CardOp, readonly (keyof ActionRef)[]> = {
  approve: ['incident', 'version', 'request'],
  reject: ['incident', 'version', 'request'],
  'cancel-request': ['incident', 'version', 'request'],
  'run-step': ['incident', 'version', 'step'],
  'mark-done': ['incident', 'version', 'step'],
  'run-checks': ['incident', 'version'],
  'open-section': [],
  'switch-lang': [],
};

/** The binding fields this value lacks for its operation (empty when it is complete). */
export function missingBinding(ref: ActionRef): (keyof ActionRef)[] {
  return REQUIRED_BINDING[ref.op].filter((k) => ref[k] === undefined);
}

/** The button id: stable across re-renders, unique within a card. */
export function actionId(ref: ActionRef): string {
  return [ref.op, ref.request ?? ref.step ?? ref.section, ref.role]
    .filter((p) => p !== undefined)
    .join(':');
}
