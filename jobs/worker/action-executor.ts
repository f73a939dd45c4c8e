import type { ActionId } from '../../src/domain/actions';

/** What running one action on a shell produced. */
export interface ExecutionResult {
  ok: boolean;
  parsed?: unknown;
  /** Everything the shell printed, in full. */
  raw: string;
  error?: string;
  timedOut?: boolean;
}

/**
 * Runs one validated action. In production: the node-powershell pool (jobs/powershell); in tests
 * and the demo: the same pool driving the simulated Exchange shell.
 */
export interface ActionExecutor {
  run(actionId: ActionId, params: Record<string, unknown>): Promise<ExecutionResult>;
  close(): Promise<void>;
}
