import type { ActionId } from '../../src/domain/actions';
import type { PowerShellPool } from '../powershell';
import type { ActionExecutor, ExecutionResult } from './action-executor';

/** The production executor: the node-powershell pool (real Exchange, or the simulator in tests). */
export function createPoolExecutor(pool: PowerShellPool): ActionExecutor {
  return {
    async run(actionId: ActionId, params: Record<string, unknown>): Promise<ExecutionResult> {
      const r = await pool.run(actionId, params as never);
      return {
        ok: r.status === 'succeeded',
        raw: r.raw,
        ...(r.output === null ? {} : { parsed: r.output }),
        ...(r.status === 'succeeded' ? {} : { error: r.error ?? r.status }),
        ...(r.status === 'timed-out' ? { timedOut: true } : {}),
      };
    },
    close: () => pool.close(),
  };
}
