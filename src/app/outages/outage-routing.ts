import type { Incident } from '../../domain/incidents/incident';
import type { Inventory } from '../../domain/inventory/inventory';
import { toOutageCandidate, type OutageCandidate } from '../../domain/outages/candidate';
import {
  applyIncidentsToOutages,
  detachFromOutage,
  tickOutages,
  type OutageDecision,
  type OutageEffect,
  type OutageStep,
} from '../../domain/outages/correlate';
import { outageOf, type Outage, type OutageState } from '../../domain/outages/outage';
import type { OutageSettings } from '../../domain/outages/settings';
import type { Catalog } from '../../domain/runbooks/catalog';
import { LOST_RACE, retryOnConflict } from '../shared/retry-on-conflict';
import type { OutageStateStore } from './ports';

/**
 * Outage mode for the chat side: each incident change is applied to its scope's outage state
 * (read, decide with the pure domain, compare-and-set), and the delivery asks how an incident is
 * shown: its own card, nothing yet (held), or a line on an outage card.
 */
export interface OutageRouting {
  /** Applies an incident change; says how to show it and what changed for the outage cards. */
  apply(incident: Incident): Promise<OutageChange>;
  /**
   * Applies the changes of many incidents, in their order, with one compare-and-set per scope (a
   * storm's batch would otherwise race for one state document); one result per incident, in order.
   */
  applyMany(incidents: readonly Incident[]): Promise<OutageChange[]>;
  /** How the incident is shown now (read only). */
  view(incident: Incident): Promise<OutageView>;
  /** An outage of a scope, as it is now; null when it expired or never was. */
  outage(scope: string, outageId: string): Promise<Outage | null>;
  /** An outage by id, whatever its scope (the outage card's buttons name only the id). */
  find(outageId: string): Promise<Outage | null>;
  /** Ends holds that are over and drops what is older than the window, in every scope. */
  tick(): Promise<ScopedEffects[]>;
  /** A person takes an incident out of its outage. */
  detach(incident: Incident): Promise<OutageChange>;
}

export interface ScopedEffects {
  scope: string;
  effects: OutageEffect[];
}

export interface OutageChange extends ScopedEffects {
  decision: OutageDecision;
}

export type OutageView =
  | { kind: 'own-card' }
  | { kind: 'held'; until: string }
  | { kind: 'member'; scope: string; outage: Outage };

export interface OutageRoutingDeps {
  store: OutageStateStore;
  settings: OutageSettings;
  catalog: () => Catalog;
  inventory: () => Inventory | null;
  now?: () => Date;
}

/** Many replicas may apply changes of one storm at once: enough tries for a burst to land. */
const RETRY = { maxAttempts: 50, maxPauseMs: 50, pauseStepMs: 2 };

export function createOutageRouting(deps: OutageRoutingDeps): OutageRouting {
  const now = deps.now ?? (() => new Date());
  const scopeOf = (incident: Incident): string => {
    const site = toOutageCandidate(incident, deps.catalog(), deps.inventory()).site;
    return deps.settings.scope === 'site' ? site : '*';
  };

  async function change(
    scope: string,
    decide: (state: OutageState) => OutageStep,
  ): Promise<OutageChange> {
    const result = await retryOnConflict(async () => {
      const { state, version } = await deps.store.read(scope);
      const step = decide(state);
      // Nothing changed (an update of an incident in no outage and no window): no write.
      if (step.effects.length === 0 && JSON.stringify(step.state) === JSON.stringify(state)) {
        return step;
      }
      return (await deps.store.write(scope, step.state, version)) ? step : LOST_RACE;
    }, RETRY);
    if (result === LOST_RACE) throw new Error(`outage state of ${scope}: too many lost races`);
    return { scope, decision: result.decision, effects: result.effects };
  }

  /**
   * Group commit per scope: changes asked for while the scope's write is in flight go together in
   * the next one (the consumer runs several jobs at once, and each write carries the whole state).
   * Each caller still gets its own incidents' steps, in order, and only once they are written.
   */
  type Waiting = {
    candidates: readonly OutageCandidate[];
    resolve: (steps: Omit<OutageStep, 'state'>[]) => void;
    reject: (err: unknown) => void;
  };
  const groups = new Map<string, Waiting[]>();
  function applyGrouped(
    scope: string,
    candidates: readonly OutageCandidate[],
  ): Promise<Omit<OutageStep, 'state'>[]> {
    return new Promise((resolve, reject) => {
      const waiting = groups.get(scope);
      if (waiting) {
        waiting.push({ candidates, resolve, reject });
        return;
      }
      const queue: Waiting[] = [{ candidates, resolve, reject }];
      groups.set(scope, queue);
      void (async () => {
        while (queue.length > 0) {
          const batch = queue.splice(0, queue.length);
          try {
            let steps: Omit<OutageStep, 'state'>[] = [];
            await change(scope, (state) => {
              const applied = applyIncidentsToOutages(
                state,
                batch.flatMap((b) => b.candidates),
                deps.settings,
                now(),
              );
              steps = applied.steps;
              return {
                state: applied.state,
                decision: { kind: 'own-card' },
                effects: steps.flatMap((x) => x.effects),
              };
            });
            let at = 0;
            for (const b of batch) {
              b.resolve(steps.slice(at, at + b.candidates.length));
              at += b.candidates.length;
            }
          } catch (err) {
            for (const b of batch) b.reject(err);
          }
        }
        groups.delete(scope);
      })();
    });
  }

  async function applyMany(incidents: readonly Incident[]): Promise<OutageChange[]> {
    const results: OutageChange[] = new Array<OutageChange>(incidents.length);
    const byScope = new Map<string, { index: number; candidate: OutageCandidate }[]>();
    incidents.forEach((incident, index) => {
      const candidate = toOutageCandidate(incident, deps.catalog(), deps.inventory());
      if (candidate.server === null) {
        results[index] = { scope: '', decision: { kind: 'own-card' }, effects: [] };
        return;
      }
      const scope = scopeOf(incident);
      byScope.set(scope, [...(byScope.get(scope) ?? []), { index, candidate }]);
    });
    await Promise.all(
      [...byScope.entries()].map(async ([scope, members]) => {
        const steps = await applyGrouped(
          scope,
          members.map((m) => m.candidate),
        );
        members.forEach((m, i) => {
          const step = steps[i]!;
          results[m.index] = { scope, decision: step.decision, effects: step.effects };
        });
      }),
    );
    return results;
  }

  return {
    applyMany,
    async apply(incident) {
      const [change] = await applyMany([incident]);
      return change!;
    },
    async view(incident) {
      const scope = scopeOf(incident);
      const { state } = await deps.store.read(scope);
      const outage = outageOf(state, incident.id);
      if (outage) return { kind: 'member', scope, outage };
      const held = state.recent.find((r) => r.incidentId === incident.id && r.card === 'held');
      if (held?.holdUntil && Date.parse(held.holdUntil) > now().getTime()) {
        return { kind: 'held', until: held.holdUntil };
      }
      return { kind: 'own-card' };
    },
    async outage(scope, outageId) {
      const { state } = await deps.store.read(scope);
      return state.outages.find((o) => o.id === outageId) ?? null;
    },
    async find(outageId) {
      for (const scope of await deps.store.scopes()) {
        const { state } = await deps.store.read(scope);
        const found = state.outages.find((o) => o.id === outageId);
        if (found) return found;
      }
      return null;
    },
    async tick() {
      const out: ScopedEffects[] = [];
      for (const scope of await deps.store.scopes()) {
        const { effects } = await change(scope, (state) => ({
          ...tickOutages(state, deps.settings, now()),
          decision: { kind: 'own-card' },
        }));
        if (effects.length > 0) out.push({ scope, effects });
      }
      return out;
    },
    detach(incident) {
      return change(scopeOf(incident), (state) => detachFromOutage(state, incident.id, now()));
    },
  };
}
