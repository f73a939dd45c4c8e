import type { Command } from 'commander';
import type { Express } from 'express';
import type { GroupResolver, IdentityResolver } from '../../app/approvals/ports';
import type { PlatformLimits } from '../../app/chat/delivery-limits';
import type { ChatCore, ChatSurface } from '../../app/chat/ports';
import type { Policy } from '../../domain/approvals/policy';
import type { PlatformId } from '../../domain/identity/actor';
import type { PlatformRules } from '../../domain/identity/platform-rules';
import type { Lang } from '../../domain/runbooks/text';
import type { Config } from '../config/load-config';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis/redis';

/**
 * The contract of one chat platform: everything the bot knows of Slack, Teams or the console is
 * behind it, in `adapters/<platform>/platform.ts`, and `adapters/registry.ts` lists them. The
 * core and the composition root name no platform; adding one is a folder and a registry line
 * (docs/architecture.md, "How to add a chat platform").
 */
export interface PlatformModule {
  id: PlatformId;
  /** How the policy and routing files write this platform's accounts, groups and channels. */
  rules: PlatformRules;
  /**
   * The platform's adapter for this process, or null when its settings are absent (it is off).
   * Throws on settings that are present but wrong, naming each.
   */
  create(ctx: PlatformContext): PlatformInstance | null;
  /**
   * The platform's published rate limits: the delivery spends these budgets, shared by every
   * replica, before each call (jobs/chat/rate-gate.ts). Absent: no budget, 429s are still honoured.
   */
  limits?: PlatformLimits;
  /** Subcommands of its own (Teams: `teams package`). */
  registerCommands?(program: Command): void;
}

/** What the composition root hands every platform. */
export interface PlatformContext {
  /** Where the platform reads its own settings (SLACK_*, TEAMS_*, …). */
  env: NodeJS.ProcessEnv;
  config: Config;
  core: ChatCore;
  logger: Logger;
  redis: RedisClient;
  /** REDIS_PREFIX: a platform's own keys go under `<prefix>:{<platform>}:…`. */
  redisPrefix: string;
  /** Asks the delivery queue to redraw an incident's card (after a click changed something). */
  redraw(incidentId: string): Promise<void>;
  /** The approval policy in force. */
  policy(): Policy;
  /** The demo's controls, for a surface that can show them (the console does). */
  demo?: DemoControls;
}

export interface DemoScenario {
  name: string;
  /** In every language; each surface shows the one it is in. */
  description: { en: string; 'zh-TW': string };
}

export interface DemoControls {
  scenarios?: {
    list: DemoScenario[];
    raise(name: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
  };
  /** A line at the top of the page (the demo says its waits are shortened), in each language. */
  banner?: string | Readonly<Record<Lang, string>>;
}

/** One platform, configured and ready to serve. */
export interface PlatformInstance {
  /** The outgoing side, for the delivery queue. */
  surface: ChatSurface;
  /** Adds the platform's routes to our HTTP app (before its 404 handler). */
  mount(app: Express): void;
  /** Connects after the server listens (never throws: a platform being down must not stop us). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Where incident cards go when no routing rule names a channel; null: nowhere. */
  defaultChannel(): Promise<string | null>;
  /** The platform's groups of an account, for the approval policy (Slack user groups). */
  groups?: GroupResolver;
  /**
   * The directory identity of an account, for the two-person rule (Slack: the verified email
   * through users.info). Absent: the account's own `upn` (Teams, the console).
   */
  identities?: IdentityResolver;
}
