import { planDependencyChecks } from '../../../domain/outages/dependency-checks';
import { dependencyName, outageMemberLines } from '../../../domain/outages/outage-card';
import type { OutageActionRef } from '../../../domain/outages/outage-action-ref';
import type { Outage } from '../../../domain/outages/outage';
import { clip } from '../../../domain/shared/text';
import { localizeText, t } from '../../../domain/strings';
import { say, sayIn, type Turn } from '../core-context';
import type { ChatResponse } from '../ports';

/**
 * An outage card's button: open a member, list every member in the thread, or run the read-only
 * dependency checks on one affected server. Re-checked like any input: the outage must still be
 * kept and the incident still one of its members.
 */
export async function runOutageOp(
  ref: OutageActionRef,
  turn: Turn,
  reason?: string,
): Promise<ChatResponse> {
  const { deps, answerLang, lang } = turn;
  const outage = deps.outages ? await deps.outages.find(ref.outage) : null;
  if (!outage) return say(t(answerLang, 'chat.outage.gone', { id: ref.outage }));

  if (ref.op === 'release-holds') return releaseHolds(outage, turn, reason);

  if (ref.op === 'open-member') {
    const member = outage.members.find((m) => m.incidentId === ref.incident);
    const incident = member ? await deps.incidents.get(member.incidentId) : null;
    if (!incident) return say(t(answerLang, 'chat.outage.notMember'));
    return { private: { text: incident.title, card: await turn.incidentCard(incident, lang) } };
  }

  if (ref.op === 'show-members') {
    const lines = outageMemberLines(outage, lang);
    const head = t(lang, 'chat.outage.members', { count: lines.length, site: outage.site });
    return { public: { text: [head, ...lines].join('\n') } };
  }

  // run-dependency-checks: one affected server stands for all, the reads the card shows.
  const plan = planDependencyChecks(outage, deps.catalog);
  if (!plan || plan.reads.length === 0) return say(t(answerLang, 'chat.outage.noChecks'));
  const access = await deps.access.mayRunRead(turn.actor, plan.server);
  if (!access.allowed) return sayIn(answerLang, access.reason);
  const lines: string[] = [];
  const code: { body: string }[] = [];
  const batch = `${outage.id}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  for (const healthSet of plan.reads) {
    const queued = await deps.checks.run({
      actionId: 'get-health-report',
      params: { server: plan.server, ...(healthSet ? { healthSet } : {}) },
      actor: turn.actor,
      replyTo: turn.channel,
      lang,
      // Counted for the release only when the reads cover every likely cause checked.
      ...(plan.autoRelease
        ? { dependencyCheck: { outageId: outage.id, batch, count: plan.reads.length } }
        : {}),
    });
    if (!queued.ok)
      lines.push(
        t(answerLang, 'chat.check.notRun', { reason: localizeText(answerLang, queued.reason) }),
      );
    else {
      lines.push(t(answerLang, 'chat.check.queued', { site: queued.site, job: queued.jobId }));
      code.push({ body: queued.command });
    }
  }
  if (!plan.autoRelease && plan.unread.length > 0) {
    const names = plan.unread.map((id) => dependencyName(deps.catalog, id, answerLang));
    lines.push(t(answerLang, 'chat.outage.checksNoRelease', { names: names.join(', ') }));
  }
  return { private: { text: lines.join('\n'), code } };
}

/**
 * "Release held changes": a person says the dependency is fine, with a reason (audited by the
 * gate). Only someone who may ask for changes on the outage's servers may; each change was
 * approved on its own already, and the limits per site still apply to it.
 */
async function releaseHolds(outage: Outage, turn: Turn, reason?: string): Promise<ChatResponse> {
  const { deps, answerLang } = turn;
  const why = reason?.trim() ?? '';
  if (!why) return say(t(answerLang, 'outage.release.needsReason'));
  const held = deps.outages?.held ? await deps.outages.held(outage) : [];
  if (!deps.outages?.release || held.length === 0) {
    return say(t(answerLang, 'outage.release.unavailable'));
  }
  for (const server of [...new Set(held.map((h) => h.server))]) {
    const access = deps.access.mayRequestChange
      ? await deps.access.mayRequestChange(turn.actor, server)
      : { allowed: false, reason: '' };
    if (!access.allowed) return say(t(answerLang, 'outage.release.notAllowed', { server }));
  }
  const r = await deps.outages.release({ outage, actor: turn.actor, reason: clip(why, 500) });
  if (!r.ok) return say(r.reason);
  const who = turn.actor.displayName ?? turn.actor.id;
  return { public: { text: t(turn.lang, 'outage.released', { who, count: r.started }) } };
}
