import { t } from '../../../domain/strings';
import { say, sayIn } from '../core-context';
import { readDenied, redraw, stepTarget } from './shared';
import type { CardOpHandler } from './types';

/** "Mark done" on a manual step. */
export const markDone: CardOpHandler = async (click, turn) => {
  const target = stepTarget(click, turn);
  if (!target.ok) return target.response;
  const { step, server, address } = target;
  const { answerLang } = turn;
  // Only a manual step is "done" by someone's word; a change is settled by its check.
  if (step.kind !== 'manual')
    return say(t(answerLang, 'chat.step.notManual', { step: step.number }));
  const denied = await readDenied(turn, server.name);
  if (denied) return denied;
  const r = await turn.deps.remediation.markDone(address);
  return r.ok
    ? redraw(click, turn, {
        private: { text: t(answerLang, 'chat.step.markedDone', { step: step.number }) },
      })
    : sayIn(answerLang, r.reason);
};
