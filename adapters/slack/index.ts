import { App, ExpressReceiver, webApi, type RespondFn } from '@slack/bolt';
import express, { type Express, type Request, type Response } from 'express';
import type { Actor } from '../../src/domain/identity/actor';
import type { GroupResolver } from '../../src/app/approvals/ports';
import type {
  ChatCore,
  ChatResponse,
  ChatSurface,
  MessageRef,
  Reply,
} from '../../src/app/chat/ports';
import type { Logger } from '../../src/infra/logger';
import { decodeClick } from './action-codec';
import { loadSlackConfig, type SlackConfig } from './config';
import { createSlackGroupResolver } from './groups';
import {
  appMentionSchema,
  blockActionsSchema,
  commandSchema,
  displayName,
  reasonMetadataSchema,
  viewSubmissionSchema,
  type ReasonMetadata,
} from './payloads';
import { cut, renderCardBlocks, renderReplyBlocks } from './render-blocks';
import { boltLogger } from './slack-logger';
import { createSlackSurface, toDeliveryError, type SlackWebClient } from './surface';

export { loadSlackConfig, SlackConfigError, type SlackConfig } from './config';

export interface SlackAdapter {
  /** The outgoing side for the delivery queue. */
  surface: ChatSurface;
  /** Slack user groups of an actor, for the approval policy. */
  groups: GroupResolver;
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

export const EVENTS_PATH = '/slack/events';

/**
 * The bot scopes the code uses, and why; manifest/slack/*.yaml must ask for exactly these
 * (a test checks). chat:write.public is left out on purpose: invite the bot to its channels.
 */
export const SLACK_SCOPES = {
  'app_mentions:read': 'app_mention events: @mentions answered like /exchange',
  'chat:write': 'chat.postMessage, chat.update, chat.postEphemeral: cards, updates, replies',
  commands: 'the /exchange slash command',
  'usergroups:read': 'usergroups.list: Slack user groups for the approval policy',
} as const;

/** The Events API events the adapter listens to (manifest bot_events). */
export const SLACK_BOT_EVENTS = ['app_mention'] as const;
const REASON_CALLBACK = 'exo_reason';
const REASON_BLOCK = 'reason';
const MAX_REASON = 500;
const SOCKET_RETRY_MS = 30_000;

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

/**
 * The Slack adapter on Bolt. Null when Slack is not configured (logged at info); throws
 * SlackConfigError when it is configured only in part.
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
  const { core } = options;
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
  const seenEvent =
    options.seenEvent ??
    (() => {
      const seen = new SeenEvents();
      return async (eventId: string) => seen.check(eventId);
    })();

  app.error(async (err) => {
    log.error({ err }, 'Slack listener failed');
  });

  // Slack redelivers an event it thinks we missed (X-Slack-Retry-Num). A redelivery after a
  // timeout, or of an event this process already handled, must not run the command twice.
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

  const tell = async (
    where: { channel: string; user: string; respond?: RespondFn | undefined },
    reply: Reply,
  ): Promise<void> => {
    const m = renderReplyBlocks(reply);
    try {
      if (where.respond) {
        await where.respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: m.text,
          blocks: m.blocks,
        });
      } else {
        await client.chat.postEphemeral({
          channel: where.channel,
          user: where.user,
          text: m.text,
          blocks: m.blocks,
        });
      }
    } catch (err) {
      log.warn({ err: describe(err) }, 'could not send a private Slack reply');
    }
  };

  /** Sends the core's answer: the redrawn card, the public reply, the private one. */
  const deliver = async (
    res: ChatResponse,
    where: {
      channel: string;
      user: string;
      respond?: RespondFn | undefined;
      message?: MessageRef | undefined;
      ephemeralCard?: boolean | undefined;
    },
  ): Promise<void> => {
    if (res.updatedCard) {
      const m = renderCardBlocks(res.updatedCard);
      try {
        const incidentId = res.updatedCard.facts.find((f) => f.key === 'incident')?.value;
        if (where.message && incidentId && options.redraw) {
          await options.redraw(incidentId);
        } else if (where.message) {
          await client.chat.update({
            channel: where.message.channel,
            ts: where.message.messageId,
            text: m.text,
            blocks: m.blocks,
          });
        } else if (where.ephemeralCard && where.respond) {
          // An ephemeral card has no ts; its response_url can still replace it.
          await where.respond({ replace_original: true, text: m.text, blocks: m.blocks });
        }
      } catch (err) {
        log.warn({ err: describe(err) }, 'could not redraw the Slack card');
      }
    }
    if (res.public) {
      const m = renderReplyBlocks(res.public);
      try {
        await client.chat.postMessage({
          channel: where.channel,
          text: m.text,
          blocks: m.blocks,
          unfurl_links: false,
          ...(where.message ? { thread_ts: where.message.messageId } : {}),
        });
      } catch (err) {
        const e = toDeliveryError(err, 'chat.postMessage');
        log.warn({ err: e.message }, 'could not post the public Slack reply');
        await tell(where, {
          text: /not_in_channel|channel_not_found/.test(e.message)
            ? 'I am not a member of this channel, so only you see this. Invite me with /invite to share answers here.'
            : 'Slack did not take my answer for the channel; here it is for you only.',
        });
        await tell(where, res.public);
      }
    }
    if (res.private) await tell(where, res.private);
  };

  const failed = (where: { channel: string; user: string; respond?: RespondFn | undefined }) =>
    tell(where, {
      text: 'Something went wrong while handling that. It was logged; please try again.',
    });

  // ---- /exchange ------------------------------------------------------------------------
  app.command(/^\/.+/, async ({ ack, body, respond }) => {
    await ack();
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.length }, 'malformed slash command payload');
      if (typeof respond === 'function')
        await tell({ channel: '', user: '', respond }, { text: 'I could not read that command.' });
      return;
    }
    const c = parsed.data;
    const where = { channel: c.channel_id, user: c.user_id, respond };
    const actor: Actor = { platform: 'slack', id: c.user_id, displayName: c.user_name };
    let res: ChatResponse;
    try {
      res = await core.command({
        actor,
        channel: { platform: 'slack', id: c.channel_id },
        text: c.text.trim(),
      });
    } catch (err) {
      log.error({ err }, 'chat core failed on a command');
      await failed(where);
      return;
    }
    await deliver(res, where);
  });

  // ---- @mentions: the same commands, answered in the thread -------------------------------
  app.event('app_mention', async ({ event }) => {
    const parsed = appMentionSchema.safeParse(event);
    if (!parsed.success) return;
    const e = parsed.data;
    const text = e.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
    const where = {
      channel: e.channel,
      user: e.user,
      message: { platform: 'slack' as const, channel: e.channel, messageId: e.thread_ts ?? e.ts },
    };
    try {
      const res = await core.command({
        actor: { platform: 'slack', id: e.user },
        channel: { platform: 'slack', id: e.channel },
        text,
      });
      // `message` here only places the public answer in the thread; there is no card to redraw.
      await deliver({ ...res, updatedCard: undefined }, where);
    } catch (err) {
      log.error({ err }, 'chat core failed on a mention');
      await failed(where);
    }
  });

  // ---- buttons ----------------------------------------------------------------------------
  app.action(/.*/, async ({ ack, body, respond }) => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) {
      log.warn('malformed block_actions payload');
      if (typeof respond === 'function')
        await tell({ channel: '', user: '', respond }, { text: 'I could not read that click.' });
      return;
    }
    const b = parsed.data;
    const action = b.actions[0];
    const channel = b.channel?.id ?? b.container?.channel_id;
    const where = { channel: channel ?? '', user: b.user.id, respond };
    const click = decodeClick(action?.action_id, action?.value);
    if (!click || !channel) {
      await tell(where, { text: 'This button is not one I know (or it is out of date).' });
      return;
    }
    const ephemeral = b.container?.is_ephemeral === true;
    const ts = !ephemeral ? (b.message?.ts ?? b.container?.message_ts) : undefined;
    const message: MessageRef | undefined = ts
      ? { platform: 'slack', channel, messageId: ts }
      : undefined;

    if (click.needsReason) {
      const meta: ReasonMetadata = {
        value: click.value,
        channel,
        messageTs: ts,
        confirmed: click.confirmed,
        optional: click.needsReason.optional,
      };
      const privateMetadata = JSON.stringify(meta);
      if (!b.trigger_id || privateMetadata.length > 3000) {
        await tell(where, {
          text: 'I cannot ask for a reason here; please try again from the card.',
        });
        return;
      }
      try {
        await client.views.open({
          trigger_id: b.trigger_id,
          view: {
            type: 'modal',
            callback_id: REASON_CALLBACK,
            private_metadata: privateMetadata,
            title: { type: 'plain_text', text: cut(click.needsReason.title, 24) || '-' },
            submit: { type: 'plain_text', text: cut(click.needsReason.submit, 24) || 'OK' },
            blocks: [
              {
                type: 'input',
                block_id: REASON_BLOCK,
                optional: click.needsReason.optional,
                label: { type: 'plain_text', text: cut(click.needsReason.label, 2000) || '-' },
                element: {
                  type: 'plain_text_input',
                  action_id: REASON_BLOCK,
                  multiline: true,
                  max_length: MAX_REASON,
                },
              },
            ],
          },
        });
      } catch (err) {
        log.warn({ err: describe(err) }, 'could not open the reason dialog');
        await tell(where, { text: 'I could not open the dialog; please try again.' });
      }
      return;
    }

    const actor: Actor = { platform: 'slack', id: b.user.id, displayName: displayName(b.user) };
    let res: ChatResponse;
    try {
      res = await core.action({
        actor,
        channel: { platform: 'slack', id: channel },
        value: click.value,
        input: { confirmed: click.confirmed },
        message,
      });
    } catch (err) {
      log.error({ err }, 'chat core failed on a click');
      await failed(where);
      return;
    }
    await deliver(res, { ...where, message, ephemeralCard: ephemeral });
  });

  // ---- the reason dialog ------------------------------------------------------------------
  app.view(REASON_CALLBACK, async ({ ack, body }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    let meta: ReasonMetadata | null = null;
    if (parsed.success) {
      try {
        const m = reasonMetadataSchema.safeParse(JSON.parse(parsed.data.view.private_metadata));
        meta = m.success ? m.data : null;
      } catch {
        meta = null;
      }
    }
    if (!parsed.success || !meta) {
      log.warn('malformed reason dialog submission');
      await ack({
        response_action: 'errors',
        errors: {
          [REASON_BLOCK]: 'This dialog is out of date; close it and click the button again.',
        },
      });
      return;
    }
    const v = parsed.data;
    const raw = v.view.state.values[REASON_BLOCK]?.[REASON_BLOCK]?.value ?? '';
    const reason = raw.trim().slice(0, MAX_REASON);
    if (!meta.optional && reason.length === 0) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Please give a reason.' } });
      return;
    }
    await ack();
    const message: MessageRef | undefined = meta.messageTs
      ? { platform: 'slack', channel: meta.channel, messageId: meta.messageTs }
      : undefined;
    const where = { channel: meta.channel, user: v.user.id, message };
    try {
      const res = await core.action({
        actor: { platform: 'slack', id: v.user.id, displayName: displayName(v.user) },
        channel: { platform: 'slack', id: meta.channel },
        value: meta.value,
        input: { reason: reason.length > 0 ? reason : undefined, confirmed: meta.confirmed },
        message,
      });
      await deliver(res, where);
    } catch (err) {
      log.error({ err }, 'chat core failed on a reason submission');
      await failed(where);
    }
  });

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

  const surface = createSlackSurface(client);
  const groups = createSlackGroupResolver(client, { ttlMs: options.groupCacheTtlMs, logger: log });

  return {
    surface,
    groups,
    alertChannel: config.alertChannel,
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

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
