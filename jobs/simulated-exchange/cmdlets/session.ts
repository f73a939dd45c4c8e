import { findServer } from '../org-state';
import { readState } from '../state-store';
import { PsError, type CmdletDef } from './contract';
import { envOf } from './shared';

/** Session set-up: the worker's pool sends these once per shell. */
export function sessionCmdlets(): CmdletDef[] {
  return [
    {
      name: 'New-PSSession',
      scope: 'local',
      params: {
        ConfigurationName: 'string',
        ConnectionUri: 'string',
        Authentication: 'string',
        Credential: 'any',
      },
      run: async (ctx, a) => {
        if (String(a.ConfigurationName).toLowerCase() !== 'microsoft.exchange') {
          throw new PsError(
            'The simulator serves only the Microsoft.Exchange configuration.',
            'OpenError',
            'PSSessionOpenFailed',
          );
        }
        let host: string;
        try {
          host = new URL(String(a.ConnectionUri)).hostname;
        } catch {
          throw new PsError(
            `Cannot bind parameter 'ConnectionUri'. Cannot convert value "${String(a.ConnectionUri)}" to type "System.Uri".`,
            'InvalidArgument',
            'CannotConvertArgumentNoMessage',
          );
        }
        const state = await readState(envOf(ctx).stateFile);
        const s = findServer(state, host);
        if (!s || !s.online) {
          throw new PsError(
            `[${host}] Connecting to remote server ${host} failed with the following error message : WinRM cannot complete the operation.`,
            'OpenError: (System.Manageme....RemoteRunspace:RemoteRunspace) [New-PSSession], PSRemotingTransportException',
            'WinRMOperationTimeout,PSSessionOpenFailed',
          );
        }
        return [
          {
            kind: 'PSSession',
            ComputerName: s.name,
            ConfigurationName: 'Microsoft.Exchange',
            State: 'Opened',
            // A reboot of the endpoint server breaks the session; the boot time tells.
            BootTime: s.lastBootUpTime,
          },
        ];
      },
    },
    {
      name: 'Import-PSSession',
      scope: 'local',
      params: { Session: 'any', DisableNameChecking: 'switch', AllowClobber: 'switch' },
      positional: ['Session'],
      run: async (ctx, a) => {
        const session = a.Session as {
          kind?: string;
          ComputerName?: string;
          BootTime?: string;
        } | null;
        if (!session || session.kind !== 'PSSession') {
          throw new PsError(
            "Cannot validate argument on parameter 'Session'. The argument is null.",
            'InvalidData',
            'ParameterArgumentValidationError',
          );
        }
        ctx.session.exchangeImported = true;
        ctx.session.endpoint = {
          server: session.ComputerName ?? '',
          bootTime: session.BootTime ?? '',
        };
        return [{ Name: 'tmp_exchange', ModuleType: 'Script', ExportedCommands: '{...}' }];
      },
    },
    {
      name: 'Remove-PSSession',
      scope: 'local',
      params: { Session: 'any' },
      positional: ['Session'],
      run: async (ctx) => {
        ctx.session.exchangeImported = false;
        return [];
      },
    },
  ];
}
