import type { OutageState } from '../../domain/outages/outage';

/**
 * Where the outage state lives: one document per scope (a site, or `*` when outages group across
 * sites), written by compare-and-set so replicas deciding at once never lose a change.
 */
export interface OutageStateStore {
  /**
   * The scope's state (empty when none) and the version to compare against on write. The state
   * may be shared with other readers of this process: treat it as read-only (the domain's
   * functions copy before they change anything).
   */
  read(scope: string): Promise<{ state: OutageState; version: number }>;
  /** Writes if nobody changed the scope since `version`; false when the race was lost. */
  write(scope: string, state: OutageState, version: number): Promise<boolean>;
  /** Every scope with a state, for the timer (holds that end, outages that expire). */
  scopes(): Promise<string[]>;
}
