import type { App } from '@slack/bolt';
import type { SlackContext } from '../context';
import { registerActions } from './actions';
import { registerCommand } from './command';
import { registerMention } from './mention';
import { registerRedeliveryFilter, type SeenEvent } from './redeliveries';
import { registerViewSubmission } from './view-submission';

export { inProcessSeenEvent, type SeenEvent } from './redeliveries';

/**
 * Every listener of the adapter, one kind of Slack payload per file: each parses its payload,
 * asks the core, and renders the answer (replies.ts).
 */
export function registerListeners(app: App, ctx: SlackContext, seenEvent: SeenEvent): void {
  app.error(async (err) => {
    ctx.log.error({ err }, 'Slack listener failed');
  });
  registerRedeliveryFilter(app, ctx, seenEvent);
  registerCommand(app, ctx);
  registerMention(app, ctx);
  registerActions(app, ctx);
  registerViewSubmission(app, ctx);
}
