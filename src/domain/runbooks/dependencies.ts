import type { Catalog, DependencyDef } from './catalog';
import { matchRunbook, type MatchInput } from './match-runbook';

/**
 * What an alert's probe depends on, from the runbook data: the matched monitor's probe (or the
 * probe given), in the source's order. Empty when only the health set is known (which of its
 * probes failed is not) or the probe depends on nothing. Pure.
 */
export function dependenciesOf(catalog: Catalog, input: MatchInput): DependencyDef[] {
  const match = matchRunbook(catalog, input);
  return match.probe?.dependencies ?? [];
}

/** The catalogue's dependency with this id (case-insensitive). */
export function findDependency(catalog: Catalog, id: string): DependencyDef | undefined {
  const lower = id.toLowerCase();
  return catalog.dependencies.find((d) => d.id === lower);
}
