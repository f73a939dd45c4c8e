import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type TurnContext,
} from 'botbuilder';
import {
  BotFrameworkAuthentication,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ChatCore, ChatSurface } from '../../src/app/chat/ports';
import { sendError } from '../../src/infra/http/errors';
import type { Logger } from '../../src/infra/logger';
import type { RedisClient } from '../../src/infra/redis/redis';
import { TeamsBot } from './bot';
import { loadTeamsConfig, logTeamsConfig, type TeamsConfig } from './config';
import { createConversationStore } from './conversation-store';
import { errorText } from './delivery-error';
import { createTeamsSurface } from './surface';

export { loadTeamsConfig, TeamsConfigError, type TeamsConfig } from './config';

/** What the composition root (src/main/start-server.ts) gets; no botbuilder type in it. */
export interface TeamsAdapter {
  surface: ChatSurface;
  /** POST /api/messages on the bot's express app (mount before the app's 404 handler). */
  mount(app: Express): void;
  /** TEAMS_ALERT_CHANNEL, else the channel or group chat the bot was most recently added to. */
  alertChannel(): Promise<string | null>;
  stop(): Promise<void>;
}

export interface TeamsAdapterOptions {
  /** The parsed configuration, or the environment to read it from. */
  config?: TeamsConfig | null | undefined;
  env?: Record<string, string | undefined> | undefined;
  core: ChatCore;
  redis: RedisClient;
  redisPrefix: string;
  logger: Logger;
}

/**
 * The Microsoft Teams adapter on botbuilder's CloudAdapter. Null when Teams is not configured.
 * Every botbuilder type stays in adapters/teams/ (Microsoft's successor SDKs would replace only
 * this folder; see docs/teams.md).
 */
export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter | null {
  const logger = options.logger.child({ component: 'teams' });
  const config =
    options.config !== undefined ? options.config : loadTeamsConfig(options.env ?? process.env);
  logTeamsConfig(config, logger);
  if (config === null) return null;

  // Without an app id botbuilder disables authentication both ways; that is anonymous mode.
  const credentials = new ConfigurationServiceClientCredentialFactory(
    config.allowAnonymous
      ? {}
      : {
          MicrosoftAppId: config.appId,
          MicrosoftAppPassword: config.appPassword,
          MicrosoftAppType: config.appType,
          MicrosoftAppTenantId: config.tenantId || undefined,
        },
  );
  const auth = new ConfigurationBotFrameworkAuthentication(
    config.allowAnonymous
      ? {}
      : { MicrosoftAppId: config.appId, MicrosoftAppTenantId: config.tenantId || undefined },
    credentials,
  );
  const adapter = new CloudAdapter(new NoRetryForProactiveCalls(auth));
  const store = createConversationStore(options.redis, options.redisPrefix);
  const bot = new TeamsBot({ core: options.core, store, logger });

  adapter.onTurnError = async (context: TurnContext, err: unknown) => {
    logger.error({ err: errorText(err), type: context.activity.type }, 'Teams: turn failed');
    if (context.activity.type === 'invoke') {
      await context.sendActivity({
        type: 'invokeResponse',
        value: { status: 500, body: { code: 'InternalError', message: 'Failed; it was logged.' } },
      });
    }
  };

  const surface = createTeamsSurface({ adapter, store, appId: config.appId });

  const handle = async (req: Request, res: Response): Promise<void> => {
    // Cheap refusal before any work; botbuilder checks every token that is present.
    if (!config.allowAnonymous && !req.headers.authorization) {
      sendError(res, 401, 'unauthorized', 'The Bot Framework token (Authorization) is missing.');
      return;
    }
    const parsed = activitySchema.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, 'bad_request', 'The body is not a Bot Framework activity.', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      });
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
  };

  return {
    surface,
    mount(app) {
      const router = express.Router();
      router.post('/api/messages', express.json({ limit: '512kb' }), handle);
      // A body that is not JSON is the caller's mistake, not ours.
      router.use(
        '/api/messages',
        (err: unknown, _req: Request, res: Response, next: NextFunction) => {
          const status = (err as { status?: unknown }).status;
          if (typeof status === 'number' && status >= 400 && status < 500) {
            const message =
              status === 413 ? 'The body is too large.' : 'The body is not valid JSON.';
            sendError(res, status, 'bad_request', message);
            return;
          }
          next(err);
        },
      );
      app.use(router);
    },
    async alertChannel() {
      return config.alertChannel ?? (await store.latestInstalled());
    },
    async stop() {
      // Nothing to close: botbuilder holds no connections between requests, Redis is the caller's.
    },
  };
}

/** The envelope we rely on; the rest is botbuilder's to read. */
const account = z.object({ id: z.string().min(1).max(1024) }).passthrough();
const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().url().max(2048),
    conversation: z.object({ id: z.string().min(1).max(1024) }).passthrough(),
    from: account,
    recipient: account,
    text: z.string().max(28_000).optional(),
  })
  .passthrough();

/**
 * botbuilder's ConnectorClient retries 429 and 5xx by itself (the Azure pipeline's retry policy,
 * honouring Retry-After). For proactive posting that would hide throttling from the durable
 * queue and hold a worker for minutes, so connectors made for proactive calls have no retry
 * policy; replies inside a turn keep botbuilder's retries. Everything else is delegated.
 */
class NoRetryForProactiveCalls extends BotFrameworkAuthentication {
  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateRequest(activity, authHeader);
  }

  authenticateStreamingRequest(
    authHeader: string,
    channelIdHeader: string,
  ): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const factory = this.inner.createConnectorFactory(claimsIdentity);
    return {
      async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        const client = await factory.create(serviceUrl, audience);
        withoutRetries(client);
        return client;
      },
    };
  }
}

function withoutRetries(client: ConnectorClient): void {
  // The Azure ServiceClient is private in botbuilder's typings but public at run time; its
  // pipeline's "Retry" phase holds the retry policy (exponential + throttling).
  const pipeline = (client as unknown as { client?: { pipeline?: PipelineLike } }).client?.pipeline;
  if (!pipeline) throw new Error('botbuilder changed: no request pipeline on the ConnectorClient');
  pipeline.removePolicy({ phase: 'Retry' });
}

interface PipelineLike {
  removePolicy(options: { phase?: string; name?: string }): unknown;
}
