import type { App } from '@slack/bolt';
import type { SlackContext } from '../context';
import { appMentionSchema } from '../payloads';
import { deliver, failed } from '../replies';

/** @mentions: the same commands as /exchange, answered in the thread. */
export function registerMention(app: App, ctx: SlackContext): void {
  const { core, log } = ctx;
  app.event('app_mention', async ({ event }) => {
    const parsed = appMentionSchema.safeParse(event);
    if (!parsed.success) return;
    const e = parsed.data;
    const text = e.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
    const where = {
      channel: e.channel,
      user: e.user,
      message: { platform: 'slack' as const, channel: e.channel, messageId: e.thread_ts ?? e.ts },
    };
    try {
      const res = await core.command({
        actor: { platform: 'slack', id: e.user },
        channel: { platform: 'slack', id: e.channel },
        text,
      });
      // `message` here only places the public answer in the thread; there is no card to redraw.
      await deliver(ctx, { ...res, updatedCard: undefined }, where);
    } catch (err) {
      log.error({ err }, 'chat core failed on a mention');
      await failed(ctx, where);
    }
  });
}
