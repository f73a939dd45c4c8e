import { z } from 'zod';

/**
 * The Slack adapter's settings, read from the environment. The adapter is optional: with none of
 * its tokens set it is off; with some but not all it is a configuration error (a half-configured
 * adapter that silently does nothing is worse than a clear start-up failure).
 */
export interface SlackConfig {
  botToken: string;
  /** HTTP mode: verifies every request on POST /slack/events. Unset in Socket Mode only. */
  signingSecret: string | undefined;
  /** Socket Mode when set: the bot dials out to Slack and needs no public URL. */
  appToken: string | undefined;
  /** Base URL of the Web API, ending in "/" (tests point it at a local fake). */
  apiUrl: string;
  /** Default channel for incident cards (a channel id), when routing names none. */
  alertChannel: string | null;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const opt = (schema: z.ZodString) => z.preprocess(emptyToUndefined, schema.optional());

const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: opt(z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token (xoxb-…)')),
  SLACK_SIGNING_SECRET: opt(
    z.string().regex(/^[A-Za-z0-9]{16,128}$/, 'must be the app’s signing secret (hex characters)'),
  ),
  SLACK_APP_TOKEN: opt(
    z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token (xapp-…)'),
  ),
  SLACK_API_URL: opt(z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')),
  SLACK_ALERT_CHANNEL: opt(
    z
      .string()
      .regex(/^[CGD][A-Z0-9]{6,24}$/, 'must be a channel id such as C0123456789 (not a #name)'),
  ),
});

export class SlackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Slack configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SlackConfigError';
  }
}

export type SlackConfigResult =
  { enabled: true; config: SlackConfig } | { enabled: false; reason: string };

/**
 * Reads the Slack settings. Off (with the reason) when no token is set; throws SlackConfigError
 * listing every problem when the settings are partial or malformed.
 */
export function loadSlackConfig(env: Record<string, string | undefined>): SlackConfigResult {
  const parsed = slackEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new SlackConfigError(
      // Values are never echoed: most of these are secrets.
      parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`),
    );
  }
  const e = parsed.data;
  if (!e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    return {
      enabled: false,
      reason: 'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN are not set',
    };
  }
  const problems: string[] = [];
  if (!e.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: is required when Slack is configured');
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode): one is required',
    );
  }
  if (problems.length > 0 || !e.SLACK_BOT_TOKEN) throw new SlackConfigError(problems);
  const apiUrl = e.SLACK_API_URL ?? DEFAULT_SLACK_API_URL;
  return {
    enabled: true,
    config: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
      alertChannel: e.SLACK_ALERT_CHANNEL ?? null,
    },
  };
}
