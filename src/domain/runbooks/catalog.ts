import type { LocalizedText } from './text';
import type {
  Binding,
  Condition,
  DependencyOrigin,
  Expectation,
  GotoTarget,
  StepKind,
} from './schema';

/** The merged, checked catalogue: what matching and rendering read. Built by build-catalog.ts. */

export interface Link {
  title: LocalizedText;
  url: string;
}

export interface RunbookSource {
  kind: 'seed' | 'derived' | 'operator';
  description: LocalizedText;
  links: Link[];
}

export interface RunbookInfo {
  id: string;
  title: LocalizedText;
  source: RunbookSource;
  /** The file it came from, as given to the loader (for messages). */
  file: string;
  layer: Layer;
}

/** `shipped` is runbooks/ in the package; `operator` is RUNBOOKS_DIR, which wins. */
export type Layer = 'shipped' | 'operator';

export interface HealthSetDef {
  name: string;
  description?: LocalizedText | undefined;
  verifySection: string;
  runbookId: string;
}

/** Something probes depend on (Active Directory, authentication...), by a stable id. */
export interface DependencyDef {
  id: string;
  name: LocalizedText;
  /** `seed`: named in the seed's table; `derived`: our addition. */
  origin: DependencyOrigin;
  /** Health sets that watch the dependency itself (may be empty). */
  checkHealthSets: string[];
  runbookId: string;
}

export interface ProbeDef {
  name: string;
  healthSet: string;
  /** Resolved against the catalogue's dependencies, in the source's order. */
  dependencies: DependencyDef[];
  /** Where the probe's dependency list comes from: its runbook's source kind. */
  dependenciesFrom: RunbookSource['kind'];
  runbookId: string;
}

export interface MonitorDef {
  name: string;
  healthSet: string;
  probe?: string | undefined;
  aliases: string[];
  section: string;
  runbookId: string;
}

export interface StepDef {
  id: string;
  /** "3" or "3.2": the source's numbering. */
  number: string;
  kind: StepKind;
  text: LocalizedText;
  action?: string | undefined;
  params: Record<string, Binding>;
  expect?: Expectation | undefined;
  healthSetFilter?: string | undefined;
  /** All must hold; empty means always. */
  when: Condition[];
  repeat?: { until: 'succeeded'; maxAttempts: number; intervalSeconds: number } | undefined;
  wait?: { minutes: number } | undefined;
  goto?: GotoTarget | undefined;
  notes: LocalizedText[];
  links: Link[];
  /** Added by this product, not in the source (numbered 2a, 2b after the source's step 2). */
  beyondSeed: boolean;
  /** Sub-steps run before the step's own action, if it has one. */
  steps: StepDef[];
}

export interface SectionDef {
  id: string;
  kind: 'verify' | 'recovery';
  title: LocalizedText;
  summary?: LocalizedText | undefined;
  notes: LocalizedText[];
  links: Link[];
  steps: StepDef[];
  runbookId: string;
  file: string;
  layer: Layer;
}

export interface Catalog {
  runbooks: RunbookInfo[];
  healthSets: HealthSetDef[];
  probes: ProbeDef[];
  monitors: MonitorDef[];
  dependencies: DependencyDef[];
  sections: Map<string, SectionDef>;
}

/** Every step of a section, depth first, in order. */
export function flattenSteps(steps: readonly StepDef[]): StepDef[] {
  const out: StepDef[] = [];
  for (const step of steps) {
    out.push(step);
    out.push(...flattenSteps(step.steps));
  }
  return out;
}

export function findStep(section: SectionDef, stepId: string): StepDef | undefined {
  return flattenSteps(section.steps).find((s) => s.id === stepId);
}
