/** A person (or the bot itself) as the chat platform identifies them. */
export interface Actor {
  platform: 'slack' | 'teams' | 'console' | 'system';
  id: string;
  displayName?: string;
}

export const SYSTEM_ACTOR: Actor = {
  platform: 'system',
  id: 'exchange-chatops',
  displayName: 'exchange-chatops',
};
