import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CommandHandler } from './types';

/** The open incidents, one line each. */
export const incidents: CommandHandler<'incidents'> = async (_cmd, { deps, answerLang }) => {
  const open = await deps.incidents.listOpen(50);
  if (open.length === 0) return say(t(answerLang, 'chat.incidents.none'));
  const lines = open.map((i) =>
    t(answerLang, 'chat.incidents.line', {
      id: i.id,
      severity: t(answerLang, `severity.${i.severity}`).padEnd(8),
      healthSet: i.healthSet ?? '?',
      server: i.server?.name ?? '?',
      title: i.title,
      occurrences: i.occurrences,
      lastSeen: i.lastSeen,
    }),
  );
  return {
    private: {
      text: t(answerLang, 'chat.incidents.title', { count: open.length }),
      code: [{ body: lines.join('\n') }],
    },
  };
};
