import type { Catalog } from '../runbooks/catalog';
import { likelyCauses } from './causes';
import type { Outage } from './outage';

/** Dependency checks offered for at most this many causes: the card stays short. */
export const MAX_CHECKED_CAUSES = 3;

export interface DependencyCheckPlan {
  /** The affected server that stands for all: the point is the dependency, not each server. */
  server: string;
  /**
   * Per likely cause, in rank order, the health sets read for it: `[null]` is one read of the
   * whole server, `[]` none (no health set watches it while others' do: see `reads`).
   */
  causes: { dependencyId: string; healthSets: (string | null)[] }[];
  /** What one click runs: each health set once; `null` reads the whole server. */
  reads: (string | null)[];
  /**
   * Whether the reads, all healthy, release the held changes by themselves: only when they cover
   * every checked cause and the outage's own key. Otherwise they are evidence for a person, who
   * releases with a reason.
   */
  autoRelease: boolean;
  /** The checked causes nothing reads (no health set watches them). */
  unread: string[];
}

/**
 * The read-only checks of an outage's likely causes, for the card and its button alike. A cause
 * whose dependency names health sets (`checkHealthSets`) reads those. When no checked cause has
 * any, one read of the whole server stands in. When some do, a cause without is not read: the
 * whole server is Unhealthy during the outage (its failing probes), so that read could never
 * come back healthy; but then the reads release nothing by themselves (`autoRelease`), since a
 * likely cause went unchecked. Pure.
 */
export function planDependencyChecks(
  outage: Outage,
  catalog: Pick<Catalog, 'dependencies'>,
): DependencyCheckPlan | null {
  const sample = outage.members.find((m) => m.status === 'open') ?? outage.members[0];
  if (!sample) return null;
  const checked = likelyCauses(outage)
    .slice(0, MAX_CHECKED_CAUSES)
    .map((cause) => ({
      dependencyId: cause.dependencyId,
      sets: catalog.dependencies.find((d) => d.id === cause.dependencyId)?.checkHealthSets ?? [],
    }));
  if (checked.length === 0) return null;
  const anySets = checked.some((c) => c.sets.length > 0);
  const causes = checked.map((c) => ({
    dependencyId: c.dependencyId,
    healthSets: anySets ? [...c.sets] : [null],
  }));
  const reads = [...new Set(causes.flatMap((c) => c.healthSets))];
  const unread = causes.filter((c) => c.healthSets.length === 0).map((c) => c.dependencyId);
  const key = outage.key.kind === 'dependency' ? outage.key.id : null;
  const keyRead = key === null || causes.some((c) => c.dependencyId === key && c.healthSets.length);
  return {
    server: sample.server,
    causes,
    reads,
    autoRelease: unread.length === 0 && keyRead,
    unread,
  };
}
