import { findServer, type OrgState } from '../org-state';
import { ExchangeError } from '../scenarios';
import { updateState } from '../state-store';
import { PsError, type CmdletContext, type CmdletEnv } from './contract';

// Helpers the cmdlet families share: the state file, server look-up, Exchange's refusals.

/** One object a cmdlet writes to the pipeline. */
export type Row = Record<string, unknown>;

/** Runs an Exchange state change; Exchange's own refusals become PowerShell errors. */
export async function change<T>(env: CmdletEnv, fn: (s: OrgState) => T): Promise<T> {
  try {
    return await updateState(env.stateFile, fn);
  } catch (e) {
    if (e instanceof ExchangeError) throw new PsError(e.message, 'InvalidOperation', e.errorId);
    throw e;
  }
}

/** The server named, as Exchange finds it; with `online`, it must also be up. */
export function server(state: OrgState, name: string, online = true) {
  const s = findServer(state, name);
  if (!s) {
    throw new PsError(
      `The operation couldn't be performed because object '${name}' couldn't be found on '${state.domain}'.`,
      'NotSpecified: (:) [], ManagementObjectNotFoundException',
      'ManagementObjectNotFoundException',
    );
  }
  if (online && !s.online) {
    throw new PsError(
      `The RPC server is unavailable on '${s.name}'.`,
      'ResourceUnavailable',
      'ServerUnavailable',
    );
  }
  return s;
}

export const envOf = (ctx: CmdletContext): CmdletEnv => ctx.env;
