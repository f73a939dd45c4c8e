import { randomUUID } from 'node:crypto';
import { componentState, findServer, sameServer, type Fault, type OrgState } from './org-state';

/**
 * State transitions Exchange would make, and the fault scenarios the POP runbook is written for.
 * Pure functions on the state; the cmdlets call them under the state-file lock.
 */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly errorId = 'Microsoft.Exchange.Management.Tasks',
  ) {
    super(message);
  }
}

export const SCENARIOS = [
  /** Everything healthy. */
  'healthy',
  /** PopDeepTestMonitor unhealthy; clears when MSExchangePOP3BE restarts. */
  'pop-backend-hung',
  /** The same for IMAP: ImapDeepTestMonitor unhealthy; clears when MSExchangeIMAP4BE restarts. */
  'imap-backend-hung',
  /** PopDeepTestMonitor unhealthy; a service restart does not help, a server restart does. */
  'pop-needs-reboot',
  /** PopDeepTestMonitor shows Unhealthy, but the fault is gone when the probe is re-run. */
  'pop-transient',
  /** PopCTPMonitor (POP) unhealthy on a Client Access server; clears when MSExchangePOP3 restarts. */
  'pop-ctp-failure',
  /**
   * AverageCommandProcessingTimeGt60sMonitor (POP) unhealthy, and its probe (PopSelfTestProbe)
   * fails; a restart of either POP3 service leaves it, so the runbook's wait finds it still there
   * and the server restart (after the failover on a Mailbox server) clears it.
   */
  'pop-command-time',
  /** PopDeepTestProbe takes `delayMs` to answer: trips the worker's per-command timeout. */
  'slow-probe',
  /** The shell process dies while PopDeepTestProbe runs. */
  'shell-crash',
  /** The next Exchange command's remote session breaks (and stays broken in that shell). */
  'session-broken',
  /**
   * Beyond the seed (the DAG safety checks): pop-needs-reboot, and no other copy of the server's
   * active databases is fit to activate (queues too long, failed, content index failed).
   */
  'dag-no-healthy-copy',
  /** pop-needs-reboot, and another member of the DAG (`member`, else the next server) is restarting. */
  'dag-member-restarting',
  /** pop-backend-hung, and Managed Availability is restarting MSExchangePOP3BE right now. */
  'ma-recovery-in-progress',
  /** pop-backend-hung on a server in maintenance (ServerWideOffline Inactive). */
  'server-in-maintenance',
  /** pop-needs-reboot on a server that is every database's preferred copy's host. */
  'fail-back-to-preferred',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  server?: string;
  /** For `dag-member-restarting`: the other member that is down. */
  member?: string;
  /** For `slow-probe`. */
  delayMs?: number;
  now?: Date;
}

const DEEP_TEST: { healthSet: string; monitor: string } = {
  healthSet: 'POP.Protocol',
  monitor: 'PopDeepTestMonitor',
};
const IMAP_DEEP_TEST = { healthSet: 'IMAP.Protocol', monitor: 'ImapDeepTestMonitor' };
const POP_CTP = { healthSet: 'POP', monitor: 'PopCTPMonitor' };
const POP_COMMAND_TIME = { healthSet: 'POP', monitor: 'AverageCommandProcessingTimeGt60sMonitor' };

export function applyScenario(state: OrgState, scenario: Scenario, options: ScenarioOptions = {}) {
  const server = findServer(state, options.server ?? state.servers[0]!.name);
  if (!server) throw new Error(`no server ${options.server} in the simulated organisation`);
  const since = (options.now ?? new Date()).toISOString();
  const fault = (error: string, clears: Fault['clears'], on = DEEP_TEST): Fault => ({
    id: randomUUID(),
    server: server.name,
    healthSet: on.healthSet,
    monitor: on.monitor,
    error,
    since,
    clears,
  });
  switch (scenario) {
    case 'healthy':
      state.faults = [];
      state.probeEffects = [];
      state.sessionBreaks = 0;
      return;
    case 'pop-backend-hung':
      state.faults.push(
        fault('PopDeepTestProbe: the POP3 backend did not answer within 60 seconds.', {
          by: 'service-restart',
          service: 'MSExchangePOP3BE',
        }),
      );
      return;
    case 'imap-backend-hung':
      state.faults.push(
        fault(
          'ImapDeepTestProbe: the IMAP4 backend did not answer within 60 seconds.',
          { by: 'service-restart', service: 'MSExchangeIMAP4BE' },
          IMAP_DEEP_TEST,
        ),
      );
      return;
    case 'pop-needs-reboot':
      state.faults.push(
        fault('PopDeepTestProbe: STAT failed: the mailbox store did not respond.', {
          by: 'server-restart',
        }),
      );
      return;
    case 'pop-transient':
      state.faults.push(
        fault('PopDeepTestProbe: connection reset by peer.', { by: 'probe-rerun' }),
      );
      return;
    case 'pop-ctp-failure':
      state.faults.push(
        fault(
          'PopCTPProbe: POP CTP probe failed: the POP3 service did not answer the LOGIN command.',
          { by: 'service-restart', service: 'MSExchangePOP3' },
          POP_CTP,
        ),
      );
      return;
    case 'pop-command-time':
      state.faults.push(
        fault(
          'PopSelfTestProbe: average POP3 command processing time above 60 seconds.',
          { by: 'server-restart' },
          POP_COMMAND_TIME,
        ),
      );
      return;
    case 'session-broken':
      state.sessionBreaks += 1;
      return;
    case 'dag-no-healthy-copy': {
      applyScenario(state, 'pop-needs-reboot', options);
      // Each passive copy of its active databases is unfit in one of the ways Move-ActiveMailboxDatabase checks.
      const unfit: Partial<OrgState['databases'][number]['copies'][number]>[] = [
        { copyQueueLength: 250 },
        { status: 'Failed' },
        { contentIndexState: 'FailedAndSuspended', replayQueueLength: 80 },
      ];
      for (const db of state.databases.filter((d) => sameServer(d.active, server.name))) {
        db.copies
          .filter((c) => !sameServer(c.server, server.name))
          .forEach((c, i) => Object.assign(c, unfit[i % unfit.length]));
      }
      return;
    }
    case 'dag-member-restarting': {
      applyScenario(state, 'pop-needs-reboot', options);
      const others = state.servers.filter((s) => !sameServer(s.name, server.name));
      const member = (options.member ? findServer(state, options.member) : undefined) ?? others[0];
      if (!member) throw new Error('a DAG member other than the server is needed');
      serverGoesDown(state, member.name);
      return;
    }
    case 'ma-recovery-in-progress': {
      applyScenario(state, 'pop-backend-hung', options);
      const at = options.now ?? new Date();
      (server.maRecoveries ??= []).push(
        {
          time: new Date(at.getTime() - 3_600_000).toISOString(),
          eventId: 500,
          action: 'RestartService',
          resource: 'MSExchangePOP3BE',
          responder: 'PopDeepTestRestart',
          state: 'Started',
          result: null,
        },
        {
          time: new Date(at.getTime() - 3_590_000).toISOString(),
          eventId: 501,
          action: 'RestartService',
          resource: 'MSExchangePOP3BE',
          responder: 'PopDeepTestRestart',
          state: 'Finished',
          result: 'Succeeded',
        },
        {
          time: new Date(at.getTime() - 60_000).toISOString(),
          eventId: 500,
          action: 'RestartService',
          resource: 'MSExchangePOP3BE',
          responder: 'PopDeepTestRestart',
          state: 'Started',
          result: null,
        },
      );
      return;
    }
    case 'server-in-maintenance':
      applyScenario(state, 'pop-backend-hung', options);
      server.components = { ...server.components, ServerWideOffline: 'Inactive' };
      return;
    case 'fail-back-to-preferred':
      applyScenario(state, 'pop-needs-reboot', options);
      for (const db of state.databases) {
        const here = db.copies.find((c) => sameServer(c.server, server.name));
        if (!here) continue;
        // This server's copy is preferred and active: the fail-back must bring it home again.
        const first = db.copies.find((c) => c.activationPreference === 1);
        if (first && first !== here) first.activationPreference = here.activationPreference;
        here.activationPreference = 1;
        db.active = server.name;
        db.mounted = true;
      }
      return;
    case 'slow-probe':
    case 'shell-crash':
      state.probeEffects.push({
        server: server.name,
        healthSet: DEEP_TEST.healthSet,
        probe: 'PopDeepTestProbe',
        delayMs: scenario === 'slow-probe' ? (options.delayMs ?? 10_000) : 0,
        crash: scenario === 'shell-crash',
      });
      return;
  }
}

/**
 * The best other copy to activate, as Move-ActiveMailboxDatabase's own checks pick it: online,
 * activation allowed, not in maintenance, Healthy, queues within Active Manager's limits (copy
 * queue < 10, replay queue < 50 logs), content index Healthy; lowest preference number first.
 */
function activationTarget(state: OrgState, db: OrgState['databases'][number], from: string) {
  return db.copies
    .filter((c) => !sameServer(c.server, from))
    .filter((c) => {
      const s = findServer(state, c.server);
      return (
        s !== undefined &&
        s.online &&
        !s.activationDisabled &&
        componentState(s, 'ServerWideOffline') === 'Active' &&
        (c.status ?? 'Healthy') === 'Healthy' &&
        !c.activationSuspended &&
        (c.copyQueueLength ?? 0) < 10 &&
        (c.replayQueueLength ?? 0) < 50 &&
        (c.contentIndexState ?? 'Healthy') === 'Healthy'
      );
    })
    .sort((a, b) => a.activationPreference - b.activationPreference)[0];
}

/**
 * Set-MailboxServer -DatabaseCopyActivationDisabledAndMoveNow $true: block activation here and
 * move every active copy to a healthy copy elsewhere now; all or nothing, as a failed move of one
 * database must not leave the operator guessing which moved.
 */
export function blockActivationAndMove(state: OrgState, serverName: string): void {
  const server = mustFind(state, serverName);
  const moves = state.databases
    .filter((db) => sameServer(db.active, server.name))
    .map((db) => {
      const target = activationTarget(state, db, server.name);
      if (!target) {
        throw new ExchangeError(
          `An Active Manager operation failed. Error: The database action failed. Error: An error occurred while trying to select a database copy for possible activation. Error: no healthy copy of database '${db.name}' is available for activation.`,
        );
      }
      return { db, target: target.server };
    });
  server.activationDisabled = true;
  for (const { db, target } of moves) {
    db.active = target;
    db.mounted = true;
  }
}

/** `$false` allows activation again; databases stay where they are until moved back. */
export function allowActivation(state: OrgState, serverName: string): void {
  mustFind(state, serverName).activationDisabled = false;
}

/** Move-ActiveMailboxDatabase -ActivateOnServer: the explicit fail back. */
export function moveActiveDatabase(state: OrgState, dbName: string, serverName: string): void {
  const db = state.databases.find((d) => d.name.toLowerCase() === dbName.toLowerCase());
  if (!db)
    throw new ExchangeError(
      `The operation couldn't be performed because object '${dbName}' couldn't be found.`,
    );
  const server = mustFind(state, serverName);
  if (!db.copies.some((c) => sameServer(c.server, server.name))) {
    throw new ExchangeError(`Database '${db.name}' has no copy on server '${server.name}'.`);
  }
  if (!server.online) throw new ExchangeError(`Server '${server.name}' is unreachable.`);
  if (server.activationDisabled) {
    throw new ExchangeError(
      `An Active Manager operation failed. Error: Database copy activation is blocked on server '${server.name}' (DatabaseCopyActivationDisabledAndMoveNow). Allow activation first.`,
    );
  }
  db.active = server.name;
  db.mounted = true;
}

/**
 * Move-ActiveMailboxDatabase -ActivatePreferredOnServer: every database whose copy on this server
 * has ActivationPreference 1 becomes active here (the end of maintenance).
 */
export function activatePreferredOnServer(state: OrgState, serverName: string): void {
  const server = mustFind(state, serverName);
  if (!server.online) throw new ExchangeError(`Server '${server.name}' is unreachable.`);
  if (server.activationDisabled) {
    throw new ExchangeError(
      `An Active Manager operation failed. Error: Database copy activation is blocked on server '${server.name}' (DatabaseCopyActivationDisabledAndMoveNow). Allow activation first.`,
    );
  }
  for (const db of state.databases) {
    const here = db.copies.find((c) => sameServer(c.server, server.name));
    if (here?.activationPreference !== 1 || sameServer(db.active, server.name)) continue;
    db.active = server.name;
    db.mounted = true;
  }
}

/**
 * First half of a restart: the server goes down; Active Manager moves its active copies to the
 * best other copy, or dismounts a database that has none; every fault on it clears.
 */
export function serverGoesDown(state: OrgState, serverName: string): void {
  const server = mustFind(state, serverName);
  server.online = false;
  for (const db of state.databases.filter((d) => sameServer(d.active, server.name))) {
    const target = activationTarget(state, db, server.name);
    if (target) {
      db.active = target.server;
      db.mounted = true;
    } else {
      db.mounted = false;
    }
  }
  // A restart clears what is on the server, not an outage of what it depends on.
  state.faults = state.faults.filter(
    (f) => !sameServer(f.server, server.name) || f.clears.by === 'dependency',
  );
  for (const key of Object.keys(server.services) as (keyof typeof server.services)[]) {
    server.services[key] = 'Running';
  }
}

/** Second half: the server is back; a database left without a mounted copy mounts here again. */
export function serverComesUp(state: OrgState, serverName: string, now: Date): void {
  const server = mustFind(state, serverName);
  server.online = true;
  server.lastBootUpTime = now.toISOString();
  for (const db of state.databases.filter((d) => sameServer(d.active, server.name))) {
    db.mounted = true;
  }
}

/** Restart-Service: clears the faults that this service's restart fixes. */
export function serviceRestarted(state: OrgState, serverName: string, service: string): void {
  const server = mustFind(state, serverName);
  state.faults = state.faults.filter(
    (f) =>
      !(
        sameServer(f.server, server.name) &&
        f.clears.by === 'service-restart' &&
        f.clears.service.toLowerCase() === service.toLowerCase()
      ),
  );
}

function mustFind(state: OrgState, name: string) {
  const server = findServer(state, name);
  if (!server) {
    throw new ExchangeError(
      `The operation couldn't be performed because object '${name}' couldn't be found on '${state.domain}'.`,
      'ManagementObjectNotFoundException',
    );
  }
  return server;
}
