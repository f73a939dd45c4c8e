import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EXCHANGE_SERVICES } from '../../../src/domain/actions/params';
import { MA_RECOVERY_LOG } from '../../../src/domain/actions/registry';
import { findServer } from '../org-state';
import { serverComesUp, serverGoesDown, serviceRestarted } from '../scenarios';
import { readState } from '../state-store';
import { PsError, type Block, type CmdletDef } from './contract';
import { change, envOf, server, type Row } from './shared';

/**
 * Servers and their Windows services over WinRM: Invoke-Command, Restart-Computer, and the
 * cmdlets a script block runs on the remote server.
 */
export function serverCmdlets(): CmdletDef[] {
  return [
    {
      name: 'Invoke-Command',
      scope: 'local',
      params: { ComputerName: 'string', ScriptBlock: 'block' },
      positional: ['ScriptBlock'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const name = String(a.ComputerName);
        const s = findServer(state, name);
        if (!s || !s.online) {
          throw new PsError(
            `[${name}] Connecting to remote server ${name} failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network.`,
            `OpenError: (${name}:String) [], PSRemotingTransportException`,
            'WinRMOperationTimeout,PSSessionStateBroken',
          );
        }
        const out = await ctx.runBlock(a.ScriptBlock as Block, s.name);
        return out.map((o) =>
          o !== null && typeof o === 'object'
            ? { ...(o as Row), PSComputerName: s.name, RunspaceId: randomUUID() }
            : o,
        );
      },
    },
    {
      name: 'Restart-Computer',
      scope: 'local',
      params: {
        ComputerName: 'string',
        Protocol: 'string',
        Force: 'switch',
        Wait: 'switch',
        For: 'string',
        Timeout: 'int',
        Delay: 'int',
      },
      run: async (ctx, a) => {
        const env = envOf(ctx);
        const name = String(a.ComputerName);
        const before = await readState(env.stateFile);
        const s = findServer(before, name);
        if (!s || !s.online) {
          throw new PsError(
            `Failed to restart the computer ${name} with the following error message: The RPC server is unavailable.`,
            `OperationStopped: (${name}:String) [Restart-Computer], InvalidOperationException`,
            'RestartcomputerFailed,Microsoft.PowerShell.Commands.RestartComputerCommand',
          );
        }
        const protocol = a.Protocol === undefined ? 'DCOM' : String(a.Protocol);
        if (!['dcom', 'wsman'].includes(protocol.toLowerCase())) {
          throw new PsError(
            `Cannot validate argument on parameter 'Protocol'. The argument "${protocol}" does not belong to the set "DCOM,WSMan" specified by the ValidateSet attribute.`,
            'InvalidData',
            'ParameterArgumentValidationError,Microsoft.PowerShell.Commands.RestartComputerCommand',
          );
        }
        // The simulated network is WinRM only, as the worker's is: DCOM (5.1's default) is blocked.
        if (protocol.toLowerCase() === 'dcom') {
          throw new PsError(
            `Failed to restart the computer ${name} with the following error message: The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)`,
            `OperationStopped: (${name}:String) [Restart-Computer], InvalidOperationException`,
            'RestartcomputerFailed,Microsoft.PowerShell.Commands.RestartComputerCommand',
          );
        }
        if (!a.Force) {
          throw new PsError(
            `Failed to restart the computer ${name}: users are logged on; use -Force.`,
            'OperationStopped',
            'RestartcomputerFailed',
          );
        }
        await change(env, (state) => serverGoesDown(state, s.name));
        await env.sleep(before.timing.rebootMs);
        await change(env, (state) => serverComesUp(state, s.name, env.now()));
        return [];
      },
    },
    // --- inside Invoke-Command only ---
    {
      name: 'Restart-Service',
      scope: 'remote',
      params: { Name: 'string', Force: 'switch' },
      positional: ['Name'],
      run: async (ctx, a) => {
        const env = envOf(ctx);
        const svc = knownService(String(a.Name));
        const state = await readState(env.stateFile);
        await env.sleep(state.timing.serviceRestartMs);
        await change(env, (st) => serviceRestarted(st, ctx.remoteServer!, svc));
        return [];
      },
    },
    {
      name: 'Get-Service',
      scope: 'remote',
      params: { Name: 'string' },
      positional: ['Name'],
      run: async (ctx, a) => {
        const svc = knownService(String(a.Name));
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, ctx.remoteServer!);
        return [{ Name: svc, Status: s.services[svc], DisplayName: svc }];
      },
    },
    {
      name: 'Get-WinEvent',
      scope: 'remote',
      params: { LogName: 'string', MaxEvents: 'int' },
      positional: ['LogName'],
      run: async (ctx, a) => {
        const log = String(a.LogName ?? '');
        if (log.toLowerCase() !== MA_RECOVERY_LOG.toLowerCase()) {
          throw new PsError(
            `There is not an event log on the ${ctx.remoteServer} computer that matches "${log}".`,
            `ObjectNotFound: (${log}:String) [Get-WinEvent], Exception`,
            'NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
          );
        }
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, ctx.remoteServer!);
        // Newest first, as Get-WinEvent reads a log.
        const events = [...(s.maRecoveries ?? [])].reverse();
        const max = typeof a.MaxEvents === 'number' ? a.MaxEvents : events.length;
        return events.slice(0, max).map((e) => ({
          TimeCreated: e.time,
          Id: e.eventId,
          ProviderName: 'Microsoft-Exchange-ManagedAvailability',
          LevelDisplayName: e.result === 'Failed' ? 'Error' : 'Information',
          Message: [
            `ActionId: ${e.action}`,
            `ResourceName: ${e.resource}`,
            `RequestorName: ${e.responder}`,
            `State: ${e.state}`,
            ...(e.result ? [`Result: ${e.result}`] : []),
          ].join('\n'),
        }));
      },
    },
    {
      name: 'Get-CimInstance',
      scope: 'local',
      params: { ClassName: 'string' },
      positional: ['ClassName'],
      run: async (ctx, a) => {
        if (String(a.ClassName).toLowerCase() !== 'win32_operatingsystem') {
          throw new PsError(
            `Invalid class "${String(a.ClassName)}"`,
            'MetadataError',
            'HRESULT 0x80041010',
          );
        }
        if (ctx.remoteServer === null) return [{ CSName: hostname(), LastBootUpTime: null }];
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, ctx.remoteServer);
        return [
          {
            CSName: s.name,
            LastBootUpTime: s.lastBootUpTime,
            Caption: 'Microsoft Windows Server 2019 Datacenter',
          },
        ];
      },
    },
  ];
}

function knownService(name: string): (typeof EXCHANGE_SERVICES)[number] {
  const svc = EXCHANGE_SERVICES.find((s) => s.toLowerCase() === name.toLowerCase());
  if (!svc) {
    throw new PsError(
      `Cannot find any service with service name '${name}'.`,
      `ObjectNotFound: (${name}:String) [Get-Service], ServiceCommandException`,
      'NoServiceFoundForGivenName',
    );
  }
  return svc;
}
