import type { ChatCommand, CommandName } from '../../../domain/chat/commands';
import type { Turn } from '../core-context';
import type { ChatResponse } from '../ports';

export type CommandOf<N extends CommandName> = Extract<ChatCommand, { name: N }>;

/** What one `/exchange` sub-command does, once parsed. */
export type CommandHandler<N extends CommandName> = (
  cmd: CommandOf<N>,
  turn: Turn,
) => Promise<ChatResponse>;
