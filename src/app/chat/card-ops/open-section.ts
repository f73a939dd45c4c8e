import { cardContextFromMatch, buildRunbookCard } from '../../../domain/cards/runbook-card';
import { matchRunbook } from '../../../domain/runbooks/match-runbook';
import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CardOpHandler } from './types';

/** A goto step's or "Verify first" button: another section's card, for the person who asked. */
export const openSection: CardOpHandler = async ({ ref, incident }, { deps, lang, answerLang }) => {
  const section = deps.catalog.sections.get(ref.section);
  if (!section) return say(t(answerLang, 'chat.section.none', { section: ref.section }));
  // The incident's match gives the failing monitor's probe and health set, so the opened
  // section's commands are filled in, not left with placeholders.
  const match = incident
    ? matchRunbook(deps.catalog, {
        monitor: ref.monitor ?? incident.monitors[incident.monitors.length - 1] ?? null,
        healthSet: incident.healthSet,
      })
    : null;
  const server = incident
    ? ref.server === 'relatedServer'
      ? incident.relatedServer
      : incident.server
    : null;
  const context = match
    ? cardContextFromMatch(
        match,
        { server, relatedServer: incident?.relatedServer ?? null },
        deps.catalog,
      )
    : {
        server,
        relatedServer: null,
        healthSet: null,
        probe: null,
        roles: null,
        catalog: deps.catalog,
      };
  const card = buildRunbookCard(section, context, lang);
  return { private: { text: card.fallbackText, card } };
};
