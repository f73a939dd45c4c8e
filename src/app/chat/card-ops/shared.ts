import type { ServerRef } from '../../../domain/alerts/alert';
import type { Incident } from '../../../domain/incidents/incident';
import { findStep, type SectionDef, type StepDef } from '../../../domain/runbooks/catalog';
import { t } from '../../../domain/strings';
import type { StepAddress } from '../core-ports';
import { say, sayIn, type Turn } from '../core-context';
import type { ChatResponse } from '../ports';
import type { CardClick } from './types';

/** The answer, with the card it came from redrawn as it is now (when it is an incident's). */
export async function redraw(
  click: CardClick,
  turn: Turn,
  response: ChatResponse,
): Promise<ChatResponse> {
  const { incident } = click;
  if (!incident) return response;
  const fresh = (await turn.deps.incidents.get(incident.id)) ?? incident;
  return { ...response, updatedCard: await turn.incidentCard(fresh, turn.lang) };
}

/** The refusal when this person may not run read-only checks on the server, else null. */
export async function readDenied(turn: Turn, server: string): Promise<ChatResponse | null> {
  const access = await turn.deps.access.mayRunRead(turn.actor, server);
  return access.allowed ? null : sayIn(turn.answerLang, access.reason);
}

/** What a run-checks, run-step or mark-done button acts on: an open incident's section. */
export type RunTarget =
  | { ok: true; incident: Incident; server: ServerRef; section: SectionDef }
  | { ok: false; response: ChatResponse };

export function runTarget(click: CardClick, turn: Turn): RunTarget {
  const { incident, ref } = click;
  const { answerLang } = turn;
  const no = (text: string): RunTarget => ({ ok: false, response: say(text) });
  if (!incident) return no(t(answerLang, 'chat.run.noIncident'));
  if (incident.status === 'resolved')
    return no(t(answerLang, 'chat.run.resolved', { id: incident.id }));
  if (!incident.actionable || !incident.server) {
    return no(t(answerLang, 'chat.run.noServer', { id: incident.id }));
  }
  const section = turn.deps.catalog.sections.get(ref.section);
  if (!section) return no(t(answerLang, 'chat.section.none', { section: ref.section }));
  return { ok: true, incident, server: incident.server, section };
}

/** A run-step or mark-done button's step, with its address for the remediation port. */
export type StepTarget =
  | {
      ok: true;
      incident: Incident;
      server: ServerRef;
      section: SectionDef;
      step: StepDef;
      address: StepAddress;
    }
  | { ok: false; response: ChatResponse };

export function stepTarget(click: CardClick, turn: Turn): StepTarget {
  const target = runTarget(click, turn);
  if (!target.ok) return target;
  const { ref } = click;
  const step = ref.step ? findStep(target.section, ref.step) : undefined;
  if (!step) return { ok: false, response: say(t(turn.answerLang, 'chat.step.gone')) };
  const address: StepAddress = {
    incidentId: target.incident.id,
    sectionId: target.section.id,
    stepId: step.id,
    role: ref.role,
    actor: turn.actor,
  };
  return { ...target, step, address };
}
