import type { Incident } from '../../domain/incidents/incident';
import type { Inventory } from '../../domain/inventory/inventory';
import { toOutageCandidate } from '../../domain/outages/candidate';
import {
  applyIncidentToOutages,
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

  return {
    apply(incident) {
      const candidate = toOutageCandidate(incident, deps.catalog(), deps.inventory());
      // An incident that names no valid server is never grouped: it keeps its own card.
      if (candidate.server === null) {
        return Promise.resolve({ scope: '', decision: { kind: 'own-card' }, effects: [] });
      }
      return change(scopeOf(incident), (state) =>
        applyIncidentToOutages(state, candidate, deps.settings, now()),
      );
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
