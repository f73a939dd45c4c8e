import { buildCommand, isActionId, type ActionId } from '../actions/registry';
import { bindParams, PLACEHOLDERS, sourcesOf, type BindingContext } from './bindings';
import type { StepDef } from './catalog';
import type { ServerRole } from './schema';

/** The PowerShell a step runs for one incident, as `buildCommand` produced it. */
export interface StepCommand {
  actionId: ActionId;
  /** Set when the value came from a role-dependent binding. */
  role: ServerRole | null;
  /** The exact command; with `<placeholders>` when `complete` is false. */
  text: string;
  /** True only when every value is present and valid: then, and only then, it may run. */
  complete: boolean;
  /** The validated parameters a job would carry (null when incomplete). */
  params: Record<string, unknown> | null;
  problems: string[];
}

/**
 * Builds a step's command for each way it can run (one, or one per role when the role is not
 * known). A missing or invalid value is never put into a command: it is replaced by a token that
 * fits the parameter's type, and the token by a `<placeholder>` in the shown text only.
 */
export function buildStepCommands(step: StepDef, ctx: BindingContext): StepCommand[] {
  if (step.action === undefined || !isActionId(step.action)) return [];
  const actionId = step.action;
  const sources = sourcesOf(step.params);
  return bindParams(step.params, ctx).map((variant) => {
    const problems = variant.missing.map((m) => `${m.param}: ${m.reason}`);
    const unusable = new Set(variant.missing.map((m) => m.param));
    if (unusable.size === 0) {
      const built = buildCommand(actionId, variant.params);
      if (built.ok) {
        return {
          actionId,
          role: variant.role,
          text: built.command,
          complete: true,
          params: built.params,
          problems,
        };
      }
      for (const e of built.errors) {
        unusable.add(e.param);
        problems.push(`${e.param}: ${e.reason}`);
      }
    }
    return {
      actionId,
      role: variant.role,
      text: placeholderText(actionId, variant.params, unusable, sources),
      complete: false,
      params: null,
      problems,
    };
  });
}

function placeholderText(
  actionId: ActionId,
  params: Record<string, unknown>,
  unusable: ReadonlySet<string>,
  sources: Record<string, keyof typeof PLACEHOLDERS>,
): string {
  const tokens = new Map<string, string>();
  const stand: Record<string, unknown> = { ...params };
  let i = 0;
  for (const param of unusable) {
    // Letters and digits only: a valid server, health set and probe name alike.
    const token = `ExchopsPlaceholder${++i}`;
    const source = sources[param];
    tokens.set(token, source ? PLACEHOLDERS[source] : `<${param}>`);
    stand[param] = token;
  }
  const built = buildCommand(actionId, stand);
  if (!built.ok) return `<${actionId}: ${[...unusable].join(', ')} missing>`;
  let text = built.command;
  for (const [token, shown] of tokens) {
    text = text.split(`'${token}'`).join(shown).split(token).join(shown);
  }
  return text;
}
