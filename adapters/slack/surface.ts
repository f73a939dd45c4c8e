import { webApi } from '@slack/bolt';
import type { Card } from '../../src/domain/cards/card';
import {
  ChatDeliveryError,
  type ChatSurface,
  type MessageRef,
  type Reply,
} from '../../src/app/chat/ports';
import { renderCardBlocks, renderReplyBlocks } from './render-blocks';

/**
 * Slack platform errors a retry cannot fix: the message would fail the same way forever, so the
 * delivery queue should give up (and log) instead of retrying. Anything else (ratelimited, 5xx,
 * network, internal_error, fatal_error, …) is retried.
 */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'restricted_action',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_arguments',
  'channel_is_archived',
  'thread_not_found',
]);

/** The WebClient surface we need; `app.client` in production, anything alike in tests. */
export type SlackWebClient = webApi.WebClient;

/** Turns whatever the Web API client threw into the queue's error type. */
export function toDeliveryError(err: unknown, what: string): ChatDeliveryError {
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new ChatDeliveryError(`${what}: Slack rate limit`, err.retryAfter * 1000);
  }
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error;
    return new ChatDeliveryError(
      `${what}: Slack said ${code}`,
      undefined,
      !PERMANENT_ERRORS.has(code),
    );
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    // 4xx other than 429 means a request Slack will never take; 5xx may pass later.
    return new ChatDeliveryError(
      `${what}: Slack answered HTTP ${err.statusCode}`,
      undefined,
      err.statusCode >= 500 || err.statusCode === 408,
    );
  }
  if (err instanceof webApi.WebAPIRequestError) {
    return new ChatDeliveryError(`${what}: cannot reach Slack (${err.original.message})`);
  }
  return new ChatDeliveryError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDeliveryError(err, what);
  }
}

/**
 * The outgoing side used by the durable delivery queue. Every call is made once: the client has
 * its own retries turned off (see createSlackAdapter) so a retry is always the queue's, which
 * survives a crash; a 429 becomes a ChatDeliveryError carrying Slack's Retry-After.
 */
export function createSlackSurface(client: SlackWebClient): ChatSurface {
  return {
    platform: 'slack',
    async postCard(channel: string, card: Card): Promise<MessageRef> {
      const m = renderCardBlocks(card);
      const res = await call('chat.postMessage', () =>
        client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, unfurl_links: false }),
      );
      if (!res.ts) throw new ChatDeliveryError('chat.postMessage: Slack returned no ts');
      // Slack may answer with the channel's canonical id (a DM user id becomes D…).
      return { platform: 'slack', channel: res.channel ?? channel, messageId: res.ts };
    },
    async updateCard(ref: MessageRef, card: Card): Promise<void> {
      const m = renderCardBlocks(card);
      await call('chat.update', () =>
        client.chat.update({
          channel: ref.channel,
          ts: ref.messageId,
          text: m.text,
          blocks: m.blocks,
        }),
      );
    },
    async postInThread(ref: MessageRef, reply: Reply): Promise<void> {
      const m = renderReplyBlocks(reply);
      await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel: ref.channel,
          thread_ts: ref.messageId,
          text: m.text,
          blocks: m.blocks,
          unfurl_links: false,
        }),
      );
    },
    async postToChannel(channel: string, reply: Reply): Promise<void> {
      const m = renderReplyBlocks(reply);
      await call('chat.postMessage', () =>
        client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, unfurl_links: false }),
      );
    },
  };
}
