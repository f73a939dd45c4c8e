import { quotePs } from './quote';
import { buildCommand, type ActionDefinition, type ActionId, type ParamError } from './registry';

/**
 * The script the worker runs for an action. The bot shows `command`; the worker runs `script`;
 * both come from one `buildCommand` call, so what a person approved is what runs.
 *
 * Shapes (always one line: node-powershell feeds the shell through `-Command -`, where a
 * multi-line statement would need a blank line to end it):
 * - a read (either transport):
 *   `<command> | Select-Object -Property A,B | ConvertTo-Json -Depth 4 -Compress`
 * - a change: `<command> -ErrorAction Stop; <script of the read that shows the state afterwards>`.
 *   `-ErrorAction Stop` makes a failure script-terminating, so the read never runs after a failed
 *   change and the error text reaches stderr (node-powershell then throws).
 */
export const JSON_TAIL = '| ConvertTo-Json -Depth 4 -Compress';

export interface FollowUp {
  actionId: ActionId;
  params: Record<string, unknown>;
}

/** For each change, the read whose output is the change's structured result. */
export const AFTER_CHANGE: Partial<Record<ActionId, (p: Record<string, unknown>) => FollowUp>> = {
  'set-pop-protocol-log': (p) => ({ actionId: 'get-pop-settings', params: { server: p.server } }),
  'set-imap-protocol-log': (p) => ({ actionId: 'get-imap-settings', params: { server: p.server } }),
  'move-active-databases-off': (p) => ({
    actionId: 'get-mailbox-database-copy-status',
    params: { server: p.server },
  }),
  'allow-database-activation': (p) => ({
    actionId: 'get-mailbox-database-copy-status',
    params: { server: p.server },
  }),
  'move-active-database': (p) => ({
    actionId: 'get-mailbox-database-copy-status',
    params: { server: p.server },
  }),
  'move-preferred-databases-back': (p) => ({
    actionId: 'get-mailbox-database-copy-status',
    params: { server: p.server },
  }),
  'restart-service': (p) => ({
    actionId: 'get-service-status',
    params: { server: p.server, service: p.service },
  }),
  'restart-server': (p) => ({ actionId: 'get-boot-time', params: { server: p.server } }),
};

export type BuildScriptResult =
  | {
      ok: true;
      actionId: ActionId;
      action: ActionDefinition;
      params: Record<string, unknown>;
      /** What a person sees and approves. */
      command: string;
      /** What the worker runs. */
      script: string;
      /** The read that reports a change's outcome, if any. */
      followUp: FollowUp | null;
    }
  | { ok: false; errors: ParamError[] };

function readScript(command: string, action: ActionDefinition): string {
  if (!action.select || action.select.length === 0) {
    throw new Error(`read action ${action.id} has no select list`);
  }
  // Property names are registry constants, but quoted all the same: a bare `A,B` list is valid
  // PowerShell that tree-sitter-powershell misparses, and the proof needs an unambiguous parse.
  return `${command} | Select-Object -Property ${action.select.map(quotePs).join(',')} ${JSON_TAIL}`;
}

export function buildScript(actionId: string, params: unknown): BuildScriptResult {
  const built = buildCommand(actionId, params);
  if (!built.ok) return built;
  const id = built.action.id as ActionId;
  if (built.action.risk === 'read') {
    return {
      ok: true,
      actionId: id,
      action: built.action,
      params: built.params,
      command: built.command,
      script: readScript(built.command, built.action),
      followUp: null,
    };
  }
  const after = AFTER_CHANGE[id];
  if (!after) throw new Error(`change action ${id} has no follow-up read`);
  const followUp = after(built.params);
  const read = buildCommand(followUp.actionId, followUp.params);
  // The follow-up's parameters come from already-validated ones; failing here is a registry bug.
  if (!read.ok) throw new Error(`follow-up of ${id} refused: ${JSON.stringify(read.errors)}`);
  return {
    ok: true,
    actionId: id,
    action: built.action,
    params: built.params,
    command: built.command,
    script: `${built.command} -ErrorAction Stop; ${readScript(read.command, read.action)}`,
    followUp,
  };
}
