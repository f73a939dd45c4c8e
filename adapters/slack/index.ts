import type { Express } from 'express';
import type { GroupResolver, IdentityResolver } from '../../src/app/approvals/ports';
import type { ChatCore, ChatSurface } from '../../src/app/chat/ports';
import type { Logger } from '../../src/infra/logger';
import { createSlackApp } from './app';
import { loadSlackConfig, type SlackConfig } from './config';
import type { SlackContext } from './context';
import { createSlackGroupResolver } from './groups';
import { createSlackIdentityResolver } from './identities';
import { inProcessSeenEvent, registerListeners } from './listeners';
import { createSlackSurface } from './surface';

export { EVENTS_PATH } from './app';
export { loadSlackConfig, SlackConfigError, type SlackConfig } from './config';

export interface SlackAdapter {
  /** The outgoing side for the delivery queue. */
  surface: ChatSurface;
  /** Slack user groups of an actor, for the approval policy. */
  groups: GroupResolver;
  /** The verified email of an account, for the two-person rule (uncached: the root caches). */
  identities: IdentityResolver;
  /** SLACK_ALERT_CHANNEL: the default channel for incident cards. */
  alertChannel: string | null;
  mode: 'http' | 'socket';
  /** HTTP mode: adds POST /slack/events to our app (before its 404 handler). No-op in Socket Mode. */
  mount(app: Express): void;
  /**
   * Checks the token (auth.test) and logs who we are; Socket Mode then connects in the background
   * (retrying every 30 s). Never throws: Slack being down must not stop the bot.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackAdapterOptions {
  /** The environment to read SLACK_* from; ignored when `config` is given. */
  env?: Record<string, string | undefined>;
  config?: SlackConfig;
  core: ChatCore;
  logger: Logger;
  /** How long user-group memberships are cached (default 60 s). */
  groupCacheTtlMs?: number;
  /**
   * True if an Events API event id was already handled (and remembers it). Defaults to a bounded
   * in-process memory; pass a Redis-backed one (SET NX with a TTL) so replicas share it.
   */
  seenEvent?: (eventId: string) => Promise<boolean>;
  /**
   * Asks the delivery queue to redraw an incident's card. When given, a click on an incident card
   * is redrawn that way (under the delivery's lock, so it cannot overwrite a newer card) rather
   * than with a direct chat.update.
   */
  redraw?: (incidentId: string) => Promise<void>;
}

/**
 * The bot scopes the code uses, and why; manifest/slack/*.yaml must ask for exactly these
 * (a test checks). chat:write.public is left out on purpose: invite the bot to its channels.
 */
export const SLACK_SCOPES = {
  'app_mentions:read': 'app_mention events: @mentions answered like /exchange',
  'chat:write': 'chat.postMessage, chat.update, chat.postEphemeral: cards, updates, replies',
  commands: 'the /exchange slash command',
  'usergroups:read': 'usergroups.list: Slack user groups for the approval policy',
  'users:read': 'users.info: the account behind a click, for the two-person rule',
  'users:read.email':
    "users.info: the account's verified email, its directory identity for the two-person rule",
} as const;

/** The Events API events the adapter listens to (manifest bot_events; listeners/mention.ts). */
export const SLACK_BOT_EVENTS = ['app_mention'] as const;

/**
 * The Slack adapter on Bolt. Null when Slack is not configured (logged at info); throws
 * SlackConfigError when it is configured only in part. It only composes: the Bolt app and its
 * life cycle (app.ts), the listeners (listeners/), the outgoing surface and the group resolver.
 */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter | null {
  const log = options.logger.child({ component: 'slack' });
  let config = options.config;
  if (!config) {
    const loaded = loadSlackConfig(options.env ?? process.env);
    if (!loaded.enabled) {
      log.info({ reason: loaded.reason }, 'Slack adapter is off');
      return null;
    }
    config = loaded.config;
  }

  const slack = createSlackApp(config, log);
  const ctx: SlackContext = {
    core: options.core,
    client: slack.client,
    log,
    redraw: options.redraw,
  };
  registerListeners(slack.app, ctx, options.seenEvent ?? inProcessSeenEvent());

  return {
    surface: createSlackSurface(slack.client),
    groups: createSlackGroupResolver(slack.client, { ttlMs: options.groupCacheTtlMs, logger: log }),
    identities: createSlackIdentityResolver(slack.client),
    alertChannel: config.alertChannel,
    mode: slack.mode,
    mount: (target) => slack.mount(target),
    start: () => slack.start(),
    stop: () => slack.stop(),
  };
}
