import type { ServerRef } from '../alerts/alert';
import type { Actor } from '../identity/actor';
import type { Catalog, ServerRole } from '../runbooks';
import type { RemediationRun } from './run';

/** What every function of the run machine is given besides the run. */
export interface MachineContext {
  catalog: Catalog;
  now: Date;
  /** RUNBOOK_WAIT_SECONDS: when set, every wait and repeat interval lasts this long. */
  waitSeconds: number | null;
  /** The roles of a server from the inventory (null: unknown). */
  rolesOf: (server: ServerRef | null) => ServerRole[] | null;
}

export type RunEffect =
  | {
      type: 'enqueue';
      stepKey: string;
      actionId: string;
      params: Record<string, unknown>;
      jobId: string;
      delayMs: number;
      /** Who pressed Run; absent when the run started it by itself. */
      actor?: Actor;
    }
  | { type: 'timer'; stepKey: string; jobId: string; delayMs: number }
  | { type: 'withdraw'; requestId: string; reason: string };

/** The run's next version and the effects to carry out once it is committed. */
export interface Transition {
  run: RemediationRun;
  effects: RunEffect[];
}

/** Why a person's click changed nothing. */
export type Refusal = { ok: false; reason: string };
