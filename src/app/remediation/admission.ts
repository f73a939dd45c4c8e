import {
  EMPTY_ADMISSION,
  decide,
  dropStale,
  planAdmissions,
  pruneReleases,
  toRunning,
  type AdmissionState,
  type OutageRelease,
  type WaitingSlot,
} from '../../domain/outages/admission';
import type { ActionSlot, HoldContext } from '../../domain/outages/holds';
import { outageCause } from '../../domain/outages/outage-card';
import type { Outage } from '../../domain/outages/outage';
import type { OutageSettings } from '../../domain/outages/settings';
import type { Catalog } from '../../domain/runbooks/catalog';
import type { Lang } from '../../domain/runbooks/text';
import type { AuditLog } from '../audit/ports';
import type { AuditActor } from '../../domain/audit/audit-entry';
import { LOST_RACE, retryOnConflict } from '../shared/retry-on-conflict';

/**
 * Where each site's admission document lives (src/infra/redis/redis-admission-store.ts): read,
 * then written only if nobody wrote it in between, so two replicas never both take the last slot.
 */
export interface AdmissionStore {
  /** The site's state and version; the state may be shared with other readers: read-only. */
  read(site: string): Promise<{ state: AdmissionState; version: number }>;
  write(site: string, state: AdmissionState, version: number): Promise<boolean>;
  /** Every site with a document (the timer's list). */
  sites(): Promise<string[]>;
}

/** The open outages that concern a site (its members' site), from the outage state. */
export interface OutageLookup {
  openFor(site: string): Promise<Outage[]>;
}

/** What the gate needs of a start request; the rest is handed through to `start` untouched. */
export interface AdmissionRequest {
  jobId: string;
  incidentId?: string | null;
  runId?: string | null;
  stepId?: string | null;
  delayMs?: number;
}

export type AdmitResult =
  | { ok: true; state: 'started' | 'delayed' }
  | { ok: true; state: 'held'; hold: Record<Lang, string> }
  | { ok: false; reason: string };

export interface AdmissionDeps<R extends AdmissionRequest> {
  store: AdmissionStore;
  /** Absent with outage mode off: only the blast radius applies. */
  outages?: OutageLookup;
  settings: Pick<OutageSettings, 'changesPerSite' | 'checksPerSite'>;
  catalog: Pick<Catalog, 'dependencies'>;
  /** The step as the holds see it; a reason when it cannot run at all (refused at once). */
  describe(req: R): ActionSlot | { error: string };
  /** Hands the job to its queue (idempotent by job id); false with a reason when it never can. */
  start(req: R): Promise<{ ok: true; alreadyFinished?: boolean } | { ok: false; reason: string }>;
  /** A step was held, or its hold's reason changed: show it (the run step, the card). */
  onHeld?(req: R, slot: ActionSlot, hold: Record<Lang, string>): Promise<void>;
  /** A held step started by itself. */
  onStarted?(req: R, slot: ActionSlot): Promise<void>;
  /**
   * Is a waiting step still wanted (its incident still open)? One that is not is dropped rather
   * than started late: a change held through an outage must not run after its incident resolved.
   */
  stillWanted?(req: R): Promise<boolean>;
  /** A waiting step was dropped (see `stillWanted`). */
  onDropped?(req: R): Promise<void>;
  /** An admitted step's job could not be queued (it never can): say so on its step. */
  onStartFailed?(req: R, reason: string): Promise<void>;
  audit?: AuditLog;
  clock?: () => Date;
  /** A running slot whose result never came is let go after this long (default 1 h). */
  slotTtlMs?: number;
  /** An admitted job not marked handed after this long is handed again (default 5 s). */
  rehandAfterMs?: number;
  onError?: (err: unknown, what: string) => void;
}

export interface Admission<R extends AdmissionRequest> {
  /** Starts the step now or holds it (it then starts by itself when nothing holds it). */
  request(req: R): Promise<AdmitResult>;
  /** A job's result came back: its slot frees and what waited for it may start. */
  finished(job: { jobId: string; site: string }): Promise<void>;
  /** A person (or healthy dependency checks) lets an outage's member changes go ahead. */
  release(input: {
    outageId: string;
    site: string;
    by: AuditActor | 'checks';
    reason: string;
  }): Promise<{ ok: true; started: number } | { ok: false; reason: string }>;
  /** What waits in a site now (the outage card's count, tests). */
  waiting(site: string): Promise<WaitingSlot[]>;
  /** Every replica's timer: delayed steps that are due, outages that ended, stale slots. */
  tick(): Promise<void>;
}

const RETRY = { maxAttempts: 50, maxPauseMs: 50, pauseStepMs: 2 };

/**
 * The remediation gate: every step's job (a verify check, an approved change) asks here before it
 * is queued. Read what runs in the site, decide with `holdsFor`, record the start or the hold with
 * compare-and-set, then queue the job; a hold is lifted by whatever freed it (a result, an outage
 * that ended, a release), on whichever replica sees it first.
 */
export function createAdmission<R extends AdmissionRequest>(deps: AdmissionDeps<R>): Admission<R> {
  const clock = deps.clock ?? (() => new Date());
  const ttlMs = deps.slotTtlMs ?? 3600_000;
  const rehandMs = deps.rehandAfterMs ?? 5000;

  const causes = new WeakMap<Outage, Partial<Record<Lang, string>>>();
  async function contextFor(site: string) {
    const open = deps.outages ? await deps.outages.openFor(site) : [];
    // Asked for every slot and language: indexed once (a storm's outage has hundreds of members).
    const outageOfIncident = new Map<string, Outage>();
    for (const o of open) {
      for (const m of o.members) {
        if (!outageOfIncident.has(m.incidentId)) outageOfIncident.set(m.incidentId, o);
      }
    }
    const siteHasOutage = open.some((o) => o.members.some((m) => m.site === site));
    const causeOf = (o: Outage, lang: Lang): string => {
      // Per outage object: the store hands out the same parsed state until it changes.
      const known = causes.get(o) ?? {};
      causes.set(o, known);
      return (known[lang] ??= outageCause(o, deps.catalog, lang));
    };
    return {
      open,
      ctx: (slot: ActionSlot, released: readonly OutageRelease[], lang: Lang): HoldContext => {
        const memberOf = outageOfIncident.get(slot.incidentId) ?? null;
        return {
          memberOf,
          cause: memberOf ? causeOf(memberOf, lang) : '',
          released: memberOf !== null && released.some((r) => r.outageId === memberOf.id),
          siteHasOutage,
        };
      },
    };
  }

  // One change of a site at a time in this process: concurrent ones (a storm's batch of new
  // incidents, each asking for its checks) would otherwise race for the same document and retry,
  // which bench (a) saw exhaust the retries. Other replicas' changes still race (compare-and-set).
  const lanes = new Map<string, Promise<unknown>>();
  /**
   * What a decision sees besides the state: the site's open outages and the time, read when its
   * turn in the lane has come (`see`, once per attempt, only if asked), not before it queued.
   */
  type SiteView = Awaited<ReturnType<typeof contextFor>> & { now: Date };
  type Change<T> = (
    state: AdmissionState,
    see: () => Promise<SiteView>,
  ) => Promise<{ state: AdmissionState | null; out: T }>;
  function change<T>(site: string, fn: Change<T>): Promise<T> {
    const run = (lanes.get(site) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => changeNow(site, fn));
    lanes.set(site, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (lanes.get(site) === run) lanes.delete(site);
      });
    return run;
  }

  async function changeNow<T>(site: string, fn: Change<T>): Promise<T> {
    const result = await retryOnConflict(async () => {
      const { state, version } = await deps.store.read(site);
      let view: Promise<SiteView> | undefined;
      const see = () => (view ??= contextFor(site).then((c) => ({ ...c, now: clock() })));
      const { state: next, out } = await fn(state, see);
      if (next === null) return out;
      return (await deps.store.write(site, next, version)) ? out : LOST_RACE;
    }, RETRY);
    if (result === LOST_RACE) throw new Error(`admission of ${site}: too many lost races`);
    return result;
  }

  async function hand(site: string, req: R): Promise<void> {
    const r = await deps.start(req);
    // Handed again after it ran (a relay repeating a hand-off): its slot must not stay taken.
    if (r.ok && r.alreadyFinished) {
      await change(site, async (s) => ({
        state: { ...s, running: s.running.filter((x) => x.jobId !== req.jobId) },
        out: undefined,
      }));
      return;
    }
    if (r.ok) {
      await change(site, async (s) => {
        const i = s.running.findIndex((x) => x.jobId === req.jobId);
        const found = s.running[i];
        if (!found || found.handed) return { state: null, out: undefined };
        const running = [...s.running];
        const { request: _request, ...rest } = found;
        running[i] = { ...rest, handed: true };
        return { state: { ...s, running }, out: undefined };
      });
      return;
    }
    await change(site, async (s) => ({
      state: { ...s, running: s.running.filter((x) => x.jobId !== req.jobId) },
      out: undefined,
    }));
    await deps.onStartFailed?.(req, r.reason);
  }

  async function pump(site: string): Promise<void> {
    const unwanted = new Set<string>();
    if (deps.stillWanted) {
      for (const w of (await deps.store.read(site)).state.waiting) {
        if (!(await deps.stillWanted(w.request as R))) unwanted.add(w.jobId);
      }
    }
    const dropped: WaitingSlot[] = [];
    const plan = await change(site, async (s, see) => {
      const { open, ctx, now } = await see();
      dropped.splice(0, dropped.length, ...s.waiting.filter((w) => unwanted.has(w.jobId)));
      const kept = s.waiting.filter((w) => !unwanted.has(w.jobId));
      const base = pruneReleases(
        dropStale(kept.length === s.waiting.length ? s : { ...s, waiting: kept }, now, ttlMs),
        open.map((o) => o.id),
      );
      const p = planAdmissions(base, ctx, deps.settings, now);
      const same = p.admit.length === 0 && p.changed.length === 0 && base === s;
      return { state: same ? null : p.state, out: p };
    });
    for (const w of dropped) await deps.onDropped?.(w.request as R);
    for (const w of plan.changed) {
      if (w.hold) await deps.onHeld?.(w.request as R, w, w.hold);
    }
    for (const w of plan.admit) {
      await hand(site, w.request as R);
      if (w.hold) {
        await deps.onStarted?.(w.request as R, w);
        await deps.audit?.append(
          {
            at: clock().toISOString(),
            actor: { platform: 'system', id: 'bot' },
            action: 'step.admitted',
            incidentId: w.incidentId,
            server: w.server,
            params: { jobId: w.jobId, stepId: w.stepKey, site },
            result: `started after a hold: ${w.hold.en}`,
          },
          { idempotencyKey: `admitted-${w.jobId}` },
        );
      }
    }
  }

  const admission: Admission<R> = {
    async request(req) {
      const slot = deps.describe(req);
      if ('error' in slot) return { ok: false, reason: slot.error };
      const site = slot.site;
      let at = clock().toISOString();
      const delay = Math.max(req.delayMs ?? 0, 0);
      type Decided =
        | { kind: 'running'; handed: boolean }
        | { kind: 'waiting' | 'held'; w: WaitingSlot }
        | { kind: 'admitted' };
      const decided = await change<Decided>(site, async (s, see) => {
        const running = s.running.find((r) => r.jobId === req.jobId);
        if (running) return { state: null, out: { kind: 'running', handed: running.handed } };
        const waiting = s.waiting.find((w) => w.jobId === req.jobId);
        if (waiting) return { state: null, out: { kind: 'waiting', w: waiting } };
        const { open, ctx, now } = await see();
        at = now.toISOString();
        // A release ends with its outage (a reopened one is held again).
        const base = pruneReleases(
          dropStale(s, now, ttlMs),
          open.map((o) => o.id),
        );
        const entry: WaitingSlot = {
          ...slot,
          jobId: req.jobId,
          queuedAt: at,
          notBefore: null,
          hold: null,
          kinds: [],
          request: req,
        };
        if (delay > 0) {
          // A runbook's wait: it takes a slot when it is due, not while it waits, and is then
          // queued without the delay (it has been waited already).
          const { delayMs: _delay, ...due } = req;
          const w = {
            ...entry,
            notBefore: new Date(now.getTime() + delay).toISOString(),
            request: due,
          };
          return {
            state: { ...base, waiting: [...base.waiting, w] },
            out: { kind: 'waiting', w },
          };
        }
        const { holds, text } = decide(
          slot,
          base.running,
          (lang) => ctx(slot, base.released, lang),
          deps.settings,
        );
        if (holds.length === 0) {
          return {
            state: { ...base, running: [...base.running, toRunning(entry, at)] },
            out: { kind: 'admitted' },
          };
        }
        const w = { ...entry, hold: text, kinds: holds.map((h) => h.kind) };
        return {
          state: { ...base, waiting: [...base.waiting, w] },
          out: { kind: 'held', w },
        };
      });
      if (decided.kind === 'admitted' || (decided.kind === 'running' && !decided.handed)) {
        await hand(site, req);
        return { ok: true, state: 'started' };
      }
      if (decided.kind === 'running') return { ok: true, state: 'started' };
      if (decided.kind === 'held' && decided.w.hold) {
        await deps.onHeld?.(req, slot, decided.w.hold);
        await deps.audit?.append(
          {
            at,
            actor: { platform: 'system', id: 'bot' },
            action: 'step.held',
            incidentId: slot.incidentId,
            server: slot.server,
            params: { jobId: req.jobId, stepId: slot.stepKey, site, holds: decided.w.kinds },
            result: decided.w.hold.en,
          },
          { idempotencyKey: `held-${req.jobId}` },
        );
      }
      const w = decided.w;
      return w.hold ? { ok: true, state: 'held', hold: w.hold } : { ok: true, state: 'delayed' };
    },

    async finished(job) {
      const freed = await change(job.site, async (s) => {
        if (!s.running.some((r) => r.jobId === job.jobId)) return { state: null, out: false };
        return {
          state: { ...s, running: s.running.filter((r) => r.jobId !== job.jobId) },
          out: true,
        };
      });
      if (freed) await pump(job.site);
    },

    async release(input) {
      const { open } = await contextFor(input.site);
      const outage = open.find((o) => o.id === input.outageId);
      if (!outage) return { ok: false, reason: `outage ${input.outageId} is not open` };
      const by = input.by === 'checks' ? 'checks' : `${input.by.platform}:${input.by.id}`;
      const before = (await deps.store.read(input.site)).state.waiting.length;
      await change(input.site, async (s) => {
        if (s.released.some((r) => r.outageId === input.outageId)) return { state: null, out: 0 };
        const release: OutageRelease = {
          outageId: input.outageId,
          at: clock().toISOString(),
          by,
          reason: input.reason,
        };
        return { state: { ...s, released: [...s.released, release] }, out: 0 };
      });
      await deps.audit?.append(
        {
          at: clock().toISOString(),
          actor: input.by === 'checks' ? { platform: 'system', id: 'bot' } : input.by,
          action: 'outage.holds-released',
          incidentId: null,
          server: null,
          params: { outageId: input.outageId, site: input.site },
          result: input.reason,
        },
        { idempotencyKey: `released-${input.outageId}` },
      );
      await pump(input.site);
      const after = (await deps.store.read(input.site)).state.waiting.length;
      return { ok: true, started: Math.max(before - after, 0) };
    },

    async waiting(site) {
      return (await deps.store.read(site)).state.waiting;
    },

    async tick() {
      const now = clock().getTime();
      for (const site of await deps.store.sites()) {
        try {
          const { state } = await deps.store.read(site);
          // Admitted, but the hand-off did not complete (a crash): hand it again (idempotent).
          for (const r of state.running) {
            if (!r.handed && r.request && now - Date.parse(r.admittedAt) >= rehandMs) {
              await hand(site, r.request as R);
            }
          }
          // Waiting steps may start; releases of outages that ended are forgotten.
          if (state.waiting.length > 0 || state.released.length > 0) await pump(site);
        } catch (err) {
          deps.onError?.(err, `admission tick of ${site}`);
        }
      }
    },
  };
  return admission;
}

export { EMPTY_ADMISSION };
