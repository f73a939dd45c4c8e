/**
 * The outage model: incidents of one site that share a dependency (or a health-set family) on at
 * least N servers within a window become one outage with one card. The state is plain data (JSON
 * in Redis); `correlate.ts` is the only thing that changes it.
 */

/** What the members of an outage share. */
export type GroupKey = { kind: 'dependency'; id: string } | { kind: 'family'; family: string };

export function groupKeyId(key: GroupKey): string {
  return key.kind === 'dependency' ? `dep:${key.id}` : `family:${key.family}`;
}

/** An incident of the window that belongs to no outage (yet): counted toward opening one. */
export interface RecentIncident {
  incidentId: string;
  server: string;
  site: string;
  healthSet: string | null;
  family: string | null;
  monitor: string | null;
  dag: string | null;
  dependencies: string[];
  firstSeen: string;
  lastSeen: string;
  /** When the correlation first saw it open: the window counts from here (not SCOM's clock). */
  seenAt: string;
  /** `posted`: it has its own card; `held`: waiting up to `holdUntil` in case an outage forms. */
  card: 'posted' | 'held';
  holdUntil: string | null;
}

export interface OutageMember {
  incidentId: string;
  server: string;
  site: string;
  healthSet: string | null;
  monitor: string | null;
  dag: string | null;
  dependencies: string[];
  firstSeen: string;
  lastSeen: string;
  joinedAt: string;
  status: 'open' | 'resolved';
  resolvedAt: string | null;
  /** It had a card of its own before it joined: chat turns that card into a pointer. */
  hadOwnCard: boolean;
}

export interface Outage {
  /** Derived from site, key and opening time, so two replicas deciding alike agree on it. */
  id: string;
  site: string;
  key: GroupKey;
  status: 'open' | 'resolved';
  openedAt: string;
  /** The latest join, resolution or reopening. */
  changedAt: string;
  resolvedAt: string | null;
  /** How many times it resolved and took a repeat back. */
  reopened: number;
  members: OutageMember[];
}

export interface OutageState {
  version: 1;
  recent: RecentIncident[];
  /** Open outages, and resolved ones for one window (a repeat reopens them). */
  outages: Outage[];
  /** Incidents a person took out of their outage: they do not join again while open. */
  detached?: string[] | undefined;
}

export const EMPTY_OUTAGE_STATE: Readonly<OutageState> = Object.freeze({
  version: 1,
  recent: [],
  outages: [],
});

/** The outage an incident is a member of, if any. */
export function outageOf(state: OutageState, incidentId: string): Outage | undefined {
  return state.outages.find((o) => o.members.some((m) => m.incidentId === incidentId));
}

/** The earliest first-seen of the members: when the outage really began. */
export function outageStart(outage: Outage): string {
  const times = outage.members.map((m) => Date.parse(m.firstSeen)).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : outage.openedAt;
}

/** The latest last-seen of the members. */
export function outageLastSeen(outage: Outage): string {
  const times = outage.members.map((m) => Date.parse(m.lastSeen)).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : outage.openedAt;
}

export function distinctServers(members: readonly { server: string }[]): string[] {
  return [...new Set(members.map((m) => m.server))].sort();
}
