import { createHmac } from 'node:crypto';

export const TEST_SIGNING_SECRET = '0123456789abcdef0123456789abcdef';

/** Slack's request signature, v0: HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackRequestOptions {
  secret?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** X-Slack-Retry-Num / -Reason, as Slack sends on a redelivery. */
  retryNum?: number;
  retryReason?: string;
  /** Sign, then change the body: the signature no longer matches. */
  tamper?: boolean;
}

/** Form body as Slack sends slash commands (`key=value&…`) or interactivity (`payload=<json>`). */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** POSTs to our /slack/events the way Slack does: signed, form- or JSON-encoded. */
export async function postToSlackEndpoint(
  url: string,
  body: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  options: SlackRequestOptions = {},
): Promise<Response> {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(options.secret ?? TEST_SIGNING_SECRET, ts, body),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return fetch(url, { method: 'POST', headers, body: options.tamper ? `${body}&x=1` : body });
}
