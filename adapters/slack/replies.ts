import type { RespondFn } from '@slack/bolt';
import type { ChatResponse, MessageRef, Reply } from '../../src/app/chat/ports';
import { t } from '../../src/domain/strings';
import { describe, langOf, type SlackContext } from './context';
import { renderCardBlocks, renderReplyBlocks } from './render-blocks';
import { toDeliveryError } from './surface';

/** Where a private answer goes: through `respond` (response_url) when there is one. */
export interface ReplyTarget {
  channel: string;
  user: string;
  respond?: RespondFn | undefined;
}

/** Where the core's whole answer goes. */
export interface DeliveryTarget extends ReplyTarget {
  /** The card that was clicked (redrawn), or the message a public answer threads under. */
  message?: MessageRef | undefined;
  /** The clicked card was ephemeral: no ts, only its response_url can replace it. */
  ephemeralCard?: boolean | undefined;
}

/** Sends a private (ephemeral) reply; a failure is only logged. */
export async function tell(ctx: SlackContext, where: ReplyTarget, reply: Reply): Promise<void> {
  const m = renderReplyBlocks(reply);
  try {
    if (where.respond) {
      await where.respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: m.text,
        blocks: m.blocks,
      });
    } else {
      await ctx.client.chat.postEphemeral({
        channel: where.channel,
        user: where.user,
        text: m.text,
        blocks: m.blocks,
      });
    }
  } catch (err) {
    ctx.log.warn({ err: describe(err) }, 'could not send a private Slack reply');
  }
}

/** Sends the core's answer: the redrawn card, the public reply, the private one. */
export async function deliver(
  ctx: SlackContext,
  res: ChatResponse,
  where: DeliveryTarget,
): Promise<void> {
  const { client, log } = ctx;
  if (res.updatedCard) {
    const m = renderCardBlocks(res.updatedCard);
    try {
      const incidentId = res.updatedCard.facts.find((f) => f.key === 'incident')?.value;
      if (where.message && incidentId && ctx.redraw) {
        await ctx.redraw(incidentId);
      } else if (where.message) {
        await client.chat.update({
          channel: where.message.channel,
          ts: where.message.messageId,
          text: m.text,
          blocks: m.blocks,
        });
      } else if (where.ephemeralCard && where.respond) {
        // An ephemeral card has no ts; its response_url can still replace it.
        await where.respond({ replace_original: true, text: m.text, blocks: m.blocks });
      }
    } catch (err) {
      log.warn({ err: describe(err) }, 'could not redraw the Slack card');
    }
  }
  if (res.public) {
    const m = renderReplyBlocks(res.public);
    try {
      await client.chat.postMessage({
        channel: where.channel,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        ...(where.message ? { thread_ts: where.message.messageId } : {}),
      });
    } catch (err) {
      const e = toDeliveryError(err, 'chat.postMessage');
      log.warn({ err: e.message }, 'could not post the public Slack reply');
      const lang = await langOf(ctx, where.channel);
      await tell(ctx, where, {
        text: t(
          lang,
          /not_in_channel|channel_not_found/.test(e.message)
            ? 'slack.err.notInChannel'
            : 'slack.err.publicRefused',
        ),
      });
      await tell(ctx, where, res.public);
    }
  }
  if (res.private) await tell(ctx, where, res.private);
}

/** The private answer when the core threw (the error itself is logged by the caller). */
export async function failed(ctx: SlackContext, where: ReplyTarget): Promise<void> {
  return tell(ctx, where, { text: t(await langOf(ctx, where.channel), 'slack.err.failed') });
}
