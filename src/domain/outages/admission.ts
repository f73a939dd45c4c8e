import { LANGS, type Lang } from '../runbooks/text';
import { holdsFor, describeHolds, type ActionSlot, type Hold, type HoldContext } from './holds';
import type { OutageSettings } from './settings';

/**
 * Admission: which steps of a site run now and which wait, as plain data (one document per site
 * in Redis, written by compare-and-set so two replicas never both admit the last slot). The
 * decision is `holdsFor`; this file keeps the site's queue of held steps in order and says which
 * of them may start when something changed (a slot freed, an outage resolved, a hold released).
 */

/** A step that was admitted: it counts against the site's limits until its result comes back. */
export interface RunningSlot extends ActionSlot {
  jobId: string;
  admittedAt: string;
  /** The job was handed to its queue (a crash between admitting and handing is repeated). */
  handed: boolean;
  /** What to hand over (the enqueue request, opaque here), kept until it was handed. */
  request?: unknown;
}

/** A step that may not start yet: the holds' sentences (every language), and what to start. */
export interface WaitingSlot extends ActionSlot {
  jobId: string;
  queuedAt: string;
  /** A delayed start (a runbook's wait): it is not considered before then. */
  notBefore: string | null;
  /** The sentence the card shows, per language; null while it only waits for `notBefore`. */
  hold: Record<Lang, string> | null;
  kinds: Hold['kind'][];
  request: unknown;
}

/** The outage's member changes may go ahead (dependency checks healthy, or a person said so). */
export interface OutageRelease {
  outageId: string;
  at: string;
  /** `checks`: the dependency checks came back healthy; otherwise who released it. */
  by: string;
  reason: string;
}

export interface AdmissionState {
  version: 1;
  running: RunningSlot[];
  waiting: WaitingSlot[];
  released: OutageRelease[];
}

export const EMPTY_ADMISSION: Readonly<AdmissionState> = Object.freeze({
  version: 1,
  running: [],
  waiting: [],
  released: [],
});

type Limits = Pick<OutageSettings, 'changesPerSite' | 'checksPerSite'>;

/** The holds on a step, with their sentence in every language; empty: it may start. */
export function decide(
  step: ActionSlot,
  running: readonly ActionSlot[],
  ctx: (lang: Lang) => HoldContext,
  settings: Limits,
): { holds: Hold[]; text: Record<Lang, string> | null } {
  const byLang = {} as Record<Lang, string>;
  let holds: Hold[] = [];
  for (const lang of LANGS) {
    const h = holdsFor(step, running, ctx(lang), settings, lang);
    if (lang === 'en') holds = h;
    byLang[lang] = describeHolds(h);
  }
  return { holds, text: holds.length > 0 ? byLang : null };
}

export interface AdmissionPlan {
  /** Waiting steps that may start now, in queue order. */
  admit: WaitingSlot[];
  /** Waiting steps whose hold changed (a new reason, or a due delayed step now held). */
  changed: WaitingSlot[];
  /** The state after: the admitted ones running (not yet handed), the rest still waiting. */
  state: AdmissionState;
}

/**
 * Goes through the site's waiting steps in the order they came (a step admitted counts against
 * the ones after it) and admits every one nothing holds. Steps of incidents in no outage go
 * first: a problem that fits no outage is checked at once, never behind an outage's backlog of
 * its members' checks (which the outage card already sums up). Pure.
 */
export function planAdmissions(
  state: AdmissionState,
  contextFor: (slot: ActionSlot, released: readonly OutageRelease[], lang: Lang) => HoldContext,
  settings: Limits,
  now: Date,
): AdmissionPlan {
  const running: RunningSlot[] = [...state.running];
  const waiting: WaitingSlot[] = [];
  const admit: WaitingSlot[] = [];
  const changed: WaitingSlot[] = [];
  const at = now.toISOString();
  const member = (w: WaitingSlot) => contextFor(w, state.released, 'en').memberOf !== null;
  const order = [
    ...state.waiting.filter((w) => !member(w)),
    ...state.waiting.filter((w) => member(w)),
  ];
  for (const w of order) {
    if (w.notBefore !== null && Date.parse(w.notBefore) > now.getTime()) {
      waiting.push(w);
      continue;
    }
    const { holds, text } = decide(
      w,
      running,
      (lang) => contextFor(w, state.released, lang),
      settings,
    );
    if (holds.length === 0) {
      admit.push(w);
      running.push(toRunning(w, at));
      continue;
    }
    const next: WaitingSlot = { ...w, hold: text, kinds: holds.map((h) => h.kind) };
    if (JSON.stringify(next.hold) !== JSON.stringify(w.hold)) changed.push(next);
    waiting.push(next);
  }
  return { admit, changed, state: { ...state, running, waiting } };
}

export function toRunning(w: Omit<WaitingSlot, 'hold' | 'kinds' | 'notBefore'>, at: string) {
  const slot: RunningSlot = {
    incidentId: w.incidentId,
    stepKey: w.stepKey,
    title: w.title,
    server: w.server,
    site: w.site,
    dag: w.dag,
    risk: w.risk,
    jobId: w.jobId,
    admittedAt: at,
    handed: false,
    request: w.request,
  };
  return slot;
}

/** Running slots older than `ttlMs` are let go: a result that never came must not hold a site. */
export function dropStale(state: AdmissionState, now: Date, ttlMs: number): AdmissionState {
  const keep = state.running.filter((r) => now.getTime() - Date.parse(r.admittedAt) < ttlMs);
  return keep.length === state.running.length ? state : { ...state, running: keep };
}

/** Releases of outages that are no longer open are forgotten (the hold ended with the outage). */
export function pruneReleases(state: AdmissionState, openOutages: readonly string[]) {
  const keep = state.released.filter((r) => openOutages.includes(r.outageId));
  return keep.length === state.released.length ? state : { ...state, released: keep };
}

/**
 * A dependency check (Get-HealthReport) that came back healthy: it read at least one health set,
 * each row is the set that was asked for (any row, for a read of the whole server), and every one
 * is `Healthy`. Degraded, Repairing, Disabled (an override) or a value the parser did not know
 * count as not healthy, as do a failed, unreadable or empty read: it releases held changes.
 */
export function healthReportIsHealthy(parsed: unknown, healthSet?: string): boolean {
  const p = parsed as { kind?: unknown; healthSets?: unknown; unhealthy?: unknown } | null;
  if (p === null || typeof p !== 'object' || p.kind !== 'health-report') return false;
  if (!Array.isArray(p.healthSets) || p.healthSets.length === 0) return false;
  if (Array.isArray(p.unhealthy) && p.unhealthy.length > 0) return false;
  const wanted = healthSet?.toLowerCase();
  return p.healthSets.every((row: unknown) => {
    const r = row as { healthSet?: unknown; alertValue?: unknown } | null;
    if (r === null || typeof r !== 'object' || r.alertValue !== 'Healthy') return false;
    return wanted === undefined || String(r.healthSet).toLowerCase() === wanted;
  });
}
