import type { ActionRef } from '../../../domain/cards/action-ref';
import type { Turn } from '../core-context';
import type { ChatResponse } from '../ports';

/** The card's language button: the channel's language changes, and the card is redrawn in it. */
export async function switchLang(ref: ActionRef, turn: Turn): Promise<ChatResponse> {
  const next = ref.lang ?? 'en';
  await turn.deps.prefs.setLang(turn.channel, next);
  const incident = ref.incident ? await turn.deps.incidents.get(ref.incident) : null;
  return incident ? { updatedCard: await turn.incidentCard(incident, next) } : {};
}
