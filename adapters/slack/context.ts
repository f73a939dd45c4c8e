import type { ChatCore } from '../../src/app/chat/ports';
import type { Logger } from '../../src/infra/logger';
import { DEFAULT_LANG, type Lang } from '../../src/domain/runbooks/text';
import type { SlackWebClient } from './surface';

/**
 * What every Slack listener needs, handed to each one explicitly (no closure over the adapter):
 * the core to ask, our own Web API client to answer with, and the adapter's logger.
 */
export interface SlackContext {
  core: ChatCore;
  /** Bot token, no retries: the durable delivery queue owns retries. */
  client: SlackWebClient;
  log: Logger;
  /**
   * Asks the delivery queue to redraw an incident's card (under the delivery's lock); when
   * absent, a click's card is redrawn with a direct chat.update.
   */
  redraw?: ((incidentId: string) => Promise<void>) | undefined;
}

/** The channel's language for the adapter's own words; English when it cannot be told. */
export async function langOf(ctx: SlackContext, channel: string): Promise<Lang> {
  if (!channel || !ctx.core.langOf) return DEFAULT_LANG;
  return ctx.core.langOf({ platform: 'slack', id: channel }).catch(() => DEFAULT_LANG);
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
