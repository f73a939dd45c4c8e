import {
  componentState,
  findServer,
  sameServer,
  SERVER_COMPONENTS,
  type DatabaseCopyState,
  type DatabaseState,
  type OrgState,
} from '../org-state';
import {
  activatePreferredOnServer,
  allowActivation,
  blockActivationAndMove,
  moveActiveDatabase,
} from '../scenarios';
import { readState } from '../state-store';
import { PsError, type CmdletDef } from './contract';
import { change, envOf, server, type Row } from './shared';

/** One copy as Get-MailboxDatabaseCopyStatus prints it. */
function copyRow(state: OrgState, db: DatabaseState, c: DatabaseCopyState): Row {
  const s = findServer(state, c.server);
  const online = s?.online ?? false;
  const activeHere = sameServer(db.active, c.server);
  const status = !online
    ? 'ServiceDown'
    : activeHere
      ? db.mounted
        ? 'Mounted'
        : 'Dismounted'
      : (c.status ?? 'Healthy');
  return {
    Name: `${db.name}\\${s?.name ?? c.server}`,
    DatabaseName: db.name,
    Status: status,
    MailboxServer: s?.name ?? c.server,
    ActiveDatabaseCopy: db.active.toLowerCase(),
    ActivationPreference: c.activationPreference,
    CopyQueueLength: activeHere ? 0 : (c.copyQueueLength ?? 0),
    ReplayQueueLength: activeHere ? 0 : (c.replayQueueLength ?? 0),
    ContentIndexState: online ? (c.contentIndexState ?? 'Healthy') : 'Unknown',
    ActivationSuspended: c.activationSuspended ?? false,
  };
}

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
        if (a.Server !== undefined && a.Identity !== undefined) {
          throw new PsError(
            'Parameter set cannot be resolved using the specified named parameters.',
            'InvalidArgument',
            'AmbiguousParameterSet',
          );
        }
        if (a.Server !== undefined) {
          const s = server(state, String(a.Server), false);
          return state.databases
            .filter((db) => db.copies.some((c) => sameServer(c.server, s.name)))
            .map((db) =>
              copyRow(
                state,
                db,
                db.copies.find((c) => sameServer(c.server, s.name))!,
              ),
            );
        }
        // -Identity <database> (every copy) or <database>\<server> (one copy).
        const [dbName, serverName] = String(a.Identity ?? '').split('\\');
        const dbs =
          a.Identity === undefined
            ? state.databases
            : state.databases.filter((d) => d.name.toLowerCase() === dbName!.toLowerCase());
        if (a.Identity !== undefined && dbs.length === 0) {
          throw new PsError(
            `The operation couldn't be performed because object '${String(a.Identity)}' couldn't be found on '${state.domain}'.`,
            'NotSpecified',
            'ManagementObjectNotFoundException',
          );
        }
        return dbs.flatMap((db) =>
          db.copies
            .filter((c) => serverName === undefined || sameServer(c.server, serverName))
            .map((c) => copyRow(state, db, c)),
        );
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
      params: {
        Identity: 'string',
        ActivateOnServer: 'string',
        ActivatePreferredOnServer: 'string',
      },
      positional: ['Identity'],
      run: async (ctx, a) => {
        if (a.ActivatePreferredOnServer !== undefined) {
          if (a.Identity !== undefined || a.ActivateOnServer !== undefined) {
            throw new PsError(
              'Parameter set cannot be resolved using the specified named parameters.',
              'InvalidArgument',
              'AmbiguousParameterSet',
            );
          }
          await change(envOf(ctx), (state) =>
            activatePreferredOnServer(state, String(a.ActivatePreferredOnServer)),
          );
          return [];
        }
        await change(envOf(ctx), (state) =>
          moveActiveDatabase(state, String(a.Identity), String(a.ActivateOnServer)),
        );
        return [];
      },
    },
    {
      name: 'Get-MailboxServer',
      scope: 'exchange',
      params: { Identity: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const list =
          a.Identity === undefined ? state.servers : [server(state, String(a.Identity), false)];
        return list.map((s) => ({
          Name: s.name,
          DatabaseAvailabilityGroup: state.dagName,
          DatabaseCopyAutoActivationPolicy: 'Unrestricted',
          DatabaseCopyActivationDisabledAndMoveNow: s.activationDisabled,
        }));
      },
    },
    {
      name: 'Get-ServerComponentState',
      scope: 'exchange',
      params: { Identity: 'string', Component: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        // The states live in Active Directory and the registry: readable while the server is down.
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Identity), false);
        const fqdn = `${s.name}.${state.domain}`;
        return SERVER_COMPONENTS.filter(
          (c) => a.Component === undefined || c.toLowerCase() === String(a.Component).toLowerCase(),
        ).map((c) => ({ Identity: fqdn, Server: fqdn, Component: c, State: componentState(s, c) }));
      },
    },
  ];
}
