import type { App } from '@slack/bolt';
import type { MessageRef } from '../../../src/app/chat/ports';
import { t } from '../../../src/domain/strings';
import { langOf, type SlackContext } from '../context';
import {
  displayName,
  reasonMetadataSchema,
  viewSubmissionSchema,
  type ReasonMetadata,
} from '../payloads';
import { REASON_BLOCK, REASON_CALLBACK, submittedReason } from '../reason-dialog';
import { deliver, failed } from '../replies';

/** The reason dialog's submission: the click it was opened for, now with its reason. */
export function registerViewSubmission(app: App, ctx: SlackContext): void {
  const { core, log } = ctx;
  app.view(REASON_CALLBACK, async ({ ack, body }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    let meta: ReasonMetadata | null = null;
    if (parsed.success) {
      try {
        const m = reasonMetadataSchema.safeParse(JSON.parse(parsed.data.view.private_metadata));
        meta = m.success ? m.data : null;
      } catch {
        meta = null;
      }
    }
    if (!parsed.success || !meta) {
      log.warn('malformed reason dialog submission');
      await ack({
        response_action: 'errors',
        errors: {
          [REASON_BLOCK]: t(await langOf(ctx, ''), 'slack.err.dialogOutdated'),
        },
      });
      return;
    }
    const v = parsed.data;
    const reason = submittedReason(v.view.state.values);
    if (!meta.optional && reason.length === 0) {
      const text = t(await langOf(ctx, meta.channel), 'slack.err.reasonRequired');
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: text } });
      return;
    }
    await ack();
    const message: MessageRef | undefined = meta.messageTs
      ? { platform: 'slack', channel: meta.channel, messageId: meta.messageTs }
      : undefined;
    const where = { channel: meta.channel, user: v.user.id, message };
    try {
      const res = await core.action({
        actor: { platform: 'slack', id: v.user.id, displayName: displayName(v.user) },
        channel: { platform: 'slack', id: meta.channel },
        value: meta.value,
        input: { reason: reason.length > 0 ? reason : undefined, confirmed: meta.confirmed },
        message,
      });
      await deliver(ctx, res, where);
    } catch (err) {
      log.error({ err }, 'chat core failed on a reason submission');
      await failed(ctx, where);
    }
  });
}
