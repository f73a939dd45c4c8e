import { missingBinding, type ActionRef, type CardOp } from '../../../domain/cards/action-ref';
import { t } from '../../../domain/strings';
import { say, type Turn } from '../core-context';
import type { ActionInput, ChatResponse } from '../ports';
import { decideRequest } from './decide-request';
import { markDone } from './mark-done';
import { openSection } from './open-section';
import { runChecks } from './run-checks';
import { runStep } from './run-step';
import { switchLang } from './switch-lang';
import type { CardOpHandler } from './types';

/** One handler per card operation; a new operation without one does not compile. */
const HANDLERS: Record<Exclude<CardOp, 'switch-lang'>, CardOpHandler> = {
  approve: decideRequest,
  reject: decideRequest,
  'cancel-request': decideRequest,
  'open-section': openSection,
  'run-checks': runChecks,
  'mark-done': markDone,
  'run-step': runStep,
};

/** A decoded button press: its incident looked up (once), then its operation's handler. */
export async function runCardOp(
  ref: ActionRef,
  extra: ActionInput,
  turn: Turn,
): Promise<ChatResponse> {
  // The language button only changes how the channel's cards read; it acts on nothing.
  if (ref.op === 'switch-lang') return switchLang(ref, turn);
  const incident = ref.incident ? await turn.deps.incidents.get(ref.incident) : null;
  if (ref.incident && !incident) {
    return say(t(turn.answerLang, 'chat.incident.gone', { id: ref.incident }));
  }
  // A value is input: one that does not name its whole target is refused, never completed.
  const missing = missingBinding(ref);
  if (missing.length > 0) {
    return say(t(turn.answerLang, 'chat.button.unbound', { fields: missing.join(', ') }));
  }
  // Versions only grow: a card drawn from a version the incident never had was not ours.
  if (incident && ref.version !== undefined && ref.version > incident.version) {
    return say(t(turn.answerLang, 'chat.button.otherVersion', { id: incident.id }));
  }
  return HANDLERS[ref.op]({ ref, incident, extra }, turn);
}
