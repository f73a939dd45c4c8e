import type {
  Catalog,
  DependencyDef,
  HealthSetDef,
  Layer,
  MonitorDef,
  ProbeDef,
  RunbookInfo,
  SectionDef,
  StepDef,
} from './catalog';
import { formatPath, type RunbookIssue } from './errors';
import { conditionsOf } from './parse-runbook-file';
import type { RunbookFile, SectionInput, StepInput } from './schema';
import type { LocalizedText } from './text';

/** A parsed file and the layer it came from. Operator files are given after shipped ones. */
export interface LayeredFile {
  file: string;
  layer: Layer;
  runbook: RunbookFile;
}

export type BuildResult = { ok: true; catalog: Catalog } | { ok: false; issues: RunbookIssue[] };

/** The section every unknown health set falls back to; the catalogue must have it. */
export const GENERIC_VERIFY_SECTION = 'generic-verify';

interface Placed<T> {
  value: T;
  file: string;
  layer: Layer;
  path: PropertyKey[];
}

/**
 * Merges parsed files into one catalogue. Within a layer every name and id is unique; an operator
 * definition replaces the shipped one with the same key (runbook id, health set name, probe name,
 * monitor health set + name, section id). Then every reference is checked against the merged result.
 * Pure.
 */
export function buildCatalog(files: readonly LayeredFile[]): BuildResult {
  const issues: RunbookIssue[] = [];
  const add = (at: { file: string; path: PropertyKey[] }, reason: string) =>
    issues.push({ file: at.file, path: formatPath(at.path), reason });

  const runbooks = new Map<string, Placed<RunbookInfo>>();
  const healthSets = new Map<string, Placed<HealthSetDef>>();
  type RawProbe = Omit<ProbeDef, 'dependencies'> & {
    dependencies: RunbookFile['probes'][number]['dependencies'];
  };
  const probes = new Map<string, Placed<RawProbe>>();
  const dependencies = new Map<string, Placed<DependencyDef>>();
  const monitors = new Map<string, Placed<MonitorDef>>();
  const sections = new Map<string, Placed<SectionInput & { runbookId: string }>>();

  const put = <T>(
    map: Map<string, Placed<T>>,
    key: string,
    what: string,
    placed: Placed<T>,
  ): void => {
    const existing = map.get(key.toLowerCase());
    if (existing && existing.layer === placed.layer) {
      add(placed, `duplicate ${what} (also in ${existing.file} at ${formatPath(existing.path)})`);
      return;
    }
    map.set(key.toLowerCase(), placed);
  };

  for (const { file, layer, runbook: rb } of files) {
    const existing = runbooks.get(rb.id);
    if (existing && existing.layer === layer) {
      add({ file, path: ['id'] }, `duplicate runbook id "${rb.id}" (also in ${existing.file})`);
      continue;
    }
    // An operator file with a shipped runbook's id replaces its title and source; its health
    // sets, probes, monitors and sections merge by key like any other operator file's.
    runbooks.set(rb.id, {
      value: { id: rb.id, title: rb.title, source: rb.source, file, layer },
      file,
      layer,
      path: ['id'],
    });
    const at = (path: PropertyKey[]) => ({ file, layer, path });
    rb.healthSets.forEach((h, i) =>
      put(healthSets, h.name, `health set "${h.name}"`, {
        value: { ...h, runbookId: rb.id },
        ...at(['healthSets', i, 'name']),
      }),
    );
    rb.probes.forEach((p, i) =>
      put(probes, p.name, `probe "${p.name}"`, {
        value: { ...p, dependenciesFrom: rb.source.kind, runbookId: rb.id },
        ...at(['probes', i, 'name']),
      }),
    );
    rb.dependencies.forEach((d, i) =>
      put(dependencies, d.id, `dependency "${d.id}"`, {
        value: { ...d, runbookId: rb.id },
        ...at(['dependencies', i, 'id']),
      }),
    );
    rb.monitors.forEach((m, i) =>
      put(monitors, `${m.healthSet}\\${m.name}`, `monitor "${m.name}" in ${m.healthSet}`, {
        value: { ...m, runbookId: rb.id },
        ...at(['monitors', i, 'name']),
      }),
    );
    rb.sections.forEach((s, i) =>
      put(sections, s.id, `section id "${s.id}"`, {
        value: { ...s, runbookId: rb.id },
        ...at(['sections', i, 'id']),
      }),
    );
  }

  // References, checked against the merged catalogue.
  const hasSet = (name: string) => healthSets.has(name.toLowerCase());
  const monitorNames = new Set<string>();
  for (const m of monitors.values()) {
    for (const n of [m.value.name, ...m.value.aliases]) monitorNames.add(n.toLowerCase());
  }
  for (const h of healthSets.values()) {
    const target = sections.get(h.value.verifySection);
    const at = { file: h.file, path: [...h.path.slice(0, -1), 'verifySection'] };
    if (!target) add(at, `no section "${h.value.verifySection}"`);
    else if (target.value.kind !== 'verify') {
      add(at, `section "${h.value.verifySection}" is not a verify section`);
    }
  }
  const probeDefs: ProbeDef[] = [];
  const adHoc = new Map<string, DependencyDef>();
  for (const p of probes.values()) {
    if (!hasSet(p.value.healthSet)) {
      add(
        { file: p.file, path: [...p.path.slice(0, -1), 'healthSet'] },
        `no health set "${p.value.healthSet}"`,
      );
    }
    const resolved: DependencyDef[] = [];
    p.value.dependencies.forEach((entry, j) => {
      if (typeof entry === 'string') {
        const def = dependencies.get(entry.toLowerCase());
        if (def) resolved.push(def.value);
        else {
          add(
            { file: p.file, path: [...p.path.slice(0, -1), 'dependencies', j] },
            `no dependency "${entry}" (define it under dependencies:)`,
          );
        }
        return;
      }
      resolved.push(byName(entry, p.value, dependencies, adHoc));
    });
    probeDefs.push({ ...p.value, dependencies: resolved });
  }
  for (const m of monitors.values()) {
    const base = m.path.slice(0, -1);
    if (!hasSet(m.value.healthSet)) {
      add({ file: m.file, path: [...base, 'healthSet'] }, `no health set "${m.value.healthSet}"`);
    }
    if (m.value.probe !== undefined && !probes.has(m.value.probe.toLowerCase())) {
      add({ file: m.file, path: [...base, 'probe'] }, `no probe "${m.value.probe}"`);
    }
    if (!sections.has(m.value.section)) {
      add({ file: m.file, path: [...base, 'section'] }, `no section "${m.value.section}"`);
    }
  }
  const stepIds = new Map<string, string>();
  for (const s of sections.values()) {
    const walk = (steps: StepInput[], path: PropertyKey[]) => {
      steps.forEach((step, i) => {
        const here = [...path, i];
        const first = stepIds.get(step.id);
        if (first !== undefined) {
          add(
            { file: s.file, path: [...here, 'id'] },
            `duplicate step id "${step.id}" (also in ${first})`,
          );
        } else stepIds.set(step.id, `${s.file} section ${s.value.id}`);
        if (step.goto && 'section' in step.goto) {
          if (!sections.has(step.goto.section)) {
            add(
              { file: s.file, path: [...here, 'goto', 'section'] },
              `goto to nowhere: no section "${step.goto.section}"`,
            );
          }
          if (step.goto.monitor && !monitorNames.has(step.goto.monitor.toLowerCase())) {
            add(
              { file: s.file, path: [...here, 'goto', 'monitor'] },
              `no monitor "${step.goto.monitor}"`,
            );
          }
        }
        if (step.steps) walk(step.steps, [...here, 'steps']);
      });
    };
    walk(s.value.steps, [...s.path.slice(0, -1), 'steps']);
  }
  if (!sections.has(GENERIC_VERIFY_SECTION)) {
    issues.push({
      file: '(catalogue)',
      path: '',
      reason: `no section "${GENERIC_VERIFY_SECTION}": unknown health sets need it`,
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  const sectionDefs = new Map<string, SectionDef>();
  for (const s of sections.values()) {
    sectionDefs.set(s.value.id, {
      id: s.value.id,
      kind: s.value.kind,
      title: s.value.title,
      summary: s.value.summary,
      notes: s.value.notes ?? [],
      links: s.value.links ?? [],
      steps: toStepDefs(s.value.steps, ''),
      runbookId: s.value.runbookId,
      file: s.file,
      layer: s.layer,
    });
  }
  return {
    ok: true,
    catalog: {
      runbooks: [...runbooks.values()].map((r) => r.value),
      healthSets: [...healthSets.values()].map((h) => h.value),
      probes: probeDefs,
      monitors: [...monitors.values()].map((m) => m.value),
      dependencies: [...[...dependencies.values()].map((d) => d.value), ...adHoc.values()],
      sections: sectionDefs,
    },
  };
}

/**
 * The older form of a probe dependency, a name: the defined dependency with that English name, or
 * one of its own (id from the name), shared by every probe that names it the same way.
 */
function byName(
  name: LocalizedText,
  probe: { runbookId: string; dependenciesFrom: ProbeDef['dependenciesFrom'] },
  defined: ReadonlyMap<string, Placed<DependencyDef>>,
  adHoc: Map<string, DependencyDef>,
): DependencyDef {
  const en = name.en.trim().toLowerCase();
  for (const d of defined.values()) {
    if (d.value.name.en.trim().toLowerCase() === en) return d.value;
  }
  const id = dependencyIdFromName(name.en);
  const existing = adHoc.get(id);
  if (existing) return existing;
  const made: DependencyDef = {
    id,
    name,
    origin: probe.dependenciesFrom === 'seed' ? 'seed' : 'derived',
    checkHealthSets: [],
    runbookId: probe.runbookId,
  };
  adHoc.set(id, made);
  return made;
}

/** "Mailbox Server Authentication" -> "mailbox-server-authentication" (an id, see idSchema). */
export function dependencyIdFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug === '' ? 'dependency' : slug;
}

function toStepDefs(steps: StepInput[], prefix: string): StepDef[] {
  // Steps beyond the seed keep the seed's numbering intact: after seed step 2 they are 2a, 2b.
  let seen = 0;
  let extra = 0;
  return steps.map((s) => {
    if (s.beyondSeed) extra += 1;
    else {
      seen += 1;
      extra = 0;
    }
    const number = s.beyondSeed
      ? `${prefix}${seen}${String.fromCharCode(96 + Math.min(extra, 26))}`
      : `${prefix}${seen}`;
    return {
      id: s.id,
      number,
      kind: s.kind,
      text: s.text,
      action: s.action,
      params: s.params ?? {},
      expect: s.expect,
      healthSetFilter: s.healthSetFilter,
      when: conditionsOf(s.when),
      repeat: s.repeat,
      wait: s.wait,
      goto: s.goto,
      notes: s.notes ?? [],
      links: s.links ?? [],
      beyondSeed: s.beyondSeed === true,
      steps: toStepDefs(s.steps ?? [], `${number}.`),
    };
  });
}
