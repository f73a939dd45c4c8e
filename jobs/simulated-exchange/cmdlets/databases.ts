import { sameServer } from '../org-state';
import { allowActivation, blockActivationAndMove, moveActiveDatabase } from '../scenarios';
import { readState } from '../state-store';
import type { CmdletDef } from './contract';
import { change, envOf, server } from './shared';

/** Mailbox databases and the DAG: copy status, blocking activation, moving the active copy. */
export function databaseCmdlets(): CmdletDef[] {
  return [
    {
      name: 'Get-MailboxDatabaseCopyStatus',
      scope: 'exchange',
      params: { Server: 'string', Identity: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Server), false);
        return state.databases
          .filter((db) => db.copies.some((c) => sameServer(c.server, s.name)))
          .map((db) => {
            const activeHere = sameServer(db.active, s.name);
            const status = !s.online
              ? 'ServiceDown'
              : activeHere
                ? db.mounted
                  ? 'Mounted'
                  : 'Dismounted'
                : 'Healthy';
            return {
              Name: `${db.name}\\${s.name}`,
              DatabaseName: db.name,
              Status: status,
              MailboxServer: s.name,
              ActiveDatabaseCopy: db.active.toLowerCase(),
              CopyQueueLength: 0,
              ReplayQueueLength: 0,
              ContentIndexState: s.online ? 'Healthy' : 'Unknown',
            };
          });
      },
    },
    {
      name: 'Set-MailboxServer',
      scope: 'exchange',
      params: { Identity: 'string', DatabaseCopyActivationDisabledAndMoveNow: 'bool' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        await change(envOf(ctx), (state) => {
          const id = String(a.Identity);
          if (a.DatabaseCopyActivationDisabledAndMoveNow === true)
            blockActivationAndMove(state, id);
          else if (a.DatabaseCopyActivationDisabledAndMoveNow === false) allowActivation(state, id);
        });
        return [];
      },
    },
    {
      name: 'Move-ActiveMailboxDatabase',
      scope: 'exchange',
      params: { Identity: 'string', ActivateOnServer: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        await change(envOf(ctx), (state) =>
          moveActiveDatabase(state, String(a.Identity), String(a.ActivateOnServer)),
        );
        return [];
      },
    },
  ];
}
