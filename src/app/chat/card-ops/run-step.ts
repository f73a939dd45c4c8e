import { runStep as stepRecord } from '../../../domain/cards/run-view';
import { localizeText, t } from '../../../domain/strings';
import { say, sayIn } from '../core-context';
import { readDenied, redraw, stepTarget } from './shared';
import type { CardOpHandler } from './types';

/**
 * A step's button: a check or wait runs; a change or destructive step is requested for approval,
 * or, when its outcome is unknown, verified by its read-only check.
 */
export const runStep: CardOpHandler = async (click, turn) => {
  const target = stepTarget(click, turn);
  if (!target.ok) return target.response;
  const { incident, server, section, step, address } = target;
  const { deps, answerLang } = turn;
  const number = step.number;

  if (step.kind === 'check' || step.kind === 'wait') {
    const denied = await readDenied(turn, server.name);
    if (denied) return denied;
    const r = await deps.remediation.runStep(address);
    return r.ok
      ? redraw(click, turn, {
          private: { text: t(answerLang, 'chat.step.running', { step: number }) },
        })
      : say(
          t(answerLang, 'chat.step.notRun', {
            step: number,
            reason: localizeText(answerLang, r.reason),
          }),
        );
  }
  if (step.kind === 'change' || step.kind === 'destructive') {
    const rec = stepRecord(await deps.remediation.getRun(incident.id), section.id, step.id);
    if (rec?.verify && rec.outcome === undefined) {
      // Its outcome is unknown: the button runs the read-only check that settles it.
      const denied = await readDenied(turn, server.name);
      if (denied) return denied;
      const v = await deps.remediation.runStep(address);
      return v.ok
        ? redraw(click, turn, {
            private: {
              text: t(answerLang, 'chat.step.verifying', {
                step: number,
                action: rec.verify.actionId,
              }),
            },
          })
        : say(
            t(answerLang, 'chat.step.notVerified', {
              step: number,
              reason: localizeText(answerLang, v.reason),
            }),
          );
    }
    const r = await deps.remediation.requestStep({ ...address, confirmed: click.extra.confirmed });
    if (!r.ok) return sayIn(answerLang, r.reason);
    const what = r.request.autoApproved
      ? t(answerLang, 'chat.step.autoApproved', { step: number })
      : r.created === false
        ? t(answerLang, 'chat.step.alreadyRequested', { step: number })
        : t(answerLang, 'chat.step.requested', { step: number, until: r.request.expiresAt });
    return redraw(click, turn, { private: { text: what } });
  }
  return say(t(answerLang, 'chat.step.nothingToRun'));
};
