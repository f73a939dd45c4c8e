import type { ServerRef } from '../alerts/alert';
import { getAction } from '../actions/registry';
import { roleHolds, type BindingContext } from '../runbooks/bindings';
import type { Catalog, Link, RunbookInfo, SectionDef, StepDef } from '../runbooks/catalog';
import { flattenSteps } from '../runbooks/catalog';
import type { MatchedBy, RunbookMatch } from '../runbooks/match-runbook';
import type { Condition, ServerRole } from '../runbooks/schema';
import { buildStepCommands } from '../runbooks/step-commands';
import { DEFAULT_LANG, pickText, type Lang } from '../runbooks/text';
import { actionId, encodeActionRef, type ActionRef } from './action-ref';
import type {
  Card,
  CardAction,
  CardCommand,
  CardFact,
  CardLink,
  CardStep,
  StepState,
} from './card';
import { localizeText, plural, t } from '../strings';
import type { DagSafetyOutput } from '../safety/dag-safety';
import { buildSafetyEvidence, isSafetyCheck } from './safety-evidence';
import { clip } from '../shared/text';

/** The incident's values and what is known about the run, for one card. */
export interface RunbookCardContext extends BindingContext {
  /** The alert's monitor name as it came (may be an alias). */
  monitor?: string | null | undefined;
  matchedBy?: MatchedBy | undefined;
  runbook?: RunbookInfo | null | undefined;
  /** Shown as "Verify first" on a recovery card. */
  verifySectionId?: string | undefined;
  /** The failing monitor's recovery section: where "continue with its recovery" goes. */
  recoverySectionId?: string | undefined;
  /** Put into every button value so a click refers to one incident version. */
  incident?: { id: string; version: number } | undefined;
  /** Progress so far, by step id; steps not named are pending. */
  stepStates?: Readonly<Record<string, StepState>> | undefined;
  /** To title goto targets; without it the target's id is shown. */
  catalog?: Catalog | undefined;
  /**
   * The latest get-dag-safety result of each safety check step, by step id: shown on the step as
   * its verdict and evidence (beyond the seed).
   */
  safety?: Readonly<Record<string, DagSafetyOutput>> | undefined;
}

/** The card context for a match: the matched probe and health set, plus the incident's values. */
export function cardContextFromMatch(
  match: RunbookMatch,
  values: {
    server: ServerRef | null;
    relatedServer?: ServerRef | null | undefined;
    roles?: readonly ServerRole[] | null | undefined;
    monitor?: string | null | undefined;
    incident?: { id: string; version: number } | undefined;
    stepStates?: Readonly<Record<string, StepState>> | undefined;
    safety?: Readonly<Record<string, DagSafetyOutput>> | undefined;
  },
  catalog?: Catalog,
): RunbookCardContext {
  return {
    server: values.server,
    relatedServer: values.relatedServer ?? null,
    healthSet: match.healthSet,
    probe: match.probe ? { name: match.probe.name, healthSet: match.probe.healthSet } : null,
    roles: values.roles ?? null,
    monitor: values.monitor ?? match.monitor?.name ?? null,
    matchedBy: match.matchedBy,
    runbook: match.runbook,
    verifySectionId: match.section.kind === 'recovery' ? match.verifySection.id : undefined,
    recoverySectionId: match.monitor?.section,
    incident: values.incident,
    stepStates: values.stepStates,
    catalog,
    safety: values.safety,
  };
}

/**
 * Turns a runbook section and an incident's values into the platform-neutral card. Pure. Every
 * command comes from `buildCommand`; a step whose values are missing or invalid shows its
 * command with `<placeholders>` and offers no button.
 */
export function buildRunbookCard(
  section: SectionDef,
  context: RunbookCardContext,
  lang: Lang = DEFAULT_LANG,
): Card {
  const pick = (text: Parameters<typeof pickText>[0]) => pickText(text, lang);
  const numbers = new Map(flattenSteps(section.steps).map((s) => [s.id, s.number]));
  const base = {
    v: 1 as const,
    section: section.id,
    ...(context.incident
      ? { incident: context.incident.id, version: context.incident.version }
      : {}),
  };

  const title = pick(section.title);
  const serverText = describeServer(context.server, lang);
  const subtitle = `${context.healthSet ?? t(lang, 'card.unknown')} · ${serverText}`;

  const steps = section.steps.map((s) => renderStep(s, 0));
  const actions: CardAction[] = [];
  if (flattenCardSteps(steps).some((s) => s.kind === 'check' && s.actionable)) {
    actions.push(
      button({ ...base, op: 'run-checks' }, t(lang, 'card.button.runChecks'), 'primary'),
    );
  }
  if (context.verifySectionId !== undefined && context.verifySectionId !== section.id) {
    actions.push(
      button(
        { ...base, op: 'open-section', section: context.verifySectionId },
        t(lang, 'card.button.verifyFirst'),
        'default',
      ),
    );
  }
  const other: Lang = lang === 'en' ? 'zh-TW' : 'en';
  actions.push(
    button(
      { ...base, op: 'switch-lang', lang: other },
      t(lang, 'card.button.otherLang'),
      'default',
    ),
  );

  return {
    version: 1,
    lang,
    title,
    subtitle,
    tone:
      section.kind === 'verify'
        ? context.matchedBy === 'generic'
          ? 'attention'
          : 'info'
        : 'warning',
    fallbackText: `${title} (${subtitle})`,
    summary: section.summary ? pick(section.summary) : undefined,
    facts: facts(context, lang, serverText),
    notes: section.notes.map(pick),
    steps,
    actions,
    links: dedupeLinks([...section.links, ...(context.runbook?.source.links ?? [])], lang),
  };

  function renderStep(step: StepDef, depth: number): CardStep {
    const commands = buildStepCommands(step, context);
    const roleConditions = step.when.filter((c): c is { role: ServerRole } => 'role' in c);
    const roleFit = roleConditions.map((c) => roleHolds(c.role, context.roles));
    const notApplicable = roleFit.includes(false);
    const incomplete = commands.length > 0 && commands.every((c) => !c.complete);
    const problems = [...new Set(commands.flatMap((c) => c.problems))];

    const given = context.stepStates?.[step.id];
    const state: StepState =
      given ?? (notApplicable ? 'not-applicable' : incomplete ? 'blocked' : 'pending');
    // A step the run waits on for approval keeps its button until someone has asked (the
    // incident card removes it while a request for the step is open).
    const open =
      state === 'pending' ||
      state === 'failed' ||
      (state === 'awaiting-approval' && (step.kind === 'change' || step.kind === 'destructive'));

    const stepActions: CardAction[] = [];
    if (open) {
      const stepRef = { ...base, step: step.id };
      if (step.kind === 'manual') {
        stepActions.push(
          button({ ...stepRef, op: 'mark-done' }, t(lang, 'card.button.markDone'), 'default'),
        );
      } else if (step.kind === 'goto' && step.goto) {
        // "Continue with the failing monitor's recovery" opens that section; without a known
        // monitor there is no section to open, so no button.
        const target =
          'section' in step.goto
            ? {
                section: step.goto.section,
                ...(step.goto.server ? { server: step.goto.server } : {}),
                ...(step.goto.monitor ? { monitor: step.goto.monitor } : {}),
              }
            : context.recoverySectionId
              ? { section: context.recoverySectionId }
              : null;
        if (target)
          stepActions.push(
            button(
              { ...stepRef, op: 'open-section', ...target },
              t(lang, 'card.button.openSection'),
              'default',
            ),
          );
      } else {
        for (const c of commands.filter((x) => x.complete)) {
          const label =
            step.kind === 'check' || step.kind === 'wait'
              ? t(lang, 'card.button.runCheck')
              : t(lang, 'card.button.requestApproval');
          const ref: ActionRef = {
            ...stepRef,
            op: 'run-step',
            ...(c.role ? { role: c.role } : {}),
          };
          const text = c.role
            ? t(lang, 'card.button.withRole', { label, role: t(lang, `card.role.${c.role}`) })
            : label;
          const destructive = step.kind === 'destructive';
          stepActions.push(
            button(
              ref,
              text,
              destructive
                ? 'danger'
                : step.kind === 'check' || step.kind === 'wait'
                  ? 'default'
                  : 'primary',
              destructive
                ? {
                    title: t(lang, 'card.confirm.title'),
                    text: clip(
                      t(lang, 'card.confirm.text', { server: serverText, command: c.text }),
                      300,
                    ),
                    confirm: t(lang, 'card.confirm.confirm'),
                    deny: t(lang, 'card.confirm.deny'),
                  }
                : undefined,
            ),
          );
        }
      }
    }

    const found = context.safety?.[step.id];
    const evidence =
      found && isSafetyCheck(step.expect) ? buildSafetyEvidence(found, step.expect, lang) : null;
    return {
      id: step.id,
      number: step.number,
      depth,
      kind: step.kind,
      kindLabel: t(lang, `card.kind.${step.kind}`),
      text: pick(step.text),
      condition: describeConditions(step.when, numbers, context.roles, lang),
      timing: describeTiming(step, section, lang, pick, context),
      commands: commands.map((c): CardCommand => ({
        actionId: c.actionId,
        risk: getAction(c.actionId)?.risk ?? 'read',
        language: 'powershell',
        text: c.text,
        complete: c.complete,
        role: c.role ?? undefined,
        roleLabel: c.role ? t(lang, `card.role.${c.role}`) : undefined,
      })),
      state,
      stateLabel: t(lang, `card.state.${state}`),
      actionable: stepActions.length > 0,
      blockedReason:
        incomplete && problems.length > 0
          ? t(lang, 'card.blocked', { problems: localizeText(lang, problems.join('; ')) })
          : undefined,
      notes: step.notes.map(pick),
      links: dedupeLinks(step.links, lang),
      actions: stepActions,
      steps: step.steps.map((s) => renderStep(s, depth + 1)),
      ...(evidence ? { evidence } : {}),
    };
  }
}

function flattenCardSteps(steps: readonly CardStep[]): CardStep[] {
  return steps.flatMap((s) => [s, ...flattenCardSteps(s.steps)]);
}

function button(
  ref: ActionRef,
  label: string,
  style: CardAction['style'],
  confirm?: CardAction['confirm'],
): CardAction {
  return { id: actionId(ref), label, style, value: encodeActionRef(ref), confirm };
}

function describeServer(server: ServerRef | null, lang: Lang): string {
  if (server === null) return t(lang, 'card.unknown');
  return server.valid ? server.name : t(lang, 'card.invalidServer', { server: server.name });
}

function facts(context: RunbookCardContext, lang: Lang, serverText: string): CardFact[] {
  const out: CardFact[] = [];
  const add = (key: CardFact['key'], value: string) =>
    out.push({ key, label: t(lang, `card.fact.${key}`), value });
  const unknown = t(lang, 'card.unknown');
  add('healthSet', context.healthSet ?? unknown);
  if (context.monitor) add('monitor', context.monitor);
  if (context.probe) add('probe', `${context.probe.healthSet}\\${context.probe.name}`);
  add('server', serverText);
  if (context.relatedServer) add('relatedServer', describeServer(context.relatedServer, lang));
  add(
    'role',
    context.roles && context.roles.length > 0
      ? context.roles.map((r) => t(lang, `card.role.${r}`)).join(', ')
      : unknown,
  );
  if (context.matchedBy) add('matchedBy', t(lang, `card.matchedBy.${context.matchedBy}`));
  if (context.runbook) add('source', t(lang, `card.source.${context.runbook.source.kind}`));
  return out;
}

function describeConditions(
  when: readonly Condition[],
  numbers: ReadonlyMap<string, string>,
  roles: readonly ServerRole[] | null,
  lang: Lang,
): string | undefined {
  if (when.length === 0) return undefined;
  const parts = when.map((c) =>
    'step' in c
      ? t(lang, `card.condition.${c.outcome}`, { step: numbers.get(c.step) ?? c.step })
      : t(lang, 'card.condition.onlyRole', { role: t(lang, `card.role.${c.role}`) }),
  );
  if (when.some((c) => 'role' in c) && roles === null) {
    parts.push(t(lang, 'card.condition.roleUnknown'));
  }
  const text = parts.join(t(lang, 'card.condition.and'));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeTiming(
  step: StepDef,
  section: SectionDef,
  lang: Lang,
  pick: (text: Parameters<typeof pickText>[0]) => string,
  context: RunbookCardContext,
): string | undefined {
  const parts: string[] = [];
  if (step.wait) parts.push(plural(lang, 'card.timing.wait', step.wait.minutes));
  if (step.repeat) {
    parts.push(
      t(lang, 'card.timing.repeat', {
        seconds: step.repeat.intervalSeconds,
        times: step.repeat.maxAttempts,
      }),
    );
  }
  if (step.goto) {
    if ('monitorRecovery' in step.goto) parts.push(t(lang, 'card.timing.gotoMonitorRecovery'));
    else {
      const target = context.catalog?.sections.get(step.goto.section);
      const name = target ? pick(target.title) : step.goto.section;
      const on =
        step.goto.server === 'relatedServer'
          ? t(lang, 'card.timing.onServer', {
              server: context.relatedServer?.valid ? context.relatedServer.name : '_Mbx',
            })
          : '';
      parts.push(
        t(lang, 'card.timing.gotoSection', { title: name }) + (target === section ? '' : on),
      );
    }
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function dedupeLinks(links: readonly Link[], lang: Lang): CardLink[] {
  const seen = new Set<string>();
  const out: CardLink[] = [];
  for (const l of links) {
    if (seen.has(l.url)) continue;
    seen.add(l.url);
    out.push({ title: pickText(l.title, lang), url: l.url });
  }
  return out;
}
