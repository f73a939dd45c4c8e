import type { App } from '@slack/bolt';
import type { ChatResponse, MessageRef } from '../../../src/app/chat/ports';
import { decodeClick } from '../action-codec';
import { t } from '../../../src/domain/strings';
import { describe, langOf, type SlackContext } from '../context';
import { blockActionsSchema, displayName, type ReasonMetadata } from '../payloads';
import { MAX_PRIVATE_METADATA, reasonView } from '../reason-dialog';
import { deliver, failed, tell } from '../replies';

/**
 * Card buttons: a click goes to the core, and its answer redraws the card; a button that needs a
 * reason opens the reason dialog instead (listeners/view-submission.ts takes it from there).
 */
export function registerActions(app: App, ctx: SlackContext): void {
  const { core, client, log } = ctx;
  app.action(/.*/, async ({ ack, body, respond }) => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) {
      log.warn('malformed block_actions payload');
      if (typeof respond === 'function')
        await tell(
          ctx,
          { channel: '', user: '', respond },
          { text: t(await langOf(ctx, ''), 'slack.err.unreadableClick') },
        );
      return;
    }
    const b = parsed.data;
    const action = b.actions[0];
    const channel = b.channel?.id ?? b.container?.channel_id;
    const where = { channel: channel ?? '', user: b.user.id, respond };
    const click = decodeClick(action?.action_id, action?.value);
    if (!click || !channel) {
      await tell(ctx, where, {
        text: t(await langOf(ctx, channel ?? ''), 'slack.err.unknownButton'),
      });
      return;
    }
    const ephemeral = b.container?.is_ephemeral === true;
    const ts = !ephemeral ? (b.message?.ts ?? b.container?.message_ts) : undefined;
    const message: MessageRef | undefined = ts
      ? { platform: 'slack', channel, messageId: ts }
      : undefined;

    if (click.needsReason) {
      const meta: ReasonMetadata = {
        value: click.value,
        channel,
        messageTs: ts,
        confirmed: click.confirmed,
        optional: click.needsReason.optional,
      };
      const privateMetadata = JSON.stringify(meta);
      if (!b.trigger_id || privateMetadata.length > MAX_PRIVATE_METADATA) {
        await tell(ctx, where, {
          text: t(await langOf(ctx, channel), 'slack.err.noReasonHere'),
        });
        return;
      }
      try {
        await client.views.open({
          trigger_id: b.trigger_id,
          view: reasonView(click.needsReason, privateMetadata),
        });
      } catch (err) {
        log.warn({ err: describe(err) }, 'could not open the reason dialog');
        await tell(ctx, where, { text: t(await langOf(ctx, channel), 'slack.err.dialogFailed') });
      }
      return;
    }

    let res: ChatResponse;
    try {
      res = await core.action({
        actor: { platform: 'slack', id: b.user.id, displayName: displayName(b.user) },
        channel: { platform: 'slack', id: channel },
        value: click.value,
        input: { confirmed: click.confirmed },
        message,
      });
    } catch (err) {
      log.error({ err }, 'chat core failed on a click');
      await failed(ctx, where);
      return;
    }
    await deliver(ctx, res, { ...where, message, ephemeralCard: ephemeral });
  });
}
