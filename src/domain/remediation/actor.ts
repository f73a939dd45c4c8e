import type { Actor as ChatActor, ChatPlatform } from '../approvals/identity';

/** A person as the chat platform identifies them (the approval policy's Actor), or the bot itself. */
export type Actor = Omit<ChatActor, 'platform' | 'upn'> & { platform: ChatPlatform | 'system' };

export const SYSTEM_ACTOR: Actor = {
  platform: 'system',
  id: 'exchange-chatops',
  displayName: 'exchange-chatops',
};
