import type { App } from '@slack/bolt';
import { describe, type SlackContext } from '../context';

/** True if an Events API event id was already handled (and remembers it). */
export type SeenEvent = (eventId: string) => Promise<boolean>;

/** A small bounded memory of event ids already handled, against Slack's redeliveries. */
class SeenEvents {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 2000) {}
  /** True if `id` was seen before; remembers it either way. */
  check(id: string): boolean {
    if (this.ids.has(id)) return true;
    if (this.ids.size >= this.max) this.ids.delete(this.ids.values().next().value as string);
    this.ids.add(id);
    return false;
  }
}

/** The default SeenEvent: this process's memory only (replicas should share a Redis one). */
export function inProcessSeenEvent(): SeenEvent {
  const seen = new SeenEvents();
  return async (eventId: string) => seen.check(eventId);
}

/**
 * Slack redelivers an event it thinks we missed (X-Slack-Retry-Num). A redelivery after a
 * timeout, or of an event this process already handled, must not run the command twice: this
 * global middleware acknowledges it and stops it before any listener.
 */
export function registerRedeliveryFilter(app: App, ctx: SlackContext, seenEvent: SeenEvent): void {
  const { log } = ctx;
  app.use(async (args) => {
    const { context, next, body } = args;
    const eventId =
      typeof body === 'object' && body !== null && 'event_id' in body
        ? String(body.event_id)
        : null;
    let dup = false;
    if (eventId !== null) {
      // A failing shared memory must not drop events: treat the event as new.
      dup = await seenEvent(eventId).catch((err: unknown) => {
        log.warn({ err: describe(err) }, 'could not check for a Slack redelivery');
        return false;
      });
    }
    if (context.retryNum !== undefined && (dup || context.retryReason === 'http_timeout')) {
      log.info(
        { retryNum: context.retryNum, retryReason: context.retryReason, eventId },
        'ignored a Slack redelivery of an event already received',
      );
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    await next();
  });
}
