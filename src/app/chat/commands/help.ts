import { COMMANDS } from '../../../domain/chat/commands';
import type { Lang } from '../../../domain/runbooks/text';
import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CommandHandler } from './types';

/** The usage line and one line per sub-command. */
export function helpText(lang: Lang): string {
  const lines = COMMANDS.map((c) =>
    t(lang, 'chat.help.line', { usage: c.usage, summary: c.summary[lang] }),
  );
  return [t(lang, 'chat.help.head'), ...lines].join('\n');
}

export const help: CommandHandler<'help'> = async (_cmd, turn) => say(helpText(turn.lang));
