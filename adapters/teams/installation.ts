import { TeamsInfo, TurnContext, type Activity, type ChannelAccount } from 'botbuilder';
import type { Logger } from '../../src/infra/logger';
import type { ConversationStore, StoredConversation } from './conversation-store';
import { errorText } from './delivery-error';

/**
 * Where the bot is: the conversation references Teams hands over when the bot is added to a
 * team, chat or channel, kept in the conversation store so the delivery queue can post there.
 * Only the store is touched here; nothing reaches the chat core.
 */
export interface InstallationDeps {
  store: ConversationStore;
  logger: Logger;
}

/** Teams appends `;messageid=<root>` to a channel's id inside a thread; the channel is the part before. */
export function baseConversationId(id: string): string {
  const cut = id.indexOf(';messageid=');
  return cut === -1 ? id : id.slice(0, cut);
}

/**
 * Teams may move a conversation to another service URL; Microsoft asks bots to use the one of
 * the latest activity, so a stored reference follows it (botbuilder checks the URL against the
 * token's claim before we get here).
 */
export async function followServiceUrl(
  deps: InstallationDeps,
  context: TurnContext,
): Promise<void> {
  const { serviceUrl, conversation } = context.activity;
  if (!serviceUrl || !conversation?.id) return;
  const id = baseConversationId(conversation.id);
  const stored = await deps.store.get(id);
  if (!stored || stored.reference.serviceUrl === serviceUrl) return;
  await deps.store.save(
    { ...stored, reference: { ...stored.reference, serviceUrl } },
    { installed: false },
  );
  deps.logger.info({ conversation: id, serviceUrl }, 'Teams: service URL changed');
}

export async function install(deps: InstallationDeps, context: TurnContext): Promise<void> {
  const stored = describeConversation(context.activity);
  await deps.store.save({ ...stored, installedAt: Date.now() }, { installed: true });
  const id = stored.reference.conversation?.id;
  deps.logger.info(
    { conversation: id, kind: stored.kind, team: stored.teamId },
    'Teams: installed',
  );
  if (!stored.teamId) return;
  // The other channels of the team, so routing can name any of them. Optional: a failure
  // (no permission, a fake connector without the endpoint) only means fewer known channels.
  try {
    for (const channel of await TeamsInfo.getTeamChannels(context, stored.teamId)) {
      if (channel.id && channel.id !== id) {
        await saveChannel(deps, context, stored.teamId, channel.id, channel.name);
      }
    }
  } catch (err) {
    deps.logger.debug({ err: errorText(err) }, 'Teams: could not list the team channels');
  }
}

/** A channel of a team the bot is in: known for routing, not an install of its own. */
export async function saveChannel(
  deps: InstallationDeps,
  context: TurnContext,
  teamId: string,
  channelId: string,
  name: string | undefined,
): Promise<void> {
  const base = describeConversation(context.activity);
  const reference = {
    ...base.reference,
    conversation: { ...base.reference.conversation, id: channelId, conversationType: 'channel' },
  } as StoredConversation['reference'];
  await deps.store.save(
    { ...base, reference, kind: 'channel', teamId, name },
    { installed: false },
  );
}

export async function uninstall(deps: InstallationDeps, context: TurnContext): Promise<void> {
  const stored = describeConversation(context.activity);
  if (stored.teamId) await deps.store.removeTeam(stored.teamId);
  const id = stored.reference.conversation?.id;
  if (id) await deps.store.remove(id);
  deps.logger.info({ conversation: id, team: stored.teamId }, 'Teams: uninstalled');
}

/** True if the bot itself is among the members added or removed. */
export function includesBot(members: ChannelAccount[] | undefined, context: TurnContext): boolean {
  return (members ?? []).some((m) => m.id === context.activity.recipient.id);
}

export function tenantOf(activity: Activity): string | undefined {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: string } };
  return channelData.tenant?.id ?? activity.conversation.tenantId;
}

/** The conversation an activity came from, ready to store (no activity id: proactive messages are no replies). */
function describeConversation(activity: Activity): StoredConversation {
  const reference = TurnContext.getConversationReference(activity);
  delete reference.activityId;
  const conversation = activity.conversation;
  const channelData = (activity.channelData ?? {}) as {
    team?: { id?: string; name?: string };
    channel?: { id?: string; name?: string };
  };
  const teamId = channelData.team?.id;
  const kind: StoredConversation['kind'] =
    conversation.conversationType === 'channel' || teamId
      ? 'channel'
      : conversation.conversationType === 'personal' || !conversation.isGroup
        ? 'personal'
        : 'groupChat';
  const id = baseConversationId(conversation.id);
  reference.conversation = { ...conversation, id };
  return {
    reference,
    kind,
    teamId,
    name: channelData.channel?.name ?? channelData.team?.name ?? conversation.name,
    tenantId: tenantOf(activity),
  };
}
