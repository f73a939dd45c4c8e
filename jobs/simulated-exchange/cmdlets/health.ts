import { randomUUID } from 'node:crypto';
import {
  allHealthSets,
  findHealthSet,
  HEALTH_SETS,
  sameServer,
  type MonitorDef,
  type OrgState,
} from '../org-state';
import { readState } from '../state-store';
import { PsError, ShellCrash, type CmdletDef } from './contract';
import { change, envOf, server, type Row } from './shared';

const monitorState = (state: OrgState, serverName: string, set: string, monitor: string) =>
  state.faults.find(
    (f) => sameServer(f.server, serverName) && f.healthSet === set && f.monitor === monitor,
  );

/**
 * The monitors to report for a set on a server: the modelled ones, or for a dependency's set
 * (none modelled) the monitors its faults name.
 */
function monitorsOf(state: OrgState, serverName: string, set: string, modelled: MonitorDef[]) {
  if (modelled.length > 0) return modelled;
  return state.faults
    .filter((f) => sameServer(f.server, serverName) && f.healthSet === set)
    .map((f): MonitorDef => ({
      name: f.monitor,
      probe: '',
      targetResource: set,
      component: 'None',
    }));
}

function healthSetsFor(filter: unknown): [string, MonitorDef[]][] {
  if (typeof filter !== 'string') return allHealthSets();
  const found = findHealthSet(filter);
  if (!found)
    throw new PsError(
      `The health set '${filter}' was not found.`,
      'ObjectNotFound',
      'HealthSetNotFound',
    );
  return [found];
}

/** Managed Availability: health sets, their monitors, and probes run on demand (Exchange session). */
export function healthCmdlets(): CmdletDef[] {
  return [
    {
      name: 'Get-ServerHealth',
      scope: 'exchange',
      params: { Identity: 'string', HealthSet: 'string' },
      positional: ['Identity'],
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Identity));
        const rows: Row[] = [];
        for (const [set, modelled] of healthSetsFor(a.HealthSet)) {
          const monitors = monitorsOf(state, s.name, set, modelled);
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
        return healthSetsFor(a.HealthSet).map(([set, modelled]) => {
          const monitors = monitorsOf(state, s.name, set, modelled);
          const faults = monitors
            .map((m) => monitorState(state, s.name, set, m.name))
            .filter(Boolean);
          return {
            Server: s.name,
            State: 'Online',
            HealthSet: set,
            AlertValue: faults.length > 0 ? 'Unhealthy' : 'Healthy',
            LastTransitionTime: faults[0]?.since ?? s.lastBootUpTime,
            // A dependency's set: how many monitors it has is not modelled.
            MonitorCount: modelled.length > 0 ? modelled.length : null,
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
        // A probe feeds every monitor that names it, in any health set: PopSelfTestProbe (in
        // POP.Protocol) also feeds POP's AverageCommandProcessingTimeGt60sMonitor, so a fault on
        // that monitor makes the re-run probe fail as it would on a real server.
        const fed = Object.entries(HEALTH_SETS).flatMap(([name, monitors]) =>
          monitors.filter((m) => m.probe === monitor.probe).map((m) => [name, m.name] as const),
        );
        const fault = await change(env, (state) => {
          const f = fed
            .map(([fedSet, fedMonitor]) => monitorState(state, s.name, fedSet, fedMonitor))
            .find((x) => x !== undefined);
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
  ];
}
