import { ChatDeliveryError } from '../../src/app/chat/ports';

/** The most the queue is told to wait; a longer Retry-After is capped (it would stall the queue). */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * Turns a Bot Connector failure into the queue's terms: throttled (429) waits `Retry-After`;
 * 5xx, 408 and network errors are retried; other 4xx (bot removed from the team, conversation
 * gone, payload refused) are not, since a retry cannot fix them.
 */
export function toDeliveryError(err: unknown, operation: string): ChatDeliveryError {
  if (err instanceof ChatDeliveryError) return err;
  const e = (err ?? {}) as {
    statusCode?: unknown;
    message?: unknown;
    code?: unknown;
    response?: { headers?: { get?: (name: string) => string | undefined } };
  };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const detail = typeof e.message === 'string' ? e.message.slice(0, 300) : String(err);
  const retryAfterMs = parseRetryAfter(e.response?.headers?.get?.('retry-after'));
  if (status === undefined) {
    return new ChatDeliveryError(`Teams ${operation} failed: ${detail}`, retryAfterMs, true);
  }
  const message = `Teams ${operation} failed with HTTP ${status}: ${detail}`;
  if (status === 429) return new ChatDeliveryError(message, retryAfterMs ?? 1000, true);
  if (status >= 500 || status === 408) return new ChatDeliveryError(message, retryAfterMs, true);
  return new ChatDeliveryError(message, undefined, false);
}

/** `Retry-After` is seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/** An error's message for a log line (no stack: these are expected failures). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
