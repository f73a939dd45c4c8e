/**
 * Card / Reply → Slack Block Kit. Pure. Any card, however large, comes out within Block Kit's
 * limits (Slack rejects the whole message otherwise, and an incident card that cannot be posted
 * is an alert nobody sees): long texts are cut, sub-steps collapse into their parent, and past
 * the block budget the rest of the steps become "N more steps — open the runbook".
 *
 * The parts live beside this file: block-kit.ts (limits, text, buttons), step-blocks.ts,
 * card-blocks.ts, reply-blocks.ts and block-kit-problems.ts (the limits check). The few words
 * the adapter adds itself come from the string catalogue (src/domain/strings, `slack.*`).
 */
export { LIMITS, cut, esc, type Block, type SlackMessage } from './block-kit';
export { renderCardBlocks } from './card-blocks';
export { renderReplyBlocks } from './reply-blocks';
export { blockKitProblems } from './block-kit-problems';
