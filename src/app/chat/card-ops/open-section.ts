import { renderRunbookCard } from '../../../domain/cards/render-runbook-card';
import { t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CardOpHandler } from './types';

/** A goto step's or "Verify first" button: another section's card, for the person who asked. */
export const openSection: CardOpHandler = async ({ ref, incident }, { deps, lang, answerLang }) => {
  const section = deps.catalog.sections.get(ref.section);
  if (!section) return say(t(answerLang, 'chat.section.none', { section: ref.section }));
  const card = renderRunbookCard(
    section,
    {
      server: incident
        ? ref.server === 'relatedServer'
          ? incident.relatedServer
          : incident.server
        : null,
      relatedServer: incident?.relatedServer ?? null,
      healthSet: incident?.healthSet ?? null,
      probe: null,
      roles: null,
      catalog: deps.catalog,
    },
    lang,
  );
  return { private: { text: card.fallbackText, card } };
};
