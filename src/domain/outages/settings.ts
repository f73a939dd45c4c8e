import { z } from 'zod';

/** What incidents are grouped by, besides the site (see docs/outages.md). */
export const GROUP_BY = ['dependency', 'family'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/**
 * How incidents become outages and how much remediation may run at once. Every threshold is a
 * setting; the defaults and their reasons are in docs/outages.md.
 */
export interface OutageSettings {
  /**
   * Incidents that opened within this long of each other count together toward `minServers`; an
   * outage resolved less than this long ago takes a matching incident back (a repeat) instead of
   * opening a second outage. Alertmanager's `group_interval` (5 min).
   */
  windowMs: number;
  /**
   * The longest an incident that may still join an outage waits before it gets a card of its own.
   * Alertmanager's `group_wait` (30 s).
   */
  groupWaitMs: number;
  /** Distinct servers sharing a site and a grouping key that make an outage. */
  minServers: number;
  /**
   * An incident is held (up to `groupWaitMs`) only when at least this many other servers of its
   * site already share a grouping key with it in the window; below that it is posted at once.
   * 0 holds every incident that has a grouping key (Alertmanager's behaviour).
   */
  holdAtPeers: number;
  /** The grouping keys, in order of preference when several reach `minServers`. */
  groupBy: GroupBy[];
  /** `site`: only incidents of one site group (the issue's rule); `organisation`: across sites. */
  scope: 'site' | 'organisation';
  /** Read-only checks that may run at once per site while the site has an open outage (K). */
  checksPerSite: number;
  /** Change or destructive steps that may run at once per site, outage or not (M). */
  changesPerSite: number;
  /**
   * An open outage's card is updated at most once this often on a platform with limits (its
   * first post and its end state are never held back): one card about many incidents must not
   * spend the platform's whole update budget while single incidents' cards wait. 0: no pacing.
   */
  cardUpdateMs: number;
}

const DEFAULTS: OutageSettings = {
  windowMs: 5 * 60_000,
  groupWaitMs: 30_000,
  minServers: 5,
  holdAtPeers: 1,
  groupBy: ['dependency', 'family'],
  scope: 'site',
  checksPerSite: 4,
  changesPerSite: 2,
  cardUpdateMs: 5_000,
};
export const DEFAULT_OUTAGE_SETTINGS: Readonly<OutageSettings> = Object.freeze(DEFAULTS);

const seconds = (max: number) => z.number().int().min(0).max(max);

/** The settings as an operator writes them (seconds, partial); unknown keys are refused. */
export const outageSettingsSchema = z
  .object({
    windowSeconds: seconds(24 * 3600).min(1),
    groupWaitSeconds: seconds(3600),
    minServers: z.number().int().min(2).max(10_000),
    holdAtPeers: z.number().int().min(0).max(10_000),
    groupBy: z.array(z.enum(GROUP_BY)).min(1),
    scope: z.enum(['site', 'organisation']),
    checksPerSite: z.number().int().min(1).max(1000),
    changesPerSite: z.number().int().min(1).max(1000),
    cardUpdateSeconds: seconds(300),
  })
  .partial()
  .strict();
export type OutageSettingsInput = z.input<typeof outageSettingsSchema>;

export type OutageSettingsResult =
  { ok: true; settings: OutageSettings } | { ok: false; errors: string[] };

/** Defaults overridden by what the operator gave; refuses a hold longer than the window. */
export function parseOutageSettings(input: unknown): OutageSettingsResult {
  const parsed = outageSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`),
    };
  }
  const p = parsed.data;
  const d = DEFAULT_OUTAGE_SETTINGS;
  const settings: OutageSettings = {
    windowMs: p.windowSeconds !== undefined ? p.windowSeconds * 1000 : d.windowMs,
    groupWaitMs: p.groupWaitSeconds !== undefined ? p.groupWaitSeconds * 1000 : d.groupWaitMs,
    minServers: p.minServers ?? d.minServers,
    holdAtPeers: p.holdAtPeers ?? d.holdAtPeers,
    groupBy: p.groupBy ? [...new Set(p.groupBy)] : [...d.groupBy],
    scope: p.scope ?? d.scope,
    checksPerSite: p.checksPerSite ?? d.checksPerSite,
    changesPerSite: p.changesPerSite ?? d.changesPerSite,
    cardUpdateMs: p.cardUpdateSeconds !== undefined ? p.cardUpdateSeconds * 1000 : d.cardUpdateMs,
  };
  // A hold that outlives the window would release incidents that can no longer be counted.
  if (settings.groupWaitMs > settings.windowMs) {
    return { ok: false, errors: ['groupWaitSeconds: must not be longer than windowSeconds'] };
  }
  return { ok: true, settings };
}
