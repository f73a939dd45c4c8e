import { LineCounter, parseDocument } from 'yaml';
import { getAction, ACTION_IDS } from '../actions/registry';
import { bindParams, SAMPLE_CONTEXT } from './bindings';
import { formatPath, type RunbookIssue } from './errors';
import {
  runbookFileSchema,
  type Condition,
  type RunbookFile,
  type StepInput,
  type StepKind,
} from './schema';

export type ParseResult = { ok: true; file: RunbookFile } | { ok: false; issues: RunbookIssue[] };

/**
 * Parses and checks one runbook file (YAML; JSON is YAML too). Pure: the caller reads the file.
 * Checks everything that one file can show on its own; references between files are checked when
 * the catalogue is built.
 */
export function parseRunbookFile(fileName: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          file: fileName,
          path: pos ? `(line ${pos.line}, column ${pos.col})` : '',
          reason: `broken YAML: ${e.message.split('\n')[0]}`,
        };
      }),
    };
  }
  const parsed = runbookFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        file: fileName,
        path: formatPath(i.path),
        reason: i.message,
      })),
    };
  }
  const issues = checkRunbookFile(fileName, parsed.data);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, file: parsed.data };
}

const RISK_OF_KIND: Partial<Record<StepKind, 'read' | 'change' | 'destructive'>> = {
  check: 'read',
  wait: 'read',
  change: 'change',
  destructive: 'destructive',
};

/** How much a step may change: a group must not claim less than its sub-steps do. */
const LEVEL: Record<StepKind, number> = {
  check: 0,
  wait: 0,
  manual: 0,
  goto: 0,
  change: 1,
  destructive: 2,
};

export function conditionsOf(when: StepInput['when']): Condition[] {
  if (when === undefined) return [];
  return Array.isArray(when) ? when : [when];
}

function checkRunbookFile(file: string, rb: RunbookFile): RunbookIssue[] {
  const issues: RunbookIssue[] = [];
  const add = (path: PropertyKey[], reason: string) =>
    issues.push({ file, path: formatPath(path), reason });

  const seen = new Map<string, string>();
  const unique = (kind: string, key: string, path: PropertyKey[]) => {
    const where = formatPath(path);
    const first = seen.get(`${kind}:${key.toLowerCase()}`);
    if (first !== undefined) add(path, `duplicate ${kind} "${key}" (first at ${first})`);
    else seen.set(`${kind}:${key.toLowerCase()}`, where);
  };
  rb.healthSets.forEach((h, i) => unique('health set', h.name, ['healthSets', i, 'name']));
  rb.probes.forEach((p, i) => unique('probe', p.name, ['probes', i, 'name']));
  rb.dependencies.forEach((d, i) => unique('dependency', d.id, ['dependencies', i, 'id']));
  rb.monitors.forEach((m, i) => {
    unique('monitor', `${m.healthSet}\\${m.name}`, ['monitors', i, 'name']);
    m.aliases.forEach((a, j) => {
      // An alias that differs only in case (POPCTPMonitor) is documentation: matching ignores case.
      if (a.toLowerCase() !== m.name.toLowerCase()) {
        unique('monitor', `${m.healthSet}\\${a}`, ['monitors', i, 'aliases', j]);
      }
    });
  });
  rb.sections.forEach((s, i) => unique('section id', s.id, ['sections', i, 'id']));

  rb.sections.forEach((section, si) => {
    // Steps seen so far in this section, in the order they run (sub-steps before their parent's
    // own action), so a condition can only look back.
    const earlier = new Map<string, StepInput>();
    const walk = (steps: StepInput[], path: PropertyKey[], ancestors: Set<string>) => {
      steps.forEach((step, i) => {
        const here = [...path, i];
        unique('step id', step.id, [...here, 'id']);
        checkStep(step, here, earlier, ancestors, add);
        if (step.steps) walk(step.steps, [...here, 'steps'], new Set([...ancestors, step.id]));
        earlier.set(step.id, step);
      });
    };
    walk(section.steps, ['sections', si, 'steps'], new Set());
  });
  return issues;
}

function checkStep(
  step: StepInput,
  path: PropertyKey[],
  earlier: ReadonlyMap<string, StepInput>,
  ancestors: ReadonlySet<string>,
  add: (path: PropertyKey[], reason: string) => void,
): void {
  const isGroup = (step.steps?.length ?? 0) > 0;
  const hasAction = step.action !== undefined;

  if (step.kind === 'goto' && !step.goto) add([...path, 'goto'], 'a goto step needs a goto target');
  if (step.kind !== 'goto' && step.goto) add([...path, 'goto'], 'only a goto step has a target');
  if (step.kind === 'wait' && !step.wait) add([...path, 'wait'], 'a wait step needs { minutes }');
  if (step.kind !== 'wait' && step.wait) add([...path, 'wait'], 'only a wait step waits');
  if ((step.kind === 'goto' || step.kind === 'manual') && hasAction) {
    add([...path, 'action'], `a ${step.kind} step runs no action`);
  }
  if ((step.kind === 'change' || step.kind === 'destructive') && !hasAction && !isGroup) {
    add([...path, 'action'], `a ${step.kind} step needs an action`);
  }

  if (hasAction) {
    const action = getAction(step.action ?? '');
    if (!action) {
      add([...path, 'action'], `unknown action "${step.action}" (known: ${ACTION_IDS.join(', ')})`);
    } else {
      const wanted = RISK_OF_KIND[step.kind];
      if (wanted !== undefined && action.risk !== wanted) {
        add(
          [...path, 'kind'],
          `kind "${step.kind}" needs a ${wanted} action, but "${action.id}" is ${action.risk}`,
        );
      }
      // Bind sample values and let the action's own schema judge: a binding of the wrong type,
      // an unknown parameter or a missing one is refused here, not when an alert comes in.
      for (const variant of bindParams(step.params ?? {}, SAMPLE_CONTEXT)) {
        const parsed = action.params.safeParse(variant.params);
        if (!parsed.success) {
          for (const i of parsed.error.issues) {
            const param = i.path.length > 0 ? String(i.path[0]) : '';
            add(
              param ? [...path, 'params', param] : [...path, 'params'],
              `does not fit action "${action.id}"${variant.role ? ` (role ${variant.role})` : ''}: ${i.message}`,
            );
          }
        }
      }
    }
  } else if (step.params) {
    add([...path, 'params'], 'parameters need an action');
  }

  if (
    step.expect !== undefined &&
    !(hasAction && (step.kind === 'check' || step.kind === 'wait'))
  ) {
    add(
      [...path, 'expect'],
      'only a check or wait step that runs an action has an expected result',
    );
  }
  if (step.healthSetFilter !== undefined && step.expect !== 'healthy') {
    add([...path, 'healthSetFilter'], 'only applies to expect: healthy');
  }
  if (step.repeat !== undefined && step.expect === undefined) {
    add([...path, 'repeat'], 'repeat needs an expected result to repeat until');
  }

  conditionsOf(step.when).forEach((c, i) => {
    if (!('step' in c)) return;
    const where = Array.isArray(step.when)
      ? [...path, 'when', i, 'step']
      : [...path, 'when', 'step'];
    if (c.step === step.id || ancestors.has(c.step)) {
      add(where, `"${c.step}" has not run yet when this step runs`);
      return;
    }
    const target = earlier.get(c.step);
    if (!target) {
      add(where, `no earlier step "${c.step}" in this section`);
    } else if (c.outcome !== 'done' && target.expect === undefined) {
      add(where, `step "${c.step}" has no expected result, so it cannot have ${c.outcome}`);
    }
  });

  if (isGroup) {
    const max = Math.max(...(step.steps ?? []).map((s) => LEVEL[s.kind]));
    if (LEVEL[step.kind] < max) {
      add([...path, 'kind'], `kind "${step.kind}" understates its sub-steps (they change state)`);
    }
  }
}
