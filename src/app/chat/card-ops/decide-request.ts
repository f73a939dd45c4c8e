import type { FlowResult } from '../../approvals/approval-flow';
import { withdrawalOf } from '../../../domain/approvals/transitions';
import { encodeActionRef } from '../../../domain/cards/action-ref';
import { breakGlassOffer } from '../../../domain/cards/incident-card';
import { shortTime } from '../../../domain/shared/text';
import { actionTitle, localizeText, t } from '../../../domain/strings';
import { say, sayIn } from '../core-context';
import { redraw } from './shared';
import type { CardOpHandler } from './types';

/** Approve, Reject and Cancel in the approval block: a decision on one request of the card's. */
export const decideRequest: CardOpHandler = async (click, turn) => {
  const { ref, extra } = click;
  const { deps, actor, answerLang } = turn;
  if (!ref.request) return say(t(answerLang, 'chat.request.none'));
  const target = await deps.approvals.get(ref.request);
  // A button acts on its own incident's request only (a value from chat is input); runCardOp
  // has made sure the value names both.
  if (!target || !ref.incident || target.incidentId !== ref.incident) {
    return say(t(answerLang, 'chat.request.otherCard'));
  }
  let result: FlowResult;
  if (ref.op === 'approve' && target.risk === 'destructive' && extra.confirmed !== true) {
    // The card's Approve asks first (Slack dialog, Teams second step, console confirm).
    return say(
      t(answerLang, 'chat.request.confirmFirst', {
        command: target.command,
        server: target.server ?? '?',
      }),
    );
  }
  if (ref.op === 'approve') {
    result = await deps.approvals.approve({
      actor,
      requestId: ref.request,
      ...(extra.reason ? { breakGlassReason: extra.reason } : {}),
    });
  } else if (ref.op === 'reject') {
    const reason = extra.reason?.trim() ?? '';
    if (reason === '') return say(t(answerLang, 'chat.request.reasonNeeded'));
    result = await deps.approvals.reject({
      actor,
      requestId: ref.request,
      reason: reason.slice(0, 500),
    });
  } else {
    result = await deps.approvals.cancel({ actor, requestId: ref.request });
  }
  if (!result.ok && result.breakGlassOpen) {
    // Only a requester who may break glass is offered it, and only to them.
    return {
      private: {
        text: localizeText(answerLang, result.reason),
        card: breakGlassOffer(target, encodeActionRef(ref), result.reason, turn.lang),
      },
    };
  }
  if (!result.ok) {
    // Withdrawn by the bot (the alert resolved): say so and why, not "cancelled by the requester".
    const latest = result.code === 'not-pending' ? await deps.approvals.get(ref.request) : null;
    const w = latest ? withdrawalOf(latest) : null;
    if (w) {
      return say(
        t(answerLang, 'chat.request.withdrawn', {
          id: ref.request,
          at: shortTime(w.at),
          reason: localizeText(answerLang, w.reason),
        }),
      );
    }
    return sayIn(answerLang, result.reason);
  }
  const { server } = result.request;
  const title = actionTitle(answerLang, result.request.actionId, result.request.title);
  const done =
    ref.op === 'approve'
      ? t(answerLang, 'chat.request.approved', { title, server: server ?? '?' })
      : ref.op === 'reject'
        ? t(answerLang, 'chat.request.rejected', { title })
        : t(answerLang, 'chat.request.cancelled', { title });
  return redraw(click, turn, { private: { text: done } });
};
