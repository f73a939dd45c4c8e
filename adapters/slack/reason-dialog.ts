import type { types } from '@slack/bolt';
import type { ReasonPrompt } from './action-codec';
import { cut } from './render-blocks';

/**
 * The modal that asks for a reason before a click reaches the core. Both ends live here: the
 * view that the click opens (listeners/actions.ts) and the field its submission is read from
 * (listeners/view-submission.ts).
 */
export const REASON_CALLBACK = 'exo_reason';
/** The input's block_id and action_id; also the key of its validation errors. */
export const REASON_BLOCK = 'reason';
export const MAX_REASON = 500;

/** Slack's limit on a modal's private_metadata. */
export const MAX_PRIVATE_METADATA = 3000;

export function reasonView(prompt: ReasonPrompt, privateMetadata: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: cut(prompt.title, 24) || '-' },
    submit: { type: 'plain_text', text: cut(prompt.submit, 24) || 'OK' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        optional: prompt.optional,
        label: { type: 'plain_text', text: cut(prompt.label, 2000) || '-' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_BLOCK,
          multiline: true,
          max_length: MAX_REASON,
        },
      },
    ],
  };
}

/** The submitted reason, trimmed and capped; '' when the field was left empty. */
export function submittedReason(
  values: Record<string, Record<string, { value?: string | null | undefined }>>,
): string {
  const raw = values[REASON_BLOCK]?.[REASON_BLOCK]?.value ?? '';
  return raw.trim().slice(0, MAX_REASON);
}
