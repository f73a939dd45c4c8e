import { GENERIC_VERIFY_SECTION } from './build-catalog';
import type {
  Catalog,
  HealthSetDef,
  MonitorDef,
  ProbeDef,
  RunbookInfo,
  SectionDef,
} from './catalog';

/** How an alert or a query found its section. */
export type MatchedBy = 'monitor' | 'monitor-alias' | 'probe' | 'health-set' | 'generic';

export interface MatchInput {
  monitor?: string | null | undefined;
  probe?: string | null | undefined;
  healthSet?: string | null | undefined;
}

export interface RunbookMatch {
  matchedBy: MatchedBy;
  /** The catalogue's spelling when known, else as given (or null). */
  healthSet: string | null;
  monitor: MonitorDef | null;
  probe: ProbeDef | null;
  /** What to show: the monitor's recovery section, or a verify procedure. */
  section: SectionDef;
  /** The verify procedure that goes before any recovery. */
  verifySection: SectionDef;
  runbook: RunbookInfo | null;
  /** Other monitors of the same name in other health sets, when none was given to choose. */
  alternatives: MonitorDef[];
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function section(catalog: Catalog, id: string): SectionDef {
  const found = catalog.sections.get(id);
  // build-catalog checked every reference and the generic section, so this cannot happen.
  if (!found) throw new Error(`catalogue has no section "${id}"`);
  return found;
}

function findHealthSet(catalog: Catalog, name: string | null | undefined): HealthSetDef | null {
  if (!name) return null;
  return catalog.healthSets.find((h) => eq(h.name, name)) ?? null;
}

function runbookOf(catalog: Catalog, id: string): RunbookInfo | null {
  return catalog.runbooks.find((r) => r.id === id) ?? null;
}

function probeOf(catalog: Catalog, monitor: MonitorDef): ProbeDef | null {
  const name = monitor.probe;
  return name === undefined ? null : (catalog.probes.find((p) => eq(p.name, name)) ?? null);
}

function fromMonitor(
  catalog: Catalog,
  monitor: MonitorDef,
  matchedBy: MatchedBy,
  alternatives: MonitorDef[],
): RunbookMatch {
  const set = findHealthSet(catalog, monitor.healthSet);
  return {
    matchedBy,
    healthSet: set?.name ?? monitor.healthSet,
    monitor,
    probe: probeOf(catalog, monitor),
    section: section(catalog, monitor.section),
    verifySection: section(catalog, set?.verifySection ?? GENERIC_VERIFY_SECTION),
    runbook: runbookOf(catalog, monitor.runbookId),
    alternatives,
  };
}

/**
 * Finds the section for an alert: by monitor name or alias (case-insensitive), then by probe, then
 * by health set (its verify procedure), else the generic verify procedure. A monitor name that
 * exists in several health sets (AverageCommandProcessingTimeGt60sMonitor is in POP and IMAP) is
 * decided by the alert's health set: the monitor from the same runbook wins. Pure.
 */
export function matchRunbook(catalog: Catalog, input: MatchInput): RunbookMatch {
  const set = findHealthSet(catalog, input.healthSet);

  if (input.monitor) {
    const name = input.monitor.trim();
    const byName = catalog.monitors.filter((m) => eq(m.name, name));
    const byAlias = catalog.monitors.filter(
      (m) => !eq(m.name, name) && m.aliases.some((a) => eq(a, name)),
    );
    const matchedBy: MatchedBy = byName.length > 0 ? 'monitor' : 'monitor-alias';
    let candidates = byName.length > 0 ? byName : byAlias;
    if (set !== null && candidates.length > 0) {
      // Same health set first, then same runbook (the seed files a monitor under POP or
      // POP.Protocol inconsistently); a monitor from another family does not fit this alert.
      const sameSet = candidates.filter((m) => eq(m.healthSet, set.name));
      candidates =
        sameSet.length > 0 ? sameSet : candidates.filter((m) => m.runbookId === set.runbookId);
    }
    const [first, ...rest] = candidates;
    if (first) return fromMonitor(catalog, first, matchedBy, set === null ? rest : []);
  }

  if (input.probe) {
    const probe = catalog.probes.find((p) => eq(p.name, input.probe ?? ''));
    if (probe && (set === null || set.runbookId === probe.runbookId)) {
      // A probe feeds several monitors; the first in the table is the one it tests directly.
      const monitor = catalog.monitors.find(
        (m) => m.probe !== undefined && eq(m.probe, probe.name),
      );
      if (monitor) return { ...fromMonitor(catalog, monitor, 'probe', []), probe };
    }
  }

  if (set !== null) {
    return {
      matchedBy: 'health-set',
      healthSet: set.name,
      monitor: null,
      probe: null,
      section: section(catalog, set.verifySection),
      verifySection: section(catalog, set.verifySection),
      runbook: runbookOf(catalog, set.runbookId),
      alternatives: [],
    };
  }

  const generic = section(catalog, GENERIC_VERIFY_SECTION);
  return {
    matchedBy: 'generic',
    healthSet: input.healthSet?.trim() || null,
    monitor: null,
    probe: null,
    section: generic,
    verifySection: generic,
    runbook: runbookOf(catalog, generic.runbookId),
    alternatives: [],
  };
}

/**
 * Resolves one word typed by a person (`runbooks show <word>`): a monitor, a probe or a health set,
 * optionally written `<health set>\<monitor>` (or with `/`) to pick among same-named monitors.
 */
export function matchQuery(catalog: Catalog, query: string, healthSet?: string): RunbookMatch {
  const text = query.trim();
  const split = /^([^\\/]+)[\\/]([^\\/]+)$/.exec(text);
  const set = split?.[1] ?? healthSet;
  const name = split?.[2] ?? text;
  const match = matchRunbook(catalog, { monitor: name, probe: name, healthSet: set });
  if (match.matchedBy !== 'generic' && match.matchedBy !== 'health-set') return match;
  // Not a monitor or probe: is the word itself a health set?
  if (set === undefined && findHealthSet(catalog, name)) {
    return matchRunbook(catalog, { healthSet: name });
  }
  return match;
}
