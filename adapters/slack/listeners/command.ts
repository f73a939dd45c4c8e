import type { App } from '@slack/bolt';
import type { ChatResponse } from '../../../src/app/chat/ports';
import { t } from '../../../src/domain/strings';
import { langOf, type SlackContext } from '../context';
import { commandSchema } from '../payloads';
import { deliver, failed, tell } from '../replies';

/** `/exchange …` (any slash command routed to this app): the core's command, answered privately. */
export function registerCommand(app: App, ctx: SlackContext): void {
  const { core, log } = ctx;
  app.command(/^\/.+/, async ({ ack, body, respond }) => {
    await ack();
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.length }, 'malformed slash command payload');
      if (typeof respond === 'function')
        await tell(
          ctx,
          { channel: '', user: '', respond },
          { text: t(await langOf(ctx, ''), 'slack.err.unreadableCommand') },
        );
      return;
    }
    const c = parsed.data;
    const where = { channel: c.channel_id, user: c.user_id, respond };
    let res: ChatResponse;
    try {
      res = await core.command({
        actor: { platform: 'slack', id: c.user_id, displayName: c.user_name },
        channel: { platform: 'slack', id: c.channel_id },
        text: c.text.trim(),
      });
    } catch (err) {
      log.error({ err }, 'chat core failed on a command');
      await failed(ctx, where);
      return;
    }
    await deliver(ctx, res, where);
  });
}
