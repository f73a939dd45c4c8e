import type { Actor } from '../../domain/identity/actor';
import type { Card } from '../../domain/cards/card';
import type { Incident } from '../../domain/incidents/incident';
import type { Catalog } from '../../domain/runbooks/catalog';
import type { ServerRole } from '../../domain/runbooks/schema';
import type { Lang } from '../../domain/runbooks/text';
import type {
  AccessPort,
  ApprovalsPort,
  AuditPort,
  ChecksPort,
  IncidentsPort,
  JobsPort,
  OutagesPort,
  PrefsPort,
  RemediationPort,
  WorkersPort,
} from './core-ports';
import type { ChannelRef, ChatResponse } from './ports';
import { localizeText } from '../../domain/strings';

/** What `createChatCore` is given: the runbooks, the ports, and the inventory's roles. */
export interface ChatCoreDeps {
  /** Outage mode (the outage card's buttons); absent when it is off. */
  outages?: OutagesPort;
  catalog: Catalog;
  incidents: IncidentsPort;
  remediation: RemediationPort;
  approvals: ApprovalsPort;
  access: AccessPort;
  checks: ChecksPort;
  jobs: JobsPort;
  workers: WorkersPort;
  audit: AuditPort;
  prefs: PrefsPort;
  /** Queues a redraw of an incident's card (the delivery queue): after `lang`, the open cards. */
  redraw?: (incidentId: string) => Promise<void>;
  /** Queues a redraw of the outage cards these incidents are lines on: after `lang`, too. */
  redrawOutagesOf?: (incidents: readonly Incident[]) => Promise<void>;
  rolesOf?: (server: string) => readonly ServerRole[] | null;
  clock?: () => Date;
}

/** One command or click being answered: who, where, in which language, with the core's parts. */
export interface Turn {
  deps: ChatCoreDeps;
  actor: Actor;
  channel: ChannelRef;
  /** The channel's language: its cards, the help list and check results are in it. */
  lang: Lang;
  /**
   * The language of the short answers to the person who acted (refusals, "queued", lists): the
   * channel's (`/exchange lang`), as its cards are.
   */
  answerLang: Lang;
  /** An incident's card as it is now (its run and requests read afresh). */
  incidentCard(incident: Incident, lang: Lang): Promise<Card>;
}

/** A private answer: refusals and confirmations are for the person who acted. */
export const say = (text: string): ChatResponse => ({ private: { text } });

/**
 * A refusal the rules or the run machine gave in English, as a private answer in `lang`
 * (`localizeText`).
 */
export const sayIn = (lang: Lang, text: string): ChatResponse => say(localizeText(lang, text));

/** An error's message, short enough for a chat answer. */
export function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
}
