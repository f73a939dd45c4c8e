import { createHash } from 'node:crypto';
import type {
  ComponentState,
  DatabaseCopy,
  MailboxServerInfo,
  RecoveryEvent,
} from '../actions/parse-output';
import type { FailoverSeal } from '../actions/params';
import { stableStringify } from '../shared/stable-json';

/**
 * The DAG and Managed Availability safety checks an Exchange engineer makes before clicking: is
 * there a healthy copy to fail over to, may this server restart now, is the server in maintenance
 * or is Managed Availability already recovering it. Pure: the worker gathers the evidence with
 * typed reads (see `gatherPlan`), these functions judge it, the card shows it.
 */

/**
 * The limits Move-ActiveMailboxDatabase's own checks apply to a target copy. Microsoft's
 * "Manage mailbox database copies" page says the switchover is blocked when the copy is not
 * healthy, when its copy and replay queues are outside "the configured criteria", or when its
 * search catalog (content index) is not healthy; the "Active Manager" page gives the criteria of
 * the best copy: copy queue length less than 10 log files, replay queue length less than 50, and a
 * content index Healthy. See docs/powershell.md. The composition root (or the runbook's step
 * parameters) may override them.
 */
export interface FailoverLimits {
  /** A target's CopyQueueLength must be less than this (log files). */
  copyQueueBelow: number;
  /** A target's ReplayQueueLength must be less than this (log files). */
  replayQueueBelow: number;
  /** ContentIndexState values a target may have. */
  contentIndexStates: readonly string[];
  /** Copy Status values a target may have. */
  targetStatuses: readonly string[];
  /** How far back the card lists Managed Availability's recovery actions. */
  recoveryHours: number;
}

export const DEFAULT_FAILOVER_LIMITS: FailoverLimits = {
  copyQueueBelow: 10,
  replayQueueBelow: 50,
  contentIndexStates: ['Healthy'],
  targetStatuses: ['Healthy'],
  recoveryHours: 6,
};

/** What Exchange says about one DAG member. */
export interface MemberFacts {
  name: string;
  components: ComponentState[] | null;
  mailbox: MailboxServerInfo | null;
}

export interface SafetyEvidence {
  /** The server the checks are about. */
  server: string;
  gatheredAt: string;
  /** Every copy of every database with a copy on the server; null when unreadable. */
  copies: DatabaseCopy[] | null;
  /** The server itself and every other server hosting one of those copies. */
  members: MemberFacts[];
  /** RecoveryActionResults of the server, newest first; null when unreadable. */
  recoveries: RecoveryEvent[] | null;
  /** Reads that failed, in words. */
  errors: string[];
}

export interface TargetRow {
  database: string;
  server: string;
  status: string;
  copyQueueLength: number | null;
  replayQueueLength: number | null;
  contentIndexState: string | null;
  activationSuspended: boolean | null;
  /** Get-MailboxServer: activation policy Blocked, or DatabaseCopyActivationDisabledAndMoveNow. */
  activationBlocked: boolean | null;
  /** Get-ServerComponentState: ServerWideOffline of the hosting server. */
  serverWideOffline: string | null;
  healthy: boolean;
  /** Why it cannot take the database (empty when healthy). */
  problems: string[];
}

export interface FailoverVerdict {
  ok: boolean;
  databases: { database: string; targets: TargetRow[]; healthyTargets: number }[];
  reasons: string[];
  /** SHA-256 of the table (without times): what an approval of the failover saw. */
  digest: string;
}

export interface RestartVerdict {
  ok: boolean;
  /** Which condition holds the restart back. */
  reasons: string[];
}

export interface HoldVerdict {
  ok: boolean;
  reasons: string[];
  maintenance: boolean;
  /** Components not Active on the server. */
  inactiveComponents: string[];
  /** Managed Availability's recovery actions of the last `recoveryHours`, newest first. */
  recentRecoveries: RecoveryEvent[];
  /** Recovery actions started and not yet finished. */
  inProgress: RecoveryEvent[];
}

/** A worker's gathered pre-check, as the run records it (the parsed output of get-dag-safety). */
export interface DagSafetyOutput {
  kind: 'dag-safety';
  evidence: SafetyEvidence;
  limits: FailoverLimits;
  failover: FailoverVerdict;
  restart: RestartVerdict;
  hold: HoldVerdict;
}

const short = (name: string | null): string => (name ?? '').split('.')[0]!.toLowerCase();
const same = (a: string | null, b: string | null): boolean =>
  a !== null && b !== null && short(a) === short(b);

function memberOf(e: SafetyEvidence, server: string | null): MemberFacts | undefined {
  return e.members.find((m) => same(m.name, server));
}

function stateOf(m: MemberFacts | undefined, component: string): string | null {
  const c = m?.components?.find((x) => x.component.toLowerCase() === component.toLowerCase());
  return c ? c.state : null;
}

function activationBlocked(m: MemberFacts | undefined): boolean | null {
  if (!m?.mailbox) return null;
  return m.mailbox.activationDisabledAndMoveNow || m.mailbox.autoActivationPolicy === 'Blocked';
}

/** Databases whose active copy is on the server. */
export function activeOnServer(e: SafetyEvidence): string[] {
  return (e.copies ?? [])
    .filter((c) => c.active && same(c.mailboxServer, e.server))
    .map((c) => c.databaseName);
}

/**
 * Why a target copy cannot take a database, as codes (the card words them in its language;
 * `problems` in English for the thread and the worker's refusal).
 */
export type TargetProblem =
  | { code: 'status'; value: string }
  | { code: 'copyQueue'; value: number | null; limit: number }
  | { code: 'replayQueue'; value: number | null; limit: number }
  | { code: 'contentIndex'; value: string | null }
  | { code: 'suspended' }
  | { code: 'blocked' }
  | { code: 'policyUnknown' }
  | { code: 'offline'; value: string | null };

/** What stops a target row from taking its database, within `limits`. */
export function targetProblems(
  row: Pick<
    TargetRow,
    | 'status'
    | 'copyQueueLength'
    | 'replayQueueLength'
    | 'contentIndexState'
    | 'activationSuspended'
    | 'activationBlocked'
    | 'serverWideOffline'
  >,
  limits: FailoverLimits,
): TargetProblem[] {
  const out: TargetProblem[] = [];
  if (!limits.targetStatuses.includes(row.status)) out.push({ code: 'status', value: row.status });
  if (row.copyQueueLength === null || row.copyQueueLength >= limits.copyQueueBelow) {
    out.push({ code: 'copyQueue', value: row.copyQueueLength, limit: limits.copyQueueBelow });
  }
  if (row.replayQueueLength === null || row.replayQueueLength >= limits.replayQueueBelow) {
    out.push({ code: 'replayQueue', value: row.replayQueueLength, limit: limits.replayQueueBelow });
  }
  if (
    row.contentIndexState === null ||
    !limits.contentIndexStates.includes(row.contentIndexState)
  ) {
    out.push({ code: 'contentIndex', value: row.contentIndexState });
  }
  if (row.activationSuspended === true) out.push({ code: 'suspended' });
  if (row.activationBlocked !== false)
    out.push({ code: row.activationBlocked ? 'blocked' : 'policyUnknown' });
  if (row.serverWideOffline !== 'Active')
    out.push({ code: 'offline', value: row.serverWideOffline });
  return out;
}

function problemText(p: TargetProblem): string {
  switch (p.code) {
    case 'status':
      return `status ${p.value}`;
    case 'copyQueue':
      return `copy queue ${p.value ?? '?'} (needs < ${p.limit})`;
    case 'replayQueue':
      return `replay queue ${p.value ?? '?'} (needs < ${p.limit})`;
    case 'contentIndex':
      return `content index ${p.value ?? '?'}`;
    case 'suspended':
      return 'activation suspended';
    case 'blocked':
      return 'activation blocked';
    case 'policyUnknown':
      return 'activation policy unknown';
    case 'offline':
      return `ServerWideOffline ${p.value ?? '?'}`;
  }
}

function targetRow(e: SafetyEvidence, c: DatabaseCopy, limits: FailoverLimits): TargetRow {
  const m = memberOf(e, c.mailboxServer);
  const facts = {
    status: c.status,
    copyQueueLength: c.copyQueueLength,
    replayQueueLength: c.replayQueueLength,
    contentIndexState: c.contentIndexState,
    activationSuspended: c.activationSuspended,
    activationBlocked: activationBlocked(m),
    serverWideOffline: stateOf(m, 'ServerWideOffline'),
  };
  const problems = targetProblems(facts, limits).map(problemText);
  return {
    database: c.databaseName,
    server: c.mailboxServer ?? '?',
    ...facts,
    healthy: problems.length === 0,
    problems,
  };
}

/**
 * Passes only when every database active on the server has at least one other copy that
 * Move-ActiveMailboxDatabase's checks would accept (within `limits`).
 */
export function failoverPrecheck(
  e: SafetyEvidence,
  limits: FailoverLimits = DEFAULT_FAILOVER_LIMITS,
): FailoverVerdict {
  const reasons: string[] = [];
  if (e.copies === null) reasons.push('the database copies could not be read');
  const databases = activeOnServer(e).map((database) => {
    const targets = (e.copies ?? [])
      .filter((c) => c.databaseName === database && !same(c.mailboxServer, e.server))
      .map((c) => targetRow(e, c, limits));
    const healthyTargets = targets.filter((t) => t.healthy).length;
    if (healthyTargets === 0) {
      reasons.push(
        targets.length === 0
          ? `${database} has no other copy`
          : `${database} has no healthy copy to fail over to (${targets
              .map((t) => `${t.server}: ${t.problems.join(', ')}`)
              .join('; ')})`,
      );
    }
    return { database, targets, healthyTargets };
  });
  const digest = createHash('sha256')
    .update(stableStringify({ server: short(e.server), databases, limits }))
    .digest('hex');
  return { ok: reasons.length === 0, databases, reasons, digest };
}

/** What the approval of the failover carries (see `move-active-databases-off`'s `precheck`). */
export function sealOf(v: FailoverVerdict): FailoverSeal {
  return {
    digest: v.digest,
    healthyTargets: Object.fromEntries(v.databases.map((d) => [d.database, d.healthyTargets])),
  };
}

/**
 * The worker's pre-check just before the failover, against what the approver saw: a reason to
 * refuse, or null. Worse means: it fails now, or a database has fewer healthy targets.
 */
export function worseThanSeal(now: FailoverVerdict, seal: FailoverSeal | undefined): string | null {
  if (!now.ok) return `the failover pre-check fails now: ${now.reasons.join('; ')}`;
  if (!seal) return null;
  const worse = now.databases.filter(
    (d) =>
      seal.healthyTargets[d.database] !== undefined &&
      d.healthyTargets < seal.healthyTargets[d.database]!,
  );
  if (worse.length === 0) return null;
  return `the failover pre-check is worse than when it was approved: ${worse
    .map(
      (d) =>
        `${d.database} ${d.healthyTargets} healthy target(s), approved with ${seal.healthyTargets[d.database]}`,
    )
    .join('; ')}`;
}

/** Why another DAG member stands in the way of a restart. */
export type MemberProblem = 'down' | 'failed-copies' | 'maintenance' | 'failed-over';

/** The restart guard's conditions, each as found (empty: it does not hold the restart back). */
export interface RestartConditions {
  /** Databases whose active copy is still on the server (the seed's own check). */
  activeCopies: string[];
  /** Other members restarting, down, in maintenance or failed over. */
  members: { name: string; problem: MemberProblem; detail: string }[];
  /** Databases whose only healthy copy is on the server. */
  onlyCopy: string[];
}

/** The restart guard's conditions; null when the copies could not be read. */
export function restartConditions(e: SafetyEvidence): RestartConditions | null {
  if (e.copies === null) return null;
  const copies = e.copies;
  const members: RestartConditions['members'] = [];
  for (const m of e.members.filter((x) => !same(x.name, e.server))) {
    const down = copies.filter(
      (c) =>
        same(c.mailboxServer, m.name) &&
        ['ServiceDown', 'Failed', 'FailedAndSuspended'].includes(c.status),
    );
    if (down.some((c) => c.status === 'ServiceDown')) {
      members.push({ name: m.name, problem: 'down', detail: 'ServiceDown' });
    } else if (down.length > 0) {
      members.push({
        name: m.name,
        problem: 'failed-copies',
        detail: down.map((c) => c.databaseName).join(', '),
      });
    }
    const swo = stateOf(m, 'ServerWideOffline');
    if (swo !== null && swo !== 'Active')
      members.push({ name: m.name, problem: 'maintenance', detail: `ServerWideOffline ${swo}` });
    if (m.mailbox?.activationDisabledAndMoveNow) {
      members.push({
        name: m.name,
        problem: 'failed-over',
        detail: 'DatabaseCopyActivationDisabledAndMoveNow',
      });
    }
  }
  const onlyCopy: string[] = [];
  for (const db of [...new Set(copies.map((c) => c.databaseName))]) {
    const here = copies.find((c) => c.databaseName === db && same(c.mailboxServer, e.server));
    if (!here) continue;
    const elsewhere = copies.filter(
      (c) =>
        c.databaseName === db &&
        !same(c.mailboxServer, e.server) &&
        ['Mounted', 'Healthy'].includes(c.status),
    );
    if (elsewhere.length === 0) onlyCopy.push(db);
  }
  return { activeCopies: activeOnServer(e), members, onlyCopy };
}

/**
 * One member of a DAG at a time: the seed's check (no active copy on the server), no other member
 * restarting, down, in maintenance or failed over, and no database whose only healthy copy is here.
 */
export function restartGuard(e: SafetyEvidence): RestartVerdict {
  const c = restartConditions(e);
  if (c === null) return { ok: false, reasons: ['the database copies could not be read'] };
  const reasons: string[] = [];
  if (c.activeCopies.length > 0)
    reasons.push(`the server still hosts active copies: ${c.activeCopies.join(', ')}`);
  for (const m of c.members) {
    reasons.push(
      m.problem === 'down'
        ? `DAG member ${m.name} is down or restarting (its copies are ServiceDown)`
        : m.problem === 'failed-copies'
          ? `DAG member ${m.name} has failed copies: ${m.detail}`
          : m.problem === 'maintenance'
            ? `DAG member ${m.name} is in maintenance (${m.detail})`
            : `DAG member ${m.name} is failed over (database activation is blocked on it)`,
    );
  }
  for (const db of c.onlyCopy) reasons.push(`the server holds the only healthy copy of ${db}`);
  return { ok: reasons.length === 0, reasons };
}

/**
 * Changes are held while the server is in maintenance (ServerWideOffline not Active) or while a
 * recovery action of Managed Availability has started and not finished.
 */
export function changeHolds(
  e: SafetyEvidence,
  now: Date,
  limits: FailoverLimits = DEFAULT_FAILOVER_LIMITS,
): HoldVerdict {
  const reasons: string[] = [];
  const self = memberOf(e, e.server);
  const swo = stateOf(self, 'ServerWideOffline');
  const maintenance = swo !== null && swo !== 'Active';
  if (maintenance) reasons.push(`${e.server} is in maintenance (ServerWideOffline ${swo})`);
  const inactiveComponents = (self?.components ?? [])
    .filter((c) => c.state !== 'Active')
    .map((c) => `${c.component} ${c.state}`);
  if (!maintenance && inactiveComponents.length > 0) {
    reasons.push(`components not active on ${e.server}: ${inactiveComponents.join(', ')}`);
  }
  const since = now.getTime() - limits.recoveryHours * 3_600_000;
  const recent = (e.recoveries ?? []).filter((r) => r.time !== null && Date.parse(r.time) >= since);
  // Newest first: an action is in progress when its newest event is a start.
  const seen = new Set<string>();
  const inProgress: RecoveryEvent[] = [];
  for (const r of recent) {
    const key = `${r.action ?? '?'}|${r.resource ?? '?'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if ((r.state ?? '').toLowerCase() === 'started') inProgress.push(r);
  }
  for (const r of inProgress) {
    reasons.push(
      `Managed Availability is recovering ${r.resource ?? '?'} (${r.action ?? '?'} by ${r.responder ?? '?'}, started ${r.time ?? '?'})`,
    );
  }
  return {
    ok: reasons.length === 0,
    reasons,
    maintenance,
    inactiveComponents,
    recentRecoveries: recent,
    inProgress,
  };
}

/** Every verdict of one gathered evidence. */
export function assessSafety(
  evidence: SafetyEvidence,
  now: Date,
  limits: FailoverLimits = DEFAULT_FAILOVER_LIMITS,
): DagSafetyOutput {
  return {
    kind: 'dag-safety',
    evidence,
    limits,
    failover: failoverPrecheck(evidence, limits),
    restart: restartGuard(evidence),
    hold: changeHolds(evidence, now, limits),
  };
}

/** The limits of a get-dag-safety job: its parameters over the defaults. */
export function limitsOf(
  params: Record<string, unknown>,
  base: FailoverLimits = DEFAULT_FAILOVER_LIMITS,
): FailoverLimits {
  return {
    ...base,
    ...(typeof params.copyQueueBelow === 'number' ? { copyQueueBelow: params.copyQueueBelow } : {}),
    ...(typeof params.replayQueueBelow === 'number'
      ? { replayQueueBelow: params.replayQueueBelow }
      : {}),
  };
}

export function isDagSafetyOutput(v: unknown): v is DagSafetyOutput {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'dag-safety';
}
