import type { Outage } from './outage';

/** A dependency the members' failing probes share, with how many share it. */
export interface LikelyCause {
  dependencyId: string;
  /** Members whose probe depends on it. */
  members: number;
  servers: number;
  /** `members` over all members, 0..1. */
  share: number;
  sharedByAll: boolean;
}

/**
 * The likely causes of an outage: the dependencies of its members' probes, ranked by how many
 * members share them (then servers; then the outage's own key; then the runbook's order, which
 * lists the most basic dependency first). A dependency only one member has is no shared cause.
 * Pure.
 */
export function likelyCauses(outage: Outage): LikelyCause[] {
  const members = new Map<string, number>();
  const servers = new Map<string, Set<string>>();
  const order = new Map<string, number>();
  for (const m of outage.members) {
    m.dependencies.forEach((id, i) => {
      members.set(id, (members.get(id) ?? 0) + 1);
      const set = servers.get(id) ?? new Set<string>();
      set.add(m.server);
      servers.set(id, set);
      // The best position any member's list gives it.
      order.set(id, Math.min(order.get(id) ?? Number.MAX_SAFE_INTEGER, i));
    });
  }
  const total = outage.members.length;
  const keyId = outage.key.kind === 'dependency' ? outage.key.id : null;
  return [...members.entries()]
    .filter(([, n]) => n >= 2 || total === 1)
    .map(([id, n]) => ({
      dependencyId: id,
      members: n,
      servers: servers.get(id)?.size ?? 0,
      share: total === 0 ? 0 : n / total,
      sharedByAll: n === total,
    }))
    .sort(
      (a, b) =>
        b.members - a.members ||
        b.servers - a.servers ||
        Number(b.dependencyId === keyId) - Number(a.dependencyId === keyId) ||
        (order.get(a.dependencyId) ?? 0) - (order.get(b.dependencyId) ?? 0) ||
        a.dependencyId.localeCompare(b.dependencyId),
    );
}
