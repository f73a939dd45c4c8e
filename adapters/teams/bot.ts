import {
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type Activity,
  type InvokeResponse,
} from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { z } from 'zod';
import type { Actor } from '../../src/domain/identity/actor';
import type { ChatCore, ChatResponse, MessageRef, Reply } from '../../src/app/chat/ports';
import { DEFAULT_LANG, type Lang } from '../../src/domain/runbooks/text';
import { t } from '../../src/domain/strings';
import type { Logger } from '../../src/infra/logger';
import { replyActivity } from './activities';
import type { ConversationStore } from './conversation-store';
import { errorText } from './delivery-error';
import { escapeXml } from './escape';
import {
  baseConversationId,
  followServiceUrl,
  includesBot,
  install,
  saveChannel,
  tenantOf,
  uninstall,
} from './installation';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  EXECUTE_VERB,
  renderAdaptiveCard,
} from './render-adaptive-card';

const MESSAGE_RESPONSE = 'application/vnd.microsoft.activity.message';
const ERROR_RESPONSE = 'application/vnd.microsoft.error';

/** `activity.value` of an `adaptiveCard/action` invoke, as far as we use it. */
const executeValueSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(64),
    // Action.Execute data plus the values of the card's inputs, merged by the Teams client.
    data: z.record(z.string(), z.unknown()),
  }),
});
const executeDataSchema = z.object({
  v: z.string().min(1).max(4000),
  confirmed: z.boolean().optional(),
  reasonInput: z
    .string()
    .regex(/^reason-\d{1,4}$/)
    .optional(),
});
const REASON_MAX = 500;
/**
 * The bot's own refusals: in the conversation's language when the core can tell it (it keeps the
 * channels' languages), else in the default one.
 */
async function langOf(core: ChatCore, conversationId: string | undefined): Promise<Lang> {
  if (!conversationId || !core.langOf) return DEFAULT_LANG;
  const channel = { platform: 'teams' as const, id: baseConversationId(conversationId) };
  return core.langOf(channel).catch(() => DEFAULT_LANG);
}

export interface TeamsBotDeps {
  core: ChatCore;
  store: ConversationStore;
  logger: Logger;
}

/**
 * What the bot does with each activity Teams sends: remember where it was installed (the
 * bookkeeping is in installation.ts), pass commands and button presses to the core, render the
 * answers.
 */
export class TeamsBot extends TeamsActivityHandler {
  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.onTurn(async (context, next) => {
      await followServiceUrl(this.deps, context);
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (includesBot(context.activity.membersAdded, context)) await install(this.deps, context);
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      if (includesBot(context.activity.membersRemoved, context))
        await uninstall(this.deps, context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await install(this.deps, context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      // `remove-upgrade` is an app update, not a removal.
      if (context.activity.action === 'remove') await uninstall(this.deps, context);
      await next();
    });
    this.onTeamsChannelCreatedEvent(async (channel, team, context, next) => {
      if (channel.id && team.id)
        await saveChannel(this.deps, context, team.id, channel.id, channel.name);
      await next();
    });
    this.onTeamsChannelDeletedEvent(async (channel, _team, _context, next) => {
      if (channel.id) await this.deps.store.remove(channel.id);
      await next();
    });
    this.onTeamsTeamDeletedEvent(async (team, _context, next) => {
      if (team.id) await this.deps.store.removeTeam(team.id);
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'adaptiveCard/action') return this.handleExecute(context);
    return super.onInvokeActivity(context);
  }

  // --- commands -------------------------------------------------------------------------------

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const text = normalizeText(TurnContext.removeRecipientMention(activity) ?? activity.text ?? '');
    // A message without text (an image, a reaction card) is not a command.
    if (text === '') return;
    const actor = await this.actorOf(context);
    if (actor === null) {
      await context.sendActivity(
        replyActivity({
          text: t(await langOf(this.deps.core, activity.conversation?.id), 'teams.noAadId'),
        }),
      );
      return;
    }
    const channel = {
      platform: 'teams' as const,
      id: baseConversationId(activity.conversation.id),
    };
    let response: ChatResponse;
    try {
      response = await this.deps.core.command({ actor, channel, text });
    } catch (err) {
      this.deps.logger.error({ err: errorText(err) }, 'Teams: command failed');
      await context.sendActivity(
        replyActivity({
          text: t(await langOf(this.deps.core, activity.conversation?.id), 'teams.commandFailed'),
        }),
      );
      return;
    }
    // Public answers go into the thread the command was typed in (the conversation id says which).
    if (response.public) await context.sendActivity(replyActivity(response.public));
    if (response.private) await this.sendPrivate(context, response.private);
  }

  // --- button presses (Universal Actions) -----------------------------------------------------

  private async handleExecute(context: TurnContext): Promise<InvokeResponse> {
    const activity = context.activity;
    const value = executeValueSchema.safeParse(activity.value);
    if (!value.success || value.data.action.verb !== EXECUTE_VERB) {
      return invokeError(
        400,
        'BadRequest',
        t(await langOf(this.deps.core, activity.conversation?.id), 'teams.notOurAction'),
      );
    }
    const raw = value.data.action.data;
    const data = executeDataSchema.safeParse(raw);
    if (!data.success)
      return invokeError(
        400,
        'BadRequest',
        t(await langOf(this.deps.core, activity.conversation?.id), 'teams.badActionData'),
      );
    const reasonRaw = data.data.reasonInput ? raw[data.data.reasonInput] : undefined;
    const reason =
      typeof reasonRaw === 'string' && reasonRaw.trim() !== ''
        ? reasonRaw.trim().slice(0, REASON_MAX)
        : undefined;

    const actor = await this.actorOf(context);
    if (actor === null) {
      return invokeError(
        400,
        'BadRequest',
        t(await langOf(this.deps.core, activity.conversation?.id), 'teams.noAccount'),
      );
    }
    const channelId = baseConversationId(activity.conversation.id);
    const message: MessageRef | undefined = activity.replyToId
      ? { platform: 'teams', channel: channelId, messageId: activity.replyToId }
      : undefined;

    let response: ChatResponse;
    try {
      response = await this.deps.core.action({
        actor,
        channel: { platform: 'teams', id: channelId },
        value: data.data.v,
        input: { reason, confirmed: data.data.confirmed === true ? true : undefined },
        message,
      });
    } catch (err) {
      this.deps.logger.error({ err: errorText(err) }, 'Teams: action failed');
      return invokeError(
        500,
        'InternalError',
        t(await langOf(this.deps.core, activity.conversation?.id), 'teams.actionFailed'),
      );
    }

    if (response.public) await context.sendActivity(replyActivity(response.public));
    if (response.updatedCard) {
      // The redrawn card is the answer: a text-only private note ("Requested step…",
      // "Approved…") would open a 1:1 chat for every click. Only what the card cannot say (a
      // card or output for this person alone) still goes to them privately.
      const p = response.private;
      if (p && (p.card || (p.code && p.code.length > 0))) await this.sendPrivate(context, p);
      // Returned to Teams, which redraws the message for everyone who sees it.
      return invokeOk(ADAPTIVE_CARD_CONTENT_TYPE, renderAdaptiveCard(response.updatedCard));
    }
    if (response.private) {
      const p = response.private;
      // Plain text is shown to the person who clicked only; anything richer goes to them privately.
      if (p.card || (p.code && p.code.length > 0)) await this.sendPrivate(context, p);
      return invokeOk(MESSAGE_RESPONSE, p.text);
    }
    return invokeOk(MESSAGE_RESPONSE, response.public?.text ?? '✓');
  }

  // --- private answers ------------------------------------------------------------------------

  /**
   * Teams has no ephemeral messages in channels. A private answer goes to a 1:1 chat with the
   * person (created on the fly, which works where the app is installed for them); when that is
   * not possible it becomes a reply in the thread that @mentions them, visible to the channel.
   */
  private async sendPrivate(context: TurnContext, reply: Reply): Promise<void> {
    const activity = context.activity;
    if (activity.conversation.conversationType === 'personal') {
      await context.sendActivity(replyActivity(reply));
      return;
    }
    try {
      const client = context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey);
      const tenantId = tenantOf(activity);
      const created = await client.conversations.createConversation({
        isGroup: false,
        bot: activity.recipient,
        members: [{ id: activity.from.id, name: activity.from.name }],
        tenantId,
        channelData: tenantId ? { tenant: { id: tenantId } } : undefined,
      } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);
      await client.conversations.sendToConversation(created.id, {
        ...replyActivity(reply),
        from: activity.recipient,
        conversation: { id: created.id } as Activity['conversation'],
      });
      return;
    } catch (err) {
      this.deps.logger.debug(
        { err: errorText(err) },
        'Teams: no 1:1 chat; answering in the thread',
      );
    }
    const mention = `<at>${escapeXml(activity.from.name ?? t(await langOf(this.deps.core, activity.conversation?.id), 'teams.you'))}</at>`;
    const base = replyActivity(reply);
    await context.sendActivity({
      ...base,
      // xml so that the mention renders; the answer's own text is escaped to stay literal.
      text: base.text !== undefined ? `${mention} ${escapeXml(base.text)}` : mention,
      textFormat: 'xml',
      entities: [{ type: 'mention', mentioned: activity.from, text: mention }],
    });
  }

  // --- identity -------------------------------------------------------------------------------

  /** The AAD object id (what the approval policy lists), and the UPN when Teams tells us. */
  private async actorOf(context: TurnContext): Promise<Actor | null> {
    const from = context.activity.from;
    const aad = from.aadObjectId;
    if (!aad || !/^[0-9a-f-]{36}$/i.test(aad)) return null;
    const actor: Actor = { platform: 'teams', id: aad };
    if (from.name) actor.displayName = from.name;
    const upn = await this.upnOf(context, aad);
    if (upn) actor.upn = upn;
    return actor;
  }

  private async upnOf(context: TurnContext, aad: string): Promise<string | null> {
    const cached = await this.deps.store.getUpn(aad);
    if (cached) return cached;
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      if (member.userPrincipalName) {
        await this.deps.store.setUpn(aad, member.userPrincipalName);
        return member.userPrincipalName;
      }
    } catch (err) {
      // The UPN is optional: a policy can list the object id instead.
      this.deps.logger.debug({ err: errorText(err) }, 'Teams: could not read the member UPN');
    }
    return null;
  }
}

/** Teams puts non-breaking spaces (raw or as &nbsp;) around mentions; commands want plain words. */
function normalizeText(text: string): string {
  return text
    .replace(/&nbsp;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function invokeOk(type: string, value: unknown): InvokeResponse {
  return { status: 200, body: { statusCode: 200, type, value } };
}

function invokeError(status: number, code: string, message: string): InvokeResponse {
  return { status, body: { statusCode: status, type: ERROR_RESPONSE, value: { code, message } } };
}
