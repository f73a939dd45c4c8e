import { FINAL_RUN_STATUSES } from '../remediation/run';
import { describeRequest } from '../approvals/describe-request';
import type { ApprovalRequest } from '../approvals/approval-request';
import { withdrawalOf } from '../approvals/transitions';
import { describeActor, type Actor } from '../identity/actor';
import { encodeActionRef, type ActionRef } from './action-ref';
import type { Card, CardAction, CardFact, CardRequest, CardStatus, StepState } from './card';
import { buildRunbookCard, cardContextFromMatch } from './runbook-card';
import type { Incident } from '../incidents/incident';
import type { Catalog, SectionDef } from '../runbooks/catalog';
import { flattenSteps } from '../runbooks/catalog';
import { matchRunbook, type RunbookMatch } from '../runbooks/match-runbook';
import type { ServerRole } from '../runbooks/schema';
import type { Lang } from '../runbooks/text';
import { clip, shortTime } from '../shared/text';
import { actionTitle, localizeText, lookup, t, type PlainKey } from '../strings';
import { runStep, type RunView } from './run-view';
import { isDagSafetyOutput, type DagSafetyOutput } from '../safety/dag-safety';
import { holdReasons } from './safety-evidence';

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

/** Run statuses after which nothing more runs by itself. */
const ENDED = new Set<string>(FINAL_RUN_STATUSES);
const OPEN_STATES = new Set<StepState>(['pending', 'running', 'blocked', 'awaiting-approval']);

/**
 * The card of one incident, as posted in the alert channel and updated in place: the runbook
 * section the run is in (or the matched one), the progress of its steps, the incident's facts,
 * the status line and the approval block. Pure: everything it shows is passed in.
 */
export function buildIncidentCard(input: IncidentCardInput): Card {
  const { incident, catalog, run, lang, now } = input;
  const match = matchIncident(catalog, incident);
  const section: SectionDef =
    (run ? catalog.sections.get(run.sectionId) : undefined) ?? match.section;
  const stepStates: Record<string, StepState> = {};
  // Once the run has ended (recovered, transient, escalated, stopped), a step it did not reach or
  // finish is not "pending" or "running" any more: it shows as skipped, so the card tells the truth.
  const ended = run !== null && ENDED.has(run.status);
  // Each safety check's latest result: its verdict and evidence go on the step (beyond the seed).
  const safety: Record<string, DagSafetyOutput> = {};
  let latestSafety: { at: string; out: DagSafetyOutput } | null = null;
  for (const step of flattenSteps(section.steps)) {
    const rec = runStep(run, section.id, step.id);
    // The escalation step an escalated run ended on is where a person takes over: it stays open.
    const escalation = run?.status === 'escalated' && step.kind === 'manual' && rec?.started;
    if (rec && (escalation || !(ended && OPEN_STATES.has(rec.state))))
      stepStates[step.id] = rec.state;
    else if (ended) stepStates[step.id] = 'skipped';
    const last = [...(rec?.results ?? [])]
      .reverse()
      .find((r) => r.status === 'succeeded' && isDagSafetyOutput(r.parsed));
    if (last && isDagSafetyOutput(last.parsed)) {
      safety[step.id] = last.parsed;
      if (!latestSafety || last.finishedAt > latestSafety.at) {
        latestSafety = { at: last.finishedAt, out: last.parsed };
      }
    }
  }
  const card = buildRunbookCard(
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
        safety,
      },
      catalog,
    ),
    lang,
  );

  const fact = (key: CardFact['key'], value: string): CardFact => ({
    key,
    label: t(lang, `card.fact.${key}`),
    value,
  });
  const facts: CardFact[] = [
    fact('incident', incident.id),
    fact(
      'severity',
      `${t(lang, `severity.${incident.severity}`)} / ${t(lang, `priority.${incident.priority}`)}`,
    ),
    fact('status', t(lang, `incident.status.${incident.status}`)),
    fact('verdict', verdictText(run, lang)),
    fact('firstSeen', shortTime(incident.firstSeen)),
    fact('lastSeen', shortTime(incident.lastSeen)),
    fact('occurrences', String(incident.occurrences)),
  ];
  const notes = [...card.notes];
  if (incident.failureText) notes.unshift(clip(incident.failureText, 600));
  if (run?.waitShortened) {
    notes.push(
      t(lang, 'incident.waitShortened', {
        minutes: Math.round(run.waitShortened.runbookSeconds / 60),
        seconds: run.waitShortened.effectiveSeconds,
      }),
    );
  }
  if (!incident.actionable) notes.unshift(t(lang, 'incident.notActionable'));
  // A server in maintenance, or one Managed Availability is recovering: the alert is annotated
  // (its changes wait), never dropped.
  if (latestSafety && !latestSafety.out.hold.ok && !ended && incident.status !== 'resolved') {
    const reasons = holdReasons(latestSafety.out, lang);
    if (reasons.length > 0)
      notes.unshift(t(lang, 'safety.note.held', { reasons: reasons.join('; ') }));
  }

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
  const resolved = incident.status === 'resolved';
  // A held job is the most useful thing to say: it names what holds the step back.
  const holdOf = (stepId: string): string | undefined => {
    const rec = run && !ended && !resolved ? runStep(run, section.id, stepId) : null;
    return rec?.hold ? (rec.hold.text[lang] ?? rec.hold.text.en) : undefined;
  };
  const heldText = flattenSteps(section.steps)
    .map((s) => holdOf(s.id))
    .find((x) => x !== undefined);
  const status: CardStatus = heldText
    ? { label: heldText, tone: 'warning' }
    : statusLine(incident, run, input.requests, now, lang);
  const withHold = (step: Card['steps'][number]): Card['steps'][number] => {
    const hold = holdOf(step.id);
    return {
      ...step,
      notes: hold ? [...step.notes, hold] : step.notes,
      steps: step.steps.map(withHold),
    };
  };
  return {
    ...card,
    title: `${incident.healthSet ?? t(lang, 'incident.unknownHealthSet')} · ${incident.server?.name ?? '?'}: ${card.title}`,
    tone: resolved || status.tone === 'good' ? 'info' : card.tone,
    fallbackText: `[${incident.id}] ${status.label}: ${incident.title} (${incident.server?.name ?? '?'})`,
    facts: [...facts, ...card.facts.filter((f) => f.key !== 'server' || !incident.server)],
    notes,
    // A resolved incident keeps its history but offers nothing more to run.
    steps: resolved ? card.steps.map(stripActions) : card.steps.map(withoutAsked).map(withHold),
    actions: resolved ? [] : card.actions,
    requests,
    status,
  };
}

function stripActions(step: Card['steps'][number]): Card['steps'][number] {
  return { ...step, actions: [], steps: step.steps.map(stripActions) };
}

function verdictText(run: RunView | null, lang: Lang): string {
  const v = run?.verdict ?? 'pending';
  return lookup(lang, `incident.verdict.${v}`) ?? v;
}

function statusLine(
  incident: Incident,
  run: RunView | null,
  requests: readonly ApprovalRequest[],
  now: Date,
  lang: Lang,
): CardStatus {
  const line = (
    key: Extract<PlainKey, `incident.line.${string}`>,
    tone: CardStatus['tone'],
  ): CardStatus => ({
    label: t(lang, key),
    tone,
  });
  if (incident.status === 'resolved') return line('incident.line.resolved', 'good');
  const pending = requests.find(
    (r) => r.state === 'pending' && Date.parse(r.expiresAt) > now.getTime(),
  );
  if (pending) {
    return {
      label: t(lang, 'incident.line.awaitingApproval', { title: titleOf(pending, lang) }),
      tone: 'warning',
    };
  }
  const running = requests.find((r) => r.state === 'approved' || r.state === 'running');
  if (running) {
    return {
      label: t(lang, 'incident.line.running', { title: titleOf(running, lang) }),
      tone: 'warning',
    };
  }
  // An unknown outcome matters until its step is settled (verified, or the run moved past it).
  const inDoubt = requests.some((r) => {
    if (r.state !== 'unknown') return false;
    const rec = r.stepId ? runStep(run, run?.sectionId ?? '', r.stepId) : null;
    return !rec || rec.outcome === undefined;
  });
  if (inDoubt && run?.status !== 'recovered' && run?.status !== 'transient') {
    return line('incident.line.unknownOutcome', 'attention');
  }
  if (!run) return line('incident.line.new', 'warning');
  switch (run.status) {
    case 'recovered':
      return line('incident.line.recovered', 'good');
    case 'transient':
      return line('incident.line.transient', 'good');
    case 'escalated':
      return line('incident.line.escalated', 'attention');
    case 'waiting':
      return {
        label: t(lang, 'incident.line.waiting', {
          until: run.waitUntil ? shortTime(run.waitUntil) : '?',
        }),
        tone: 'warning',
      };
    case 'awaiting-approval':
      return line('incident.line.needsRequest', 'warning');
    case 'verifying':
      return line('incident.line.verifying', 'warning');
    case 'failed':
      return line('incident.line.failed', 'attention');
    case 'stopped':
      return line('incident.line.stopped', 'info');
    default:
      return line('incident.line.inProgress', 'warning');
  }
}

function requestBlock(
  req: ApprovalRequest,
  base: Omit<ActionRef, 'op'>,
  now: Date,
  lang: Lang,
): CardRequest {
  const view = describeRequest(req, now);
  const ref = (op: ActionRef['op']): string => encodeActionRef({ ...base, op, request: req.id });
  const actions: CardAction[] = [];
  if (view.actions.includes('approve')) {
    // Approving a destructive step is confirmed, the approver seeing the exact command and
    // server. Break glass is not on the card (everyone sees the same card): it is offered
    // privately to a requester who may use it, when they press Approve (breakGlassOffer).
    actions.push({
      id: `approve:${req.id}`,
      label: t(lang, 'request.button.approve'),
      style: 'primary',
      value: ref('approve'),
      ...(req.risk === 'destructive' ? { confirm: approveConfirm(req, lang) } : {}),
    });
  }
  if (view.actions.includes('reject')) {
    actions.push({
      id: `reject:${req.id}`,
      label: t(lang, 'request.button.reject'),
      style: 'danger',
      value: ref('reject'),
      needsReason: {
        title: t(lang, 'request.reject.title'),
        label: t(lang, 'request.reject.label'),
        submit: t(lang, 'request.reject.submit'),
        optional: false,
      },
    });
  }
  if (view.actions.includes('cancel')) {
    actions.push({
      id: `cancel:${req.id}`,
      label: t(lang, 'request.button.cancel'),
      style: 'default',
      value: ref('cancel-request'),
    });
  }
  if (req.state === 'unknown') {
    // The step's own read-only check settles it; without a step, the section's checks.
    actions.push({
      id: `verify:${req.id}`,
      label: t(lang, 'request.button.verifyNow'),
      style: 'primary',
      value: encodeActionRef(
        req.stepId ? { ...base, op: 'run-step', step: req.stepId } : { ...base, op: 'run-checks' },
      ),
    });
  }
  return {
    id: req.id,
    title: titleOf(req, lang),
    state: req.state,
    stateLabel: requestStateText(req, now, lang),
    risk: req.risk,
    command: req.command,
    server: req.server,
    lines: requestLines(req, lang),
    actions,
  };
}

/** The confirmation of a destructive approval: the exact command and server. */
export function approveConfirm(
  req: ApprovalRequest,
  lang: Lang,
): NonNullable<CardAction['confirm']> {
  return {
    title: t(lang, 'request.confirm.title'),
    text: clip(
      t(lang, 'request.confirm.text', { server: req.server ?? '?', command: req.command }),
      300,
    ),
    confirm: t(lang, 'request.confirm.confirm'),
    deny: t(lang, 'request.confirm.deny'),
  };
}

/**
 * What a requester who may break glass is offered, privately, when they press Approve on their
 * own destructive request: a card with one button that asks for the reason (and confirms).
 */
export function breakGlassOffer(
  req: ApprovalRequest,
  value: string,
  explanation: string,
  lang: Lang,
): Card {
  const title = t(lang, 'request.breakGlass.title');
  return {
    version: 1,
    lang,
    title,
    subtitle: `${req.id} · ${req.server ?? '?'}`,
    tone: 'attention',
    fallbackText: `${title}: ${titleOf(req, lang)} (${req.server ?? '?'})`,
    facts: [],
    notes: [localizeText(lang, explanation)],
    steps: [],
    actions: [
      {
        id: `approve-break-glass:${req.id}`,
        label: t(lang, 'request.button.breakGlass'),
        style: 'danger',
        value,
        confirm: approveConfirm(req, lang),
        needsReason: {
          title,
          label: t(lang, 'request.breakGlass.label'),
          submit: t(lang, 'request.breakGlass.submit'),
          optional: false,
        },
      },
    ],
    links: [],
  };
}

/** The request's state in the channel's language (describeRequest decides which buttons apply). */
function requestStateText(req: ApprovalRequest, now: Date, lang: Lang): string {
  const summary = req.execution?.summary;
  const withSummary = (state: string) =>
    summary && summary.toLowerCase() !== state.toLowerCase() && summary !== req.state
      ? t(lang, 'request.state.withSummary', { state, summary: localizeText(lang, summary) })
      : state;
  switch (req.state) {
    case 'pending':
      return now.getTime() < Date.parse(req.expiresAt)
        ? t(lang, 'request.state.pending', { until: shortTime(req.expiresAt) })
        : t(lang, 'request.state.expiredPending', { at: shortTime(req.expiresAt) });
    case 'approved':
      if (req.autoApproved) return t(lang, 'request.state.queued');
      return (
        t(lang, 'request.state.approvedBy', {
          who: who(req.approvedBy),
          at: shortTime(req.approvedAt ?? ''),
        }) +
        (req.breakGlass
          ? t(lang, 'request.state.breakGlass', { reason: req.breakGlass.reason })
          : '')
      );
    case 'rejected':
      return t(lang, 'request.state.rejectedBy', {
        who: who(req.rejectedBy),
        reason: req.rejectReason ?? '',
      });
    case 'expired':
      return t(lang, 'request.state.expired', { at: shortTime(req.expiresAt) });
    case 'cancelled': {
      const w = withdrawalOf(req);
      return w
        ? t(lang, 'request.state.withdrawn', { reason: localizeText(lang, w.reason) })
        : t(lang, 'request.state.cancelled');
    }
    case 'running':
      return t(lang, 'request.state.running', { since: shortTime(req.execution?.at ?? '') });
    case 'succeeded':
      return withSummary(t(lang, 'request.state.succeeded'));
    case 'failed':
      return withSummary(t(lang, 'request.state.failed'));
    case 'unknown': {
      const by = req.history[req.history.length - 1]?.by;
      return by?.platform === 'worker' && by.id !== 'worker'
        ? t(lang, 'request.state.unknownWorker', {
            worker: by.id,
            at: shortTime(req.execution?.at ?? ''),
            server: req.server ?? '-',
          })
        : t(lang, 'request.state.unknown');
    }
  }
}

function requestLines(req: ApprovalRequest, lang: Lang): string[] {
  const server = req.server
    ? req.site
      ? t(lang, 'request.line.serverSite', { server: req.server, site: req.site })
      : req.server
    : '-';
  const lines = [
    t(lang, 'request.line.incident', { incident: req.incidentId ?? '-' }),
    t(lang, 'request.line.step', {
      title: titleOf(req, lang),
      action: req.actionId,
      risk: t(lang, `request.risk.${req.risk}`),
    }),
    t(lang, 'request.line.server', { server }),
    t(lang, 'request.line.requestedBy', {
      who: who(req.requester),
      at: shortTime(req.requestedAt),
    }),
  ];
  if (req.approvedBy && !req.autoApproved) {
    lines.push(
      t(lang, 'request.line.approvedBy', {
        who: who(req.approvedBy),
        at: shortTime(req.approvedAt ?? ''),
      }),
    );
  }
  if (req.state === 'pending') {
    lines.push(t(lang, 'request.line.expires', { at: shortTime(req.expiresAt) }));
  }
  if (req.note) lines.push(t(lang, 'request.line.note', { note: req.note }));
  return lines;
}

/** A request's title is its action's, stored in English: shown in the card's language. */
function titleOf(req: ApprovalRequest, lang: Lang): string {
  return actionTitle(lang, req.actionId, req.title);
}

function who(actor: Actor | null): string {
  return actor ? describeActor(actor) : '?';
}
