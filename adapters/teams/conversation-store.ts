import type { ConversationReference } from 'botbuilder';
import type { RedisClient } from '../../src/infra/redis/redis';

/**
 * Where the bot may post: the conversation references Teams gave us when the bot was installed,
 * in Redis so every replica can post and a restart forgets nothing. All keys share the hash tag
 * `{teams}` so the multi-key updates run on one Redis Cluster slot.
 */
export interface StoredConversation {
  /** As botbuilder's `TurnContext.getConversationReference`, without the activity id. */
  reference: Partial<ConversationReference>;
  /** A team channel (cards start threads), a group chat or a 1:1 chat. */
  kind: 'channel' | 'groupChat' | 'personal';
  teamId?: string | undefined;
  name?: string | undefined;
  tenantId?: string | undefined;
  /** When the bot was added here (ms); absent for channels learnt from the team's channel list. */
  installedAt?: number | undefined;
}

export function teamsKeys(prefix: string) {
  const t = `${prefix}:{teams}`;
  return {
    conversation: (id: string) => `${t}:conv:${id}`,
    /** Conversations the bot was installed in (not 1:1 chats), scored by install time. */
    installed: `${t}:installed`,
    /** Every stored conversation of a team, so an uninstall removes them all. */
    team: (teamId: string) => `${t}:team:${teamId}`,
    /** UPN by AAD object id, cached for a day (TeamsInfo.getMember costs a request). */
    upn: (aadObjectId: string) => `${t}:upn:${aadObjectId.toLowerCase()}`,
  };
}

export interface ConversationStore {
  get(conversationId: string): Promise<StoredConversation | null>;
  /** `installed`: the bot was added here (candidate alert channel), not just a known channel. */
  save(conversation: StoredConversation, options: { installed: boolean }): Promise<void>;
  remove(conversationId: string): Promise<void>;
  /** Removes every conversation of a team (the bot was removed from it, or it was deleted). */
  removeTeam(teamId: string): Promise<void>;
  /** The channel or group chat the bot was most recently installed in. */
  latestInstalled(): Promise<string | null>;
  getUpn(aadObjectId: string): Promise<string | null>;
  setUpn(aadObjectId: string, upn: string): Promise<void>;
}

const UPN_TTL_SECONDS = 24 * 3600;

export function createConversationStore(redis: RedisClient, prefix: string): ConversationStore {
  const keys = teamsKeys(prefix);
  return {
    async get(id) {
      const raw = await redis.get(keys.conversation(id));
      return raw === null ? null : (JSON.parse(raw) as StoredConversation);
    },
    async save(conversation, { installed }) {
      const id = conversation.reference.conversation?.id;
      if (!id) throw new Error('a conversation reference without a conversation id');
      const multi = redis.multi().set(keys.conversation(id), JSON.stringify(conversation));
      if (conversation.teamId) multi.sadd(keys.team(conversation.teamId), id);
      if (installed && conversation.kind !== 'personal') {
        multi.zadd(keys.installed, conversation.installedAt ?? Date.now(), id);
      }
      await multi.exec();
    },
    async remove(id) {
      const existing = await this.get(id);
      const multi = redis.multi().del(keys.conversation(id)).zrem(keys.installed, id);
      if (existing?.teamId) multi.srem(keys.team(existing.teamId), id);
      await multi.exec();
    },
    async removeTeam(teamId) {
      const ids = await redis.smembers(keys.team(teamId));
      const multi = redis.multi().del(keys.team(teamId));
      for (const id of ids) multi.del(keys.conversation(id)).zrem(keys.installed, id);
      await multi.exec();
    },
    async latestInstalled() {
      const [id] = await redis.zrevrange(keys.installed, 0, 0);
      return id ?? null;
    },
    async getUpn(aadObjectId) {
      return redis.get(keys.upn(aadObjectId));
    },
    async setUpn(aadObjectId, upn) {
      await redis.set(keys.upn(aadObjectId), upn, 'EX', UPN_TTL_SECONDS);
    },
  };
}
