import type { OutageCandidate } from './candidate';
import {
  distinctServers,
  groupKeyId,
  outageStart,
  type GroupKey,
  type Outage,
  type OutageMember,
  type OutageState,
  type RecentIncident,
} from './outage';
import type { OutageSettings } from './settings';

/**
 * What the chat side does with the incident whose change was applied:
 * - `own-card`: it fits no outage: its own card as today, posted at once (or updated);
 * - `hold`: it may be about to join an outage: no card before `until` (then `tickOutages` says
 *   `post-own-card`, unless it joined an outage meanwhile);
 * - `member-of`: it is a line on the outage's card and has no card of its own.
 */
export type OutageDecision =
  | { kind: 'own-card' }
  | { kind: 'hold'; until: string; key: GroupKey }
  | { kind: 'member-of'; outageId: string };

/** What changed, for the chat side to draw (see docs/outages.md for the mapping). */
export type OutageEffect =
  | {
      type: 'outage-opened';
      outageId: string;
      site: string;
      key: GroupKey;
      /** Every member, the incident that opened it included. */
      members: string[];
      /** Members that already had a card of their own: turn each into a pointer to the outage. */
      retract: string[];
    }
  | { type: 'member-joined'; outageId: string; incidentId: string; hadOwnCard: boolean }
  | { type: 'member-updated'; outageId: string; incidentId: string }
  | { type: 'member-resolved'; outageId: string; incidentId: string }
  | { type: 'member-left'; outageId: string; incidentId: string; reason: 'detached' }
  | {
      type: 'outage-resolved';
      outageId: string;
      startedAt: string;
      resolvedAt: string;
      durationMs: number;
      servers: number;
      members: number;
    }
  | { type: 'outage-reopened'; outageId: string; incidentId: string }
  /** Dropped from the state one window after it resolved (its card stays as drawn). */
  | { type: 'outage-expired'; outageId: string }
  /** A held incident's wait is over and it joined nothing: post its own card now. */
  | { type: 'post-own-card'; incidentId: string };

export interface OutageStep {
  state: OutageState;
  decision: OutageDecision;
  effects: OutageEffect[];
}

export interface OutageTick {
  state: OutageState;
  effects: OutageEffect[];
}

const ms = (iso: string): number => Date.parse(iso);

/** A copy deep enough that the caller's state is never changed. */
function copy(state: OutageState): OutageState {
  return {
    version: 1,
    recent: state.recent.map((r) => ({ ...r, dependencies: [...r.dependencies] })),
    outages: state.outages.map((o) => ({ ...o, members: o.members.map((m) => ({ ...m })) })),
    detached: [...(state.detached ?? [])],
  };
}

function keysOf(
  c: { dependencies: readonly string[]; family: string | null },
  settings: OutageSettings,
): GroupKey[] {
  const keys: GroupKey[] = [];
  for (const by of settings.groupBy) {
    if (by === 'dependency') {
      for (const id of c.dependencies) keys.push({ kind: 'dependency', id });
    } else if (c.family !== null) keys.push({ kind: 'family', family: c.family });
  }
  return keys;
}

function hasKey(
  c: { dependencies: readonly string[]; family: string | null },
  key: GroupKey,
): boolean {
  return key.kind === 'dependency' ? c.dependencies.includes(key.id) : c.family === key.family;
}

const scopeOf = (site: string, settings: OutageSettings): string =>
  settings.scope === 'site' ? site : '*';

function outageId(scope: string, key: GroupKey, at: number): string {
  const part = (key.kind === 'dependency' ? key.id : `family-${key.family}`)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
  const site = scope === '*' ? 'all' : scope;
  return `outage-${site}-${part}`.slice(0, 100) + `-${at.toString(36)}`;
}

/** Holds that are over become `post-own-card`; what is older than the window is dropped. */
function housekeep(s: OutageState, settings: OutageSettings, t: number): OutageEffect[] {
  const effects: OutageEffect[] = [];
  for (const r of s.recent) {
    if (r.card === 'held' && r.holdUntil !== null && ms(r.holdUntil) <= t) {
      r.card = 'posted';
      r.holdUntil = null;
      effects.push({ type: 'post-own-card', incidentId: r.incidentId });
    }
  }
  s.recent = s.recent.filter((r) => r.card === 'held' || ms(r.seenAt) >= t - settings.windowMs);
  s.outages = s.outages.filter((o) => {
    const expired =
      o.status === 'resolved' && o.resolvedAt !== null && ms(o.resolvedAt) < t - settings.windowMs;
    if (expired) effects.push({ type: 'outage-expired', outageId: o.id });
    return !expired;
  });
  return effects;
}

function resolveIfDone(o: Outage, at: string, effects: OutageEffect[]): void {
  if (o.status !== 'open' || o.members.some((m) => m.status === 'open')) return;
  o.status = 'resolved';
  o.resolvedAt = at;
  o.changedAt = at;
  const startedAt = outageStart(o);
  effects.push({
    type: 'outage-resolved',
    outageId: o.id,
    startedAt,
    resolvedAt: at,
    durationMs: Math.max(0, ms(at) - ms(startedAt)),
    servers: distinctServers(o.members).length,
    members: o.members.length,
  });
}

function toMember(
  r: RecentIncident | (OutageCandidate & { server: string }),
  at: string,
  hadOwnCard: boolean,
): OutageMember {
  return {
    incidentId: r.incidentId,
    server: r.server,
    site: r.site,
    healthSet: r.healthSet,
    monitor: r.monitor,
    dag: r.dag,
    dependencies: [...r.dependencies],
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    joinedAt: at,
    status: 'open',
    resolvedAt: null,
    hadOwnCard,
  };
}

/** An open outage of the scope sharing a key, else one resolved within the window (a repeat). */
function joinable(
  s: OutageState,
  scope: string,
  keys: readonly GroupKey[],
  settings: OutageSettings,
  t: number,
): Outage | undefined {
  const ids = new Set(keys.map(groupKeyId));
  const fits = s.outages.filter(
    (o) =>
      o.site === scope &&
      ids.has(groupKeyId(o.key)) &&
      (o.status === 'open' || (o.resolvedAt !== null && ms(o.resolvedAt) >= t - settings.windowMs)),
  );
  fits.sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      b.members.length - a.members.length,
  );
  return fits[0];
}

/** Distinct servers per key among the window's unassigned incidents of the scope. */
function serversPerKey(
  window: readonly RecentIncident[],
  keys: readonly GroupKey[],
): Map<string, Set<string>> {
  const counts = new Map<string, Set<string>>();
  for (const key of keys) {
    const servers = new Set<string>();
    for (const r of window) if (hasKey(r, key)) servers.add(r.server);
    counts.set(groupKeyId(key), servers);
  }
  return counts;
}

/**
 * Applies one incident change (created, updated or resolved) to the outages. Pure: returns the
 * new state, what to do with this incident and what changed. Only the incident's scope (its site)
 * is read or written, so the state may be stored one per site.
 */
export function applyIncidentToOutages(
  state: OutageState,
  c: OutageCandidate,
  settings: OutageSettings,
  now: Date,
): OutageStep {
  const s = copy(state);
  return { state: s, ...applyInPlace(s, c, settings, now) };
}

/**
 * Applies the changes of many incidents of one scope, in their order, as `applyIncidentToOutages`
 * one after another would, with one copy of the state (in a storm it holds hundreds of members,
 * and a copy per incident made the batch quadratic). Pure.
 */
export function applyIncidentsToOutages(
  state: OutageState,
  candidates: readonly OutageCandidate[],
  settings: OutageSettings,
  now: Date,
): { state: OutageState; steps: Omit<OutageStep, 'state'>[] } {
  const s = copy(state);
  return { state: s, steps: candidates.map((c) => applyInPlace(s, c, settings, now)) };
}

/** One incident's change, applied to a state the caller owns. */
function applyInPlace(
  s: OutageState,
  c: OutageCandidate,
  settings: OutageSettings,
  now: Date,
): Omit<OutageStep, 'state'> {
  const t = now.getTime();
  const at = now.toISOString();
  const effects = housekeep(s, settings, t);
  const done = (decision: OutageDecision): Omit<OutageStep, 'state'> => ({ decision, effects });

  // Already a member: follow its state on the outage card.
  const outage = s.outages.find((o) => o.members.some((m) => m.incidentId === c.incidentId));
  const member = outage?.members.find((m) => m.incidentId === c.incidentId);
  if (outage && member) {
    member.lastSeen = c.lastSeen;
    if (c.status === 'resolved') {
      if (member.status === 'open') {
        member.status = 'resolved';
        member.resolvedAt = at;
        outage.changedAt = at;
        effects.push({ type: 'member-resolved', outageId: outage.id, incidentId: c.incidentId });
        resolveIfDone(outage, at, effects);
      }
    } else if (member.status === 'resolved') {
      // Open again under the same incident id: the outage is not over.
      member.status = 'open';
      member.resolvedAt = null;
      reopen(outage, c.incidentId, at, effects);
      effects.push({
        type: 'member-joined',
        outageId: outage.id,
        incidentId: c.incidentId,
        hadOwnCard: false,
      });
    } else {
      effects.push({ type: 'member-updated', outageId: outage.id, incidentId: c.incidentId });
    }
    return done({ kind: 'member-of', outageId: outage.id });
  }

  const index = s.recent.findIndex((r) => r.incidentId === c.incidentId);
  const entry = index >= 0 ? s.recent[index] : undefined;
  const detached = (s.detached ?? []).includes(c.incidentId);
  if (c.status === 'resolved') {
    // Resolved before joining anything: it no longer counts toward an outage.
    if (index >= 0) s.recent.splice(index, 1);
    if (detached) s.detached = (s.detached ?? []).filter((id) => id !== c.incidentId);
    // A held one's wait is cut short: it is shown on its own card, resolved, as any incident.
    return done({ kind: 'own-card' });
  }

  const keys = keysOf(c, settings);
  if (c.server === null || keys.length === 0 || detached) return done({ kind: 'own-card' });
  const server = c.server;
  const scope = scopeOf(c.site, settings);

  // A late joiner (or a repeat after the outage resolved) joins the outage.
  const target = joinable(s, scope, keys, settings, t);
  if (target) {
    if (index >= 0) s.recent.splice(index, 1);
    const hadOwnCard = entry?.card === 'posted';
    target.members.push(toMember({ ...c, server }, at, hadOwnCard));
    target.changedAt = at;
    if (target.status === 'resolved') reopen(target, c.incidentId, at, effects);
    effects.push({
      type: 'member-joined',
      outageId: target.id,
      incidentId: c.incidentId,
      hadOwnCard,
    });
    return done({ kind: 'member-of', outageId: target.id });
  }

  // Counted with the window's other unassigned incidents of the scope.
  const current: RecentIncident = entry ?? {
    incidentId: c.incidentId,
    server,
    site: c.site,
    healthSet: c.healthSet,
    family: c.family,
    monitor: c.monitor,
    dag: c.dag,
    dependencies: [...c.dependencies],
    firstSeen: c.firstSeen,
    lastSeen: c.lastSeen,
    seenAt: at,
    card: 'held',
    holdUntil: null,
  };
  current.lastSeen = c.lastSeen;
  if (!entry) s.recent.push(current);
  const window = s.recent.filter((r) => scopeOf(r.site, settings) === scope);
  const counts = serversPerKey(window, keys);

  let best: GroupKey | undefined;
  let bestCount = 0;
  for (const key of keys) {
    const n = counts.get(groupKeyId(key))?.size ?? 0;
    if (n >= settings.minServers && n > bestCount) {
      best = key;
      bestCount = n;
    }
  }
  if (best) {
    const key = best;
    const id = outageId(scope, key, t);
    const joining = window.filter((r) => hasKey(r, key));
    const joiningIds = new Set(joining.map((r) => r.incidentId));
    s.recent = s.recent.filter((r) => !joiningIds.has(r.incidentId));
    const opened: Outage = {
      id,
      site: scope,
      key,
      status: 'open',
      openedAt: at,
      changedAt: at,
      resolvedAt: null,
      reopened: 0,
      members: joining.map((r) => toMember(r, at, r.card === 'posted')),
    };
    s.outages.push(opened);
    effects.push({
      type: 'outage-opened',
      outageId: id,
      site: scope,
      key,
      members: opened.members.map((m) => m.incidentId),
      retract: opened.members.filter((m) => m.hadOwnCard).map((m) => m.incidentId),
    });
    return done({ kind: 'member-of', outageId: id });
  }

  if (entry) {
    return done(
      entry.card === 'held' && entry.holdUntil !== null
        ? { kind: 'hold', until: entry.holdUntil, key: heldKey(keys, counts) }
        : { kind: 'own-card' },
    );
  }

  // New and not (yet) an outage: posted at once unless others of its site already share a key.
  let peers = 0;
  for (const key of keys) {
    const servers = counts.get(groupKeyId(key)) ?? new Set<string>();
    peers = Math.max(peers, servers.size - (servers.has(server) ? 1 : 0));
  }
  if (settings.groupWaitMs > 0 && peers >= settings.holdAtPeers) {
    current.card = 'held';
    current.holdUntil = new Date(t + settings.groupWaitMs).toISOString();
    return done({ kind: 'hold', until: current.holdUntil, key: heldKey(keys, counts) });
  }
  current.card = 'posted';
  return done({ kind: 'own-card' });
}

/** The key with the most servers: what the incident is waiting for. */
function heldKey(keys: readonly GroupKey[], counts: ReadonlyMap<string, Set<string>>): GroupKey {
  let best = keys[0] as GroupKey;
  let n = -1;
  for (const key of keys) {
    const size = counts.get(groupKeyId(key))?.size ?? 0;
    if (size > n) {
      best = key;
      n = size;
    }
  }
  return best;
}

function reopen(o: Outage, incidentId: string, at: string, effects: OutageEffect[]): void {
  if (o.status !== 'resolved') return;
  o.status = 'open';
  o.resolvedAt = null;
  o.reopened += 1;
  o.changedAt = at;
  effects.push({ type: 'outage-reopened', outageId: o.id, incidentId });
}

/**
 * Time passing: releases holds that are over (`post-own-card`) and drops what is older than the
 * window. Call it when a hold's `until` comes (a delayed job) or on a short tick. Pure.
 */
export function tickOutages(state: OutageState, settings: OutageSettings, now: Date): OutageTick {
  const s = copy(state);
  const effects = housekeep(s, settings, now.getTime());
  return { state: s, effects };
}

/**
 * A person says an incident is not part of its outage: it leaves, gets its own card, and does not
 * join again while it stays open. Pure; a no-op for an incident in no outage.
 */
export function detachFromOutage(state: OutageState, incidentId: string, now: Date): OutageStep {
  const at = now.toISOString();
  const s = copy(state);
  const effects: OutageEffect[] = [];
  const outage = s.outages.find((o) => o.members.some((m) => m.incidentId === incidentId));
  if (!outage) return { state: s, decision: { kind: 'own-card' }, effects };
  outage.members = outage.members.filter((m) => m.incidentId !== incidentId);
  outage.changedAt = at;
  s.detached = [...(s.detached ?? []), incidentId];
  effects.push({ type: 'member-left', outageId: outage.id, incidentId, reason: 'detached' });
  if (outage.members.length === 0) {
    s.outages = s.outages.filter((o) => o !== outage);
    effects.push({ type: 'outage-expired', outageId: outage.id });
  } else resolveIfDone(outage, at, effects);
  return { state: s, decision: { kind: 'own-card' }, effects };
}
