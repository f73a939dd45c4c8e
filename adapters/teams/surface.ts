import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Card } from '../../src/domain/cards/card';
import {
  ChatDeliveryError,
  type ChatSurface,
  type MessageRef,
  type Reply,
} from '../../src/app/chat/ports';
import { cardActivity, replyActivity } from './activities';
import type { ConversationStore, StoredConversation } from './conversation-store';
import { toDeliveryError } from './delivery-error';

/**
 * The outgoing side used by the durable delivery queue. Each call continues the stored
 * conversation through botbuilder (which signs the requests) and talks to the Bot Connector with
 * the turn's ConnectorClient, so the exact endpoint is ours to choose:
 *
 * - a card in a team channel starts a new thread (`createConversation` with the channel), the
 *   card being its root; the MessageRef is {channel id, root activity id};
 * - the thread of a root is `<channel id>;messageid=<root id>`: updates and replies go there;
 * - in group and 1:1 chats, which have no threads, cards are plain messages and "thread" replies
 *   are replies to that message.
 *
 * Every failure is a ChatDeliveryError (429 → retryAfterMs); botbuilder's own retries are off
 * for these calls (see createTeamsAdapter), so the queue alone decides about retrying.
 */
export function createTeamsSurface(deps: {
  adapter: CloudAdapter;
  store: ConversationStore;
  appId: string;
}): ChatSurface {
  const { adapter, store, appId } = deps;

  async function withConversation<T>(
    channel: string,
    operation: string,
    fn: (client: ConnectorClient, stored: StoredConversation) => Promise<T>,
  ): Promise<T> {
    const stored = await store.get(channel);
    if (stored === null) {
      throw new ChatDeliveryError(
        `Teams ${operation}: the bot is not installed in conversation ${channel}`,
        undefined,
        false,
      );
    }
    let result: { value: T } | undefined;
    let failure: unknown;
    try {
      await adapter.continueConversationAsync(
        appId,
        stored.reference as Partial<ConversationReference>,
        async (context) => {
          // Caught here: the adapter's onTurnError would otherwise swallow it.
          try {
            const client = context.turnState.get<ConnectorClient>(
              context.adapter.ConnectorClientKey,
            );
            result = { value: await fn(client, stored) };
          } catch (err) {
            failure = err;
          }
        },
      );
    } catch (err) {
      failure = err;
    }
    if (failure !== undefined || result === undefined) {
      throw toDeliveryError(failure ?? new Error('no result'), operation);
    }
    return result.value;
  }

  const threadOf = (stored: StoredConversation, ref: MessageRef): string =>
    stored.kind === 'channel' ? `${ref.channel};messageid=${ref.messageId}` : ref.channel;

  const outgoing = (
    activity: Partial<Activity>,
    stored: StoredConversation,
    conversationId: string,
  ) =>
    ({
      ...activity,
      from: stored.reference.bot,
      conversation: { ...stored.reference.conversation, id: conversationId },
    }) as Partial<Activity>;

  /** A new message at the top of the conversation: a new thread in a channel. */
  async function postTop(channel: string, activity: Partial<Activity>, operation: string) {
    return withConversation(channel, operation, async (client, stored) => {
      if (stored.kind === 'channel') {
        const created = await client.conversations.createConversation({
          isGroup: true,
          bot: stored.reference.bot,
          tenantId: stored.tenantId,
          channelData: {
            channel: { id: channel },
            ...(stored.tenantId ? { tenant: { id: stored.tenantId } } : {}),
          },
          activity: outgoing(activity, stored, channel),
        } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);
        const id = created.activityId ?? /;messageid=(.+)$/.exec(created.id ?? '')?.[1];
        // Posted but unaddressable: a retry would post it twice.
        if (!id)
          throw new ChatDeliveryError(`Teams ${operation}: no activity id`, undefined, false);
        return id;
      }
      const sent = await client.conversations.sendToConversation(
        channel,
        outgoing(activity, stored, channel),
      );
      if (!sent.id)
        throw new ChatDeliveryError(`Teams ${operation}: no activity id`, undefined, false);
      return sent.id;
    });
  }

  return {
    platform: 'teams',
    async postCard(channel: string, card: Card): Promise<MessageRef> {
      const messageId = await postTop(channel, cardActivity(card), 'postCard');
      return { platform: 'teams', channel, messageId };
    },
    async updateCard(ref: MessageRef, card: Card): Promise<void> {
      await withConversation(ref.channel, 'updateCard', async (client, stored) => {
        const conversationId = threadOf(stored, ref);
        await client.conversations.updateActivity(conversationId, ref.messageId, {
          ...outgoing(cardActivity(card), stored, conversationId),
          id: ref.messageId,
        });
      });
    },
    async postInThread(ref: MessageRef, reply: Reply): Promise<void> {
      await withConversation(ref.channel, 'postInThread', async (client, stored) => {
        const conversationId = threadOf(stored, ref);
        await client.conversations.replyToActivity(conversationId, ref.messageId, {
          ...outgoing(replyActivity(reply), stored, conversationId),
          replyToId: ref.messageId,
        });
      });
    },
    async postToChannel(channel: string, reply: Reply): Promise<void> {
      await postTop(channel, replyActivity(reply), 'postToChannel');
    },
  };
}
