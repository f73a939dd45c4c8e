import { describeRequest } from '../approvals/describe-request';
import type { ApprovalRequest } from '../approvals/approval-request';
import { describeActor, type Actor } from '../identity/actor';
import { encodeActionRef, type ActionRef } from './action-ref';
import type { Card, CardAction, CardFact, CardRequest, CardStatus, StepState } from './card';
import { renderRunbookCard, cardContextFromMatch } from './render-runbook-card';
import type { Incident } from '../incidents/incident';
import type { Catalog, SectionDef } from '../runbooks/catalog';
import { flattenSteps } from '../runbooks/catalog';
import { matchRunbook, type RunbookMatch } from '../runbooks/match-runbook';
import type { ServerRole } from '../runbooks/schema';
import type { Lang } from '../runbooks/text';
import { clip, shortTime } from '../shared/text';
import { CHAT_LABELS } from './chat-labels';
import { runStep, type RunView } from './run-view';

export interface IncidentCardInput {
  incident: Incident;
  catalog: Catalog;
  run: RunView | null;
  requests: readonly ApprovalRequest[];
  lang: Lang;
  now: Date;
  /** The server's roles from the inventory, when known (picks role-specific commands). */
  roles?: readonly ServerRole[] | null | undefined;
}

/** The runbook match for an incident: by its latest monitor, else its health set. */
export function matchIncident(catalog: Catalog, incident: Incident): RunbookMatch {
  const monitor = incident.monitors[incident.monitors.length - 1] ?? null;
  return matchRunbook(catalog, { monitor, healthSet: incident.healthSet });
}

/**
 * The card of one incident, as posted in the alert channel and updated in place: the runbook
 * section the run is in (or the matched one), the progress of its steps, the incident's facts,
 * the status line and the approval block. Pure: everything it shows is passed in.
 */
export function renderIncidentCard(input: IncidentCardInput): Card {
  const { incident, catalog, run, lang, now } = input;
  const L = CHAT_LABELS[lang];
  const match = matchIncident(catalog, incident);
  const section: SectionDef =
    (run ? catalog.sections.get(run.sectionId) : undefined) ?? match.section;
  const stepStates: Record<string, StepState> = {};
  for (const step of flattenSteps(section.steps)) {
    const rec = runStep(run, section.id, step.id);
    if (rec) stepStates[step.id] = rec.state;
  }
  const card = renderRunbookCard(
    section,
    cardContextFromMatch(
      match,
      {
        server: incident.server,
        relatedServer: incident.relatedServer,
        roles: input.roles ?? null,
        monitor: incident.monitors[incident.monitors.length - 1] ?? null,
        incident: { id: incident.id, version: incident.version },
        stepStates,
      },
      catalog,
    ),
    lang,
  );

  const facts: CardFact[] = [
    { key: 'incident', label: L.fact.incident, value: incident.id },
    {
      key: 'severity',
      label: L.fact.severity,
      value: `${incident.severity} / ${incident.priority}`,
    },
    { key: 'status', label: L.fact.status, value: L.incidentStatus[incident.status] },
    { key: 'verdict', label: L.fact.verdict, value: verdictText(run, L) },
    { key: 'firstSeen', label: L.fact.firstSeen, value: shortTime(incident.firstSeen) },
    { key: 'lastSeen', label: L.fact.lastSeen, value: shortTime(incident.lastSeen) },
    { key: 'occurrences', label: L.fact.occurrences, value: String(incident.occurrences) },
  ];
  const notes = [...card.notes];
  if (incident.failureText) notes.unshift(clip(incident.failureText, 600));
  if (run?.waitShortened) {
    notes.push(
      L.waitShortened(run.waitShortened.runbookSeconds, run.waitShortened.effectiveSeconds),
    );
  }
  if (!incident.actionable) notes.unshift(L.notActionable);

  const base: Omit<ActionRef, 'op'> = {
    v: 1,
    section: section.id,
    incident: incident.id,
    version: incident.version,
  };
  const requests = input.requests.map((r) => requestBlock(r, base, now, lang));
  // While a request for a step is open, its button would only ask again: the approval block
  // is where that step is acted on.
  const open = new Set(
    input.requests
      .filter((r) => ['pending', 'approved', 'running'].includes(r.state) && r.stepId)
      .map((r) => r.stepId as string),
  );
  const withoutAsked = (step: Card['steps'][number]): Card['steps'][number] => ({
    ...step,
    actions: open.has(step.id) ? [] : step.actions,
    steps: step.steps.map(withoutAsked),
  });
  const status = statusLine(incident, run, input.requests, now, lang);
  const resolved = incident.status === 'resolved';
  return {
    ...card,
    title: `${incident.healthSet ?? L.unknownHealthSet} · ${incident.server?.name ?? '?'}: ${card.title}`,
    tone: resolved || status.tone === 'good' ? 'info' : card.tone,
    fallbackText: `[${incident.id}] ${status.label}: ${incident.title} (${incident.server?.name ?? '?'})`,
    facts: [...facts, ...card.facts.filter((f) => f.key !== 'server' || !incident.server)],
    notes,
    // A resolved incident keeps its history but offers nothing more to run.
    steps: resolved ? card.steps.map(stripActions) : card.steps.map(withoutAsked),
    actions: resolved ? [] : card.actions,
    requests,
    status,
  };
}

function stripActions(step: Card['steps'][number]): Card['steps'][number] {
  return { ...step, actions: [], steps: step.steps.map(stripActions) };
}

function verdictText(run: RunView | null, L: (typeof CHAT_LABELS)[Lang]): string {
  const v = run?.verdict ?? 'pending';
  return L.verdict[v] ?? v;
}

function statusLine(
  incident: Incident,
  run: RunView | null,
  requests: readonly ApprovalRequest[],
  now: Date,
  lang: Lang,
): CardStatus {
  const L = CHAT_LABELS[lang];
  if (incident.status === 'resolved') return { label: L.status.resolved, tone: 'good' };
  const pending = requests.find(
    (r) => r.state === 'pending' && Date.parse(r.expiresAt) > now.getTime(),
  );
  if (pending) return { label: L.status.awaitingApproval(pending.title), tone: 'warning' };
  const running = requests.find((r) => r.state === 'approved' || r.state === 'running');
  if (running) return { label: L.status.running(running.title), tone: 'warning' };
  // An unknown outcome matters until its step is settled (verified, or the run moved past it).
  const inDoubt = requests.some((r) => {
    if (r.state !== 'unknown') return false;
    const rec = r.stepId ? runStep(run, run?.sectionId ?? '', r.stepId) : null;
    return !rec || rec.outcome === undefined;
  });
  if (inDoubt && run?.status !== 'recovered' && run?.status !== 'transient') {
    return { label: L.status.unknownOutcome, tone: 'attention' };
  }
  if (!run) return { label: L.status.new, tone: 'warning' };
  switch (run.status) {
    case 'recovered':
      return { label: L.status.recovered, tone: 'good' };
    case 'transient':
      return { label: L.status.transient, tone: 'good' };
    case 'escalated':
      return { label: L.status.escalated, tone: 'attention' };
    case 'waiting':
      return {
        label: L.status.waiting(run.waitUntil ? shortTime(run.waitUntil) : '?'),
        tone: 'warning',
      };
    case 'awaiting-approval':
      return { label: L.status.needsRequest, tone: 'warning' };
    case 'verifying':
      return { label: L.status.verifying, tone: 'warning' };
    case 'failed':
      return { label: L.status.failed, tone: 'attention' };
    case 'stopped':
      return { label: L.status.stopped, tone: 'info' };
    default:
      return { label: L.status.inProgress, tone: 'warning' };
  }
}

function requestBlock(
  req: ApprovalRequest,
  base: Omit<ActionRef, 'op'>,
  now: Date,
  lang: Lang,
): CardRequest {
  const L = CHAT_LABELS[lang];
  const view = describeRequest(req, now);
  const ref = (op: ActionRef['op']): string => encodeActionRef({ ...base, op, request: req.id });
  const actions: CardAction[] = [];
  if (view.actions.includes('approve')) {
    actions.push({
      id: `approve:${req.id}`,
      label: L.button.approve,
      style: 'primary',
      value: ref('approve'),
    });
    if (req.risk === 'destructive') {
      actions.push({
        id: `approve-break-glass:${req.id}`,
        label: L.button.breakGlass,
        style: 'danger',
        value: ref('approve'),
        needsReason: {
          title: L.breakGlass.title,
          label: L.breakGlass.label,
          submit: L.breakGlass.submit,
          optional: false,
        },
      });
    }
  }
  if (view.actions.includes('reject')) {
    actions.push({
      id: `reject:${req.id}`,
      label: L.button.reject,
      style: 'danger',
      value: ref('reject'),
      needsReason: {
        title: L.reject.title,
        label: L.reject.label,
        submit: L.reject.submit,
        optional: false,
      },
    });
  }
  if (view.actions.includes('cancel')) {
    actions.push({
      id: `cancel:${req.id}`,
      label: L.button.cancel,
      style: 'default',
      value: ref('cancel-request'),
    });
  }
  if (req.state === 'unknown') {
    // The step's own read-only check settles it; without a step, the section's checks.
    actions.push({
      id: `verify:${req.id}`,
      label: L.button.verifyNow,
      style: 'primary',
      value: encodeActionRef(
        req.stepId ? { ...base, op: 'run-step', step: req.stepId } : { ...base, op: 'run-checks' },
      ),
    });
  }
  return {
    id: req.id,
    title: req.title,
    state: req.state,
    stateLabel: requestStateText(req, now, lang),
    risk: req.risk,
    command: req.command,
    server: req.server,
    lines: requestLines(req, lang),
    actions,
  };
}

/** The request's state in the channel's language (describeRequest decides which buttons apply). */
function requestStateText(req: ApprovalRequest, now: Date, lang: Lang): string {
  const S = CHAT_LABELS[lang].request.state;
  const summary = req.execution?.summary;
  const withSummary = (label: string) =>
    summary && summary.toLowerCase() !== label.toLowerCase() && summary !== req.state
      ? `${label}: ${summary}`
      : label;
  switch (req.state) {
    case 'pending':
      return now.getTime() < Date.parse(req.expiresAt)
        ? S.pending(shortTime(req.expiresAt))
        : S.expiredPending(shortTime(req.expiresAt));
    case 'approved':
      if (req.autoApproved) return S.queued;
      return (
        S.approvedBy(who(req.approvedBy), shortTime(req.approvedAt ?? '')) +
        (req.breakGlass ? S.breakGlass(req.breakGlass.reason) : '')
      );
    case 'rejected':
      return S.rejectedBy(who(req.rejectedBy), req.rejectReason ?? '');
    case 'expired':
      return S.expired(shortTime(req.expiresAt));
    case 'cancelled':
      return S.cancelled;
    case 'running':
      return S.running(shortTime(req.execution?.at ?? ''));
    case 'succeeded':
      return withSummary(S.succeeded);
    case 'failed':
      return withSummary(S.failed);
    case 'unknown':
      return S.unknown;
  }
}

function requestLines(req: ApprovalRequest, lang: Lang): string[] {
  const R = CHAT_LABELS[lang].request;
  const lines = [
    `${CHAT_LABELS[lang].fact.incident}: ${req.incidentId ?? '-'}`,
    `${R.step}: ${req.title} (${req.actionId}, ${R.risk[req.risk]})`,
    `${R.server}: ${req.server ? `${req.server}${req.site ? ` (site ${req.site})` : ''}` : '-'}`,
    `${R.requestedBy}: ${who(req.requester)} ${R.at} ${shortTime(req.requestedAt)}`,
  ];
  if (req.approvedBy && !req.autoApproved) {
    lines.push(
      `${R.approvedBy}: ${who(req.approvedBy)} ${R.at} ${shortTime(req.approvedAt ?? '')}`,
    );
  }
  if (req.state === 'pending') lines.push(`${R.expires}: ${shortTime(req.expiresAt)}`);
  if (req.note) lines.push(`${R.note}: ${req.note}`);
  return lines;
}

function who(actor: Actor | null): string {
  return actor ? describeActor(actor) : '?';
}
