import { flattenSteps } from '../../../domain/runbooks/catalog';
import { localizeText, t } from '../../../domain/strings';
import { readDenied, redraw, runTarget } from './shared';
import type { CardOpHandler } from './types';

/** "Run read-only checks": every check step of the section, each as its own job. */
export const runChecks: CardOpHandler = async (click, turn) => {
  const target = runTarget(click, turn);
  if (!target.ok) return target.response;
  const { incident, server, section } = target;
  const { deps, actor, answerLang } = turn;
  const denied = await readDenied(turn, server.name);
  if (denied) return denied;
  const checks = flattenSteps(section.steps).filter((s) => s.kind === 'check' && s.action);
  const queued: string[] = [];
  const refused: string[] = [];
  for (const step of checks) {
    const r = await deps.remediation.runStep({
      incidentId: incident.id,
      sectionId: section.id,
      stepId: step.id,
      actor,
      onlyWhenItsConditionHolds: true,
    });
    if (r.ok) queued.push(step.number);
    else
      refused.push(
        t(answerLang, 'chat.checks.refusedOne', {
          step: step.number,
          reason: localizeText(answerLang, r.reason),
        }),
      );
  }
  const text =
    (queued.length > 0
      ? t(answerLang, 'chat.checks.running', { steps: queued.join(', ') })
      : t(answerLang, 'chat.checks.none')) +
    (refused.length > 0
      ? t(answerLang, 'chat.checks.refused', {
          refused: refused.join(t(answerLang, 'list.separator')),
        })
      : '');
  return redraw(click, turn, { private: { text } });
};
