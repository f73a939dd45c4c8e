import { ActivityTypes, type Activity } from 'botbuilder';
import type { Card } from '../../src/domain/cards/card';
import type { Reply } from '../../src/app/chat/ports';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  renderAdaptiveCard,
  renderReplyCard,
  type AcJson,
} from './render-adaptive-card';

/** Teams shows `summary` in notifications and the activity feed; it has no use for more. */
const SUMMARY_MAX = 200;

export function cardAttachment(json: AcJson) {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: json };
}

/** An incident or runbook card as a message. */
export function cardActivity(card: Card): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    summary: card.fallbackText.slice(0, SUMMARY_MAX),
    attachments: [cardAttachment(renderAdaptiveCard(card))],
  };
}

/**
 * A reply as a message: plain text when it is only text (`textFormat: plain`, so nothing in it is
 * read as markdown), else one Adaptive Card with the text, the code blocks and the card.
 */
export function replyActivity(reply: Reply): Partial<Activity> {
  const card = renderReplyCard(reply, reply.lang ?? reply.card?.lang);
  if (card === null) {
    return { type: ActivityTypes.Message, text: reply.text, textFormat: 'plain' };
  }
  return {
    type: ActivityTypes.Message,
    summary: reply.text.slice(0, SUMMARY_MAX),
    attachments: [cardAttachment(card)],
  };
}
