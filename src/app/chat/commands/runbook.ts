import { cardContextFromMatch, buildRunbookCard } from '../../../domain/cards/runbook-card';
import { matchQuery } from '../../../domain/runbooks/match-runbook';
import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CommandHandler } from './types';

/** The runbook card of a monitor, probe or health set, without an incident. */
export const runbook: CommandHandler<'runbook'> = async (cmd, { deps, lang, answerLang }) => {
  const match = matchQuery(deps.catalog, cmd.query);
  if (match.matchedBy === 'generic')
    return say(t(answerLang, 'chat.runbook.none', { query: cmd.query }));
  const card = buildRunbookCard(
    match.section,
    cardContextFromMatch(match, { server: null }, deps.catalog),
    lang,
  );
  return { private: { text: card.fallbackText, card } };
};
