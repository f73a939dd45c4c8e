import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CommandHandler } from './types';

/** One incident's card, for the person who asked. */
export const incident: CommandHandler<'incident'> = async (cmd, turn) => {
  const found = await turn.deps.incidents.get(cmd.id);
  if (!found) return say(t(turn.answerLang, 'chat.incident.none', { id: cmd.id }));
  const card = await turn.incidentCard(found, turn.lang);
  return { private: { text: card.fallbackText, card } };
};
