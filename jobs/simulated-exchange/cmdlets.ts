import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EXCHANGE_SERVICES } from '../../src/domain/actions/params';
import {
  PsError,
  ShellCrash,
  type Block,
  type CmdletContext,
  type CmdletDef,
  type CmdletEnv,
} from './interpreter';
import {
  findHealthSet,
  findServer,
  HEALTH_SETS,
  sameServer,
  type OrgState,
  type ProtocolSettingsState,
} from './org-state';
import {
  allowActivation,
  blockActivationAndMove,
  ExchangeError,
  moveActiveDatabase,
  serverComesUp,
  serverGoesDown,
  serviceRestarted,
} from './scenarios';
import { readState, updateState } from './state-store';

/** The cmdlets the simulator knows: session set-up, the Exchange ones our actions use, WinRM. */

type Row = Record<string, unknown>;

/** Runs an Exchange state change; Exchange's own refusals become PowerShell errors. */
async function change<T>(env: CmdletEnv, fn: (s: OrgState) => T): Promise<T> {
  try {
    return await updateState(env.stateFile, fn);
  } catch (e) {
    if (e instanceof ExchangeError) throw new PsError(e.message, 'InvalidOperation', e.errorId);
    throw e;
  }
}

function server(state: OrgState, name: string, online = true) {
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

const monitorState = (state: OrgState, serverName: string, set: string, monitor: string) =>
  state.faults.find(
    (f) => sameServer(f.server, serverName) && f.healthSet === set && f.monitor === monitor,
  );

function healthSetsFor(filter: unknown): [string, (typeof HEALTH_SETS)[string]][] {
  if (typeof filter !== 'string') return Object.entries(HEALTH_SETS);
  const found = findHealthSet(filter);
  if (!found)
    throw new PsError(
      `The health set '${filter}' was not found.`,
      'ObjectNotFound',
      'HealthSetNotFound',
    );
  return [found];
}

function protocolSettings(which: 'pop' | 'imap'): CmdletDef[] {
  const noun = which === 'pop' ? 'PopSettings' : 'ImapSettings';
  return [
    {
      name: `Get-${noun}`,
      scope: 'exchange',
      params: { Server: 'string' },
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Server));
        return [settingsRow(s.name, s[which])];
      },
    },
    {
      name: `Set-${noun}`,
      scope: 'exchange',
      params: { Server: 'string', ProtocolLogEnabled: 'bool' },
      run: async (ctx, a) => {
        const name = await change(envOf(ctx), (state) => {
          const s = server(state, String(a.Server));
          if (typeof a.ProtocolLogEnabled === 'boolean')
            s[which].protocolLogEnabled = a.ProtocolLogEnabled;
          return s.name;
        });
        const proto = which === 'pop' ? 'POP3' : 'IMAP4';
        ctx.warn(
          `Changes to ${proto} settings will only take effect after all Microsoft Exchange ${proto} services are restarted on server ${name}.`,
        );
        return [];
      },
    },
  ];
}

const settingsRow = (name: string, p: ProtocolSettingsState): Row => ({
  Server: name,
  ProtocolLogEnabled: p.protocolLogEnabled,
  LogFileLocation: p.logFileLocation,
  LogPerFileSizeQuota: p.logPerFileSizeQuota,
});

function connectivity(proto: 'POP' | 'IMAP'): CmdletDef {
  return {
    name: proto === 'POP' ? 'Test-PopConnectivity' : 'Test-ImapConnectivity',
    scope: 'exchange',
    params: { ClientAccessServer: 'string' },
    run: async (ctx, a) => {
      const state = await readState(envOf(ctx).stateFile);
      const s = server(state, String(a.ClientAccessServer));
      const fault = state.faults.find(
        (f) =>
          sameServer(f.server, s.name) &&
          f.healthSet.startsWith(proto) &&
          f.clears.by !== 'probe-rerun',
      );
      return [
        {
          ClientAccessServer: s.name,
          Scenario: proto === 'POP' ? 'Test POP3 Connectivity' : 'Test IMAP4 Connectivity',
          Result: fault ? 'Failure' : 'Success',
          Latency: fault ? '00:00:30.0000000' : '00:00:00.0420000',
          Error: fault ? fault.error : '',
        },
      ];
    },
  };
}

const envOf = (ctx: CmdletContext): CmdletEnv => ctx.env;

export function createCmdlets(): Map<string, CmdletDef> {
  const defs: CmdletDef[] = [
    // --- session set-up (the worker's pool sends these once per shell) ---
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
    // --- pipeline helpers ---
    {
      name: 'Select-Object',
      scope: 'local',
      params: { Property: 'strings' },
      positional: ['Property'],
      run: async (_ctx, a, input) => {
        const props = (a.Property as string[] | undefined) ?? [];
        return input.map((item) => {
          const row = (item ?? {}) as Row;
          const out: Row = {};
          for (const p of props) {
            const key = Object.keys(row).find((k) => k.toLowerCase() === p.toLowerCase());
            out[p] = key === undefined ? null : row[key];
          }
          return out;
        });
      },
    },
    {
      name: 'ConvertTo-Json',
      scope: 'local',
      params: { Depth: 'int', Compress: 'switch' },
      run: async (_ctx, a, input) => {
        // PowerShell: nothing in, nothing out; one object is written bare, not as an array.
        if (input.length === 0) return [];
        const data = input.length === 1 ? input[0] : input;
        return [a.Compress ? JSON.stringify(data) : JSON.stringify(data, null, 4)];
      },
    },
    { name: 'Out-Null', scope: 'local', params: {}, run: async () => [] },
    // --- Exchange (remote session) ---
    {
      name: 'Get-ServerHealth',
      scope: 'exchange',
      params: { Identity: 'string', HealthSet: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Identity));
        const rows: Row[] = [];
        for (const [set, monitors] of healthSetsFor(a.HealthSet)) {
          const setUnhealthy = monitors.some((m) => monitorState(state, s.name, set, m.name));
          for (const m of monitors) {
            const fault = monitorState(state, s.name, set, m.name);
            rows.push({
              Server: s.name,
              CurrentHealthSetState: setUnhealthy ? 'Unhealthy' : 'Healthy',
              Name: m.name,
              TargetResource: m.targetResource,
              HealthSetName: set,
              AlertValue: fault ? 'Unhealthy' : 'Healthy',
              LastTransitionTime: fault ? fault.since : s.lastBootUpTime,
              ServerComponentName: m.component,
              Identity: `${set}\\${m.name}\\${m.targetResource}`,
            });
          }
        }
        return rows;
      },
    },
    {
      name: 'Get-HealthReport',
      scope: 'exchange',
      params: { Identity: 'string', HealthSet: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Identity));
        return healthSetsFor(a.HealthSet).map(([set, monitors]) => {
          const faults = monitors
            .map((m) => monitorState(state, s.name, set, m.name))
            .filter(Boolean);
          return {
            Server: s.name,
            State: 'Online',
            HealthSet: set,
            AlertValue: faults.length > 0 ? 'Unhealthy' : 'Healthy',
            LastTransitionTime: faults[0]?.since ?? s.lastBootUpTime,
            MonitorCount: monitors.length,
          };
        });
      },
    },
    {
      name: 'Invoke-MonitoringProbe',
      scope: 'exchange',
      params: { Identity: 'string', Server: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const env = envOf(ctx);
        const [setName, probeName] = String(a.Identity).split('\\');
        const found = setName ? findHealthSet(setName) : undefined;
        const monitor = found?.[1].find(
          (m) => m.probe.toLowerCase() === (probeName ?? '').toLowerCase(),
        );
        if (!found || !monitor) {
          throw new PsError(
            `The probe '${String(a.Identity)}' was not found or cannot be run on demand.`,
            'ObjectNotFound',
            'ProbeNotFound',
          );
        }
        const set = found[0];
        const before = await readState(env.stateFile);
        const s = server(before, String(a.Server));
        const effect = before.probeEffects.find(
          (p) => sameServer(p.server, s.name) && p.healthSet === set && p.probe === monitor.probe,
        );
        const start = env.now();
        if (effect && effect.delayMs > 0) await env.sleep(effect.delayMs);
        if (effect?.crash) throw new ShellCrash(`simulated crash while running ${monitor.probe}`);
        const fault = await change(env, (state) => {
          const f = monitorState(state, s.name, set, monitor.name);
          // A transient fault is gone by the time anyone re-runs the probe.
          if (f && f.clears.by === 'probe-rerun') {
            state.faults = state.faults.filter((x) => x.id !== f.id);
            return undefined;
          }
          return f;
        });
        return [
          {
            MonitorIdentity: `${set}\\${monitor.name}\\${monitor.targetResource}`,
            RequestId: randomUUID(),
            ExecutionStartTime: start.toISOString(),
            ExecutionEndTime: env.now().toISOString(),
            Error: fault ? fault.error : '',
            Exception: '',
            ResultType: fault ? 'Failed' : 'Succeeded',
          },
        ];
      },
    },
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
    ...protocolSettings('pop'),
    ...protocolSettings('imap'),
    connectivity('POP'),
    connectivity('IMAP'),
    // --- WinRM ---
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
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
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
