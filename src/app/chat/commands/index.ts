import type { CommandName } from '../../../domain/chat/commands';
import type { Turn } from '../core-context';
import type { ChatResponse } from '../ports';
import { audit } from './audit';
import { health, probe } from './checks';
import { help } from './help';
import { incident } from './incident';
import { incidents } from './incidents';
import { jobs } from './jobs';
import { lang } from './lang';
import { runbook } from './runbook';
import type { CommandHandler, CommandOf } from './types';
import { workers } from './workers';

export { helpText } from './help';

/** One handler per sub-command; a new command without one does not compile. */
const HANDLERS: { [N in CommandName]: CommandHandler<N> } = {
  help,
  health,
  probe,
  runbook,
  incidents,
  incident,
  jobs,
  audit,
  workers,
  lang,
};

export function runCommand<N extends CommandName>(
  name: N,
  cmd: CommandOf<N>,
  turn: Turn,
): Promise<ChatResponse> {
  return HANDLERS[name](cmd, turn);
}
