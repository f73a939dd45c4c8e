import { App, ExpressReceiver, webApi } from '@slack/bolt';
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from '../../src/infra/logger';
import type { SlackConfig } from './config';
import { describe } from './context';
import { boltLogger } from './slack-logger';
import type { SlackWebClient } from './surface';

export const EVENTS_PATH = '/slack/events';
const SOCKET_RETRY_MS = 30_000;

/**
 * The Bolt app with its way in (an Express receiver in HTTP mode, a socket in Socket Mode), our
 * own Web API client, and their life cycle. No listener here: listeners/ adds them to `app`.
 */
export interface SlackApp {
  app: App;
  /** Our own client (bot token, no retries) for every call we make. */
  client: SlackWebClient;
  mode: 'http' | 'socket';
  /** HTTP mode: adds POST /slack/events to `target`. No-op in Socket Mode. */
  mount(target: Express): void;
  /** auth.test, then (Socket Mode) connects in the background; never throws. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(config: SlackConfig, log: Logger): SlackApp {
  const mode: 'http' | 'socket' = config.appToken ? 'socket' : 'http';

  const clientOptions = {
    slackApiUrl: config.apiUrl,
    // One attempt per call: the durable delivery queue owns retries (and honours Retry-After),
    // so a crash in the middle of a retry loop cannot lose a message.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
  const bl = boltLogger(log);

  // Our own client (bot token, no retries) for every call we make. Bolt gets an `authorize`
  // that needs no network: with a bare `token` it would call auth.test in its constructor, and
  // a Slack outage at start-up would leave a rejected promise (an unhandled rejection, and every
  // later request refused). The bot's own ids are filled in by start() when Slack answers.
  const client: SlackWebClient = new webApi.WebClient(config.botToken, {
    ...clientOptions,
    logger: bl,
  });
  const botToken = config.botToken;
  let identity: { botId?: string; botUserId?: string } = {};
  const authorize = async () => ({ botToken, ...identity });

  let receiver: ExpressReceiver | undefined;
  let app: App;
  if (mode === 'socket') {
    app = new App({
      authorize,
      appToken: config.appToken,
      socketMode: true,
      logger: bl,
      clientOptions,
      // The socket client keeps its own retries for apps.connections.open (reconnecting is its
      // job); only the API URL is shared.
      installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } },
      convoStore: false,
    });
  } else {
    receiver = new EventsReceiver({
      signingSecret: config.signingSecret ?? '',
      logger: bl,
      endpoints: EVENTS_PATH,
      router: express.Router(),
      // Ack first, work after: Slack wants an answer within 3 s.
      processBeforeResponse: false,
      unhandledRequestHandler: ({ response }) => {
        // Unrecognised payloads are answered by EventsReceiver; this only catches a listener
        // that never acknowledged.
        if (!response.headersSent) {
          log.warn('a Slack request was not acknowledged in time');
          response.writeHead(500);
          response.end();
        }
      },
    });
    // No conversation store: it would keep state in this process's memory.
    app = new App({ authorize, receiver, logger: bl, clientOptions, convoStore: false });
  }

  // Socket Mode connects in the background: Slack being unreachable at start-up (or a revoked
  // app token) must not stop the bot; it logs and tries again.
  let stopped = false;
  let connected = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    try {
      await app.start();
      connected = true;
      log.info('Slack Socket Mode connected');
    } catch (err) {
      if (stopped) return;
      log.error({ err: describe(err) }, 'Slack Socket Mode could not connect; retrying in 30 s');
      reconnectTimer = setTimeout(() => void connect(), SOCKET_RETRY_MS);
      reconnectTimer.unref();
    }
  };

  return {
    app,
    client,
    mode,
    mount(target: Express): void {
      if (!receiver) {
        log.info('Slack runs in Socket Mode: no /slack/events route');
        return;
      }
      target.use(receiver.router);
    },
    async start(): Promise<void> {
      stopped = false;
      try {
        const who = await client.auth.test();
        identity = { botId: who.bot_id, botUserId: who.user_id };
        log.info(
          {
            team: who.team,
            bot: who.user,
            mode,
            ...(mode === 'http' ? { events: EVENTS_PATH } : {}),
          },
          `Slack adapter is on (${mode === 'http' ? 'HTTP mode' : 'Socket Mode'})`,
        );
      } catch (err) {
        // Not fatal: Slack may be unreachable for a while; deliveries retry through the queue.
        log.warn({ err: describe(err) }, 'Slack adapter is on, but auth.test failed');
      }
      if (mode === 'socket') void connect();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (mode === 'socket' && connected) {
        connected = false;
        await app
          .stop()
          .catch((err: unknown) => log.warn({ err: describe(err) }, 'Socket Mode stop failed'));
      }
    },
  };
}

/**
 * ExpressReceiver answers nothing for a signed payload Bolt cannot classify (it would time out
 * after 3 s and answer 404); this answers 400 at once instead.
 */
class EventsReceiver extends ExpressReceiver {
  override async requestHandler(req: Request, res: Response): Promise<void> {
    await super.requestHandler(req, res);
    if (!res.headersSent) {
      res
        .status(400)
        .json({ error: 'unsupported_payload', message: 'Not a payload this app handles.' });
    }
  }
}
