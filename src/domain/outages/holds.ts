import type { Risk } from '../actions/registry';
import type { Lang } from '../runbooks/text';
import type { Outage } from './outage';
import { OUTAGE_LABELS } from './outage-labels';
import type { OutageSettings } from './settings';

/** A step someone wants to run now, or one already running (from the run store). */
export interface ActionSlot {
  incidentId: string;
  /** The run step (`<run>:<section>:<step>`), for naming what holds a change back. */
  stepKey: string;
  /** The action's title as the card shows it ("Restart a service"). */
  title: string;
  server: string;
  site: string;
  /** From the inventory (`dagFor`); null when the server is in no DAG or none is known. */
  dag: string | null;
  risk: Risk;
}

/** Why a step may not start now; `text` is the sentence the card shows. */
export type Hold =
  | { kind: 'outage-member'; outageId: string; text: string }
  | { kind: 'site-changes'; site: string; limit: number; blockers: string[]; text: string }
  | { kind: 'dag-destructive'; dag: string; blockers: string[]; text: string }
  | { kind: 'site-checks'; site: string; limit: number; text: string };

export interface HoldContext {
  /** The open outage the step's incident is a member of, if any. */
  memberOf: Outage | null;
  /** The outage's name as its card shows it (its top likely cause). */
  cause: string;
  /**
   * The outage's dependency checks ran and came back healthy, or a person released the hold with
   * a reason (audited by the caller): member changes may go ahead, within the blast radius.
   */
  released: boolean;
  /** Does the step's site have an open outage (any, not only this incident's)? */
  siteHasOutage: boolean;
}

const isChange = (risk: Risk) => risk === 'change' || risk === 'destructive';

/**
 * Whether a step may start now, and if not, every reason. Pure; the caller reads what runs from its
 * store, and must decide and record the start atomically (a lease per site) so two replicas never
 * both admit the last slot.
 *
 * - During an outage, a member incident's change steps are held until the dependency checks
 *   cleared them (or a person released them): a restart cannot fix a shared dependency.
 * - The blast radius applies always: at most `changesPerSite` changes at once per site, and never
 *   two destructive changes in one DAG at once (a DAG must keep copies to fail over to).
 * - Read-only checks always run, but at most `checksPerSite` at once per site while the site has
 *   an outage, so the bot does not add a probe storm to a struggling site.
 */
export function holdsFor(
  step: ActionSlot,
  running: readonly ActionSlot[],
  ctx: HoldContext,
  settings: Pick<OutageSettings, 'changesPerSite' | 'checksPerSite'>,
  lang: Lang,
): Hold[] {
  const L = OUTAGE_LABELS[lang].hold;
  const others = running.filter((r) => r.stepKey !== step.stepKey);
  const named = (rs: readonly ActionSlot[]) => rs.map((r) => L.runningChange(r.title, r.server));
  const holds: Hold[] = [];

  if (!isChange(step.risk)) {
    const checks = others.filter((r) => r.site === step.site && r.risk === 'read');
    if (ctx.siteHasOutage && checks.length >= settings.checksPerSite) {
      holds.push({
        kind: 'site-checks',
        site: step.site,
        limit: settings.checksPerSite,
        text: L.siteChecks(step.site, settings.checksPerSite),
      });
    }
    return holds;
  }

  if (ctx.memberOf && ctx.memberOf.status === 'open' && !ctx.released) {
    holds.push({
      kind: 'outage-member',
      outageId: ctx.memberOf.id,
      text: L.outageMember(ctx.cause),
    });
  }
  const siteChanges = others.filter((r) => r.site === step.site && isChange(r.risk));
  if (siteChanges.length >= settings.changesPerSite) {
    const blockers = named(siteChanges);
    holds.push({
      kind: 'site-changes',
      site: step.site,
      limit: settings.changesPerSite,
      blockers,
      text: L.siteChanges(step.site, settings.changesPerSite, blockers.join(', ')),
    });
  }
  if (step.risk === 'destructive' && step.dag !== null) {
    const inDag = others.filter((r) => r.dag === step.dag && r.risk === 'destructive');
    if (inDag.length > 0) {
      const blockers = named(inDag);
      holds.push({
        kind: 'dag-destructive',
        dag: step.dag,
        blockers,
        text: L.dagDestructive(step.dag, blockers.join(', ')),
      });
    }
  }
  return holds;
}

/** The sentence a card shows for a held step: every reason, in order. */
export function describeHolds(holds: readonly Hold[]): string {
  return holds.map((h) => h.text).join(' ');
}
