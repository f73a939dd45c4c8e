import { EXCHANGE_SERVICES, type ExchangeService } from '../../src/domain/actions/params';

/**
 * The simulated organisation, kept in a JSON state file that every simulator shell shares.
 * Health is derived: a monitor is Unhealthy while a fault on it is active; faults clear as the
 * runbook expects (a service restart, a server restart, or by themselves before verification).
 */
export const STATE_MARKER = 'exchange-chatops-simulator';

export type Role = 'Mailbox' | 'ClientAccess';
export type ServiceState = 'Running' | 'Stopped';

export interface ProtocolSettingsState {
  protocolLogEnabled: boolean;
  logFileLocation: string;
  logPerFileSizeQuota: string;
}

export interface ServerState {
  name: string;
  site: string;
  roles: Role[];
  online: boolean;
  lastBootUpTime: string;
  /** Set-MailboxServer -DatabaseCopyActivationDisabledAndMoveNow. */
  activationDisabled: boolean;
  services: Record<ExchangeService, ServiceState>;
  pop: ProtocolSettingsState;
  imap: ProtocolSettingsState;
  /** Set-ServerComponentState: components not listed are Active. */
  components?: Record<string, 'Active' | 'Inactive' | 'Draining'>;
  /** Microsoft-Exchange-ManagedAvailability/RecoveryActionResults, oldest first. */
  maRecoveries?: MaRecoveryEvent[];
}

/** The components Get-ServerComponentState lists (Exchange 2016/2019). */
export const SERVER_COMPONENTS = [
  'ServerWideOffline',
  'HubTransport',
  'FrontendTransport',
  'Monitoring',
  'RecoveryActionsEnabled',
  'AutoDiscoverProxy',
  'ActiveSyncProxy',
  'EcpProxy',
  'EwsProxy',
  'ImapProxy',
  'OabProxy',
  'OwaProxy',
  'PopProxy',
  'PushNotificationsProxy',
  'RpsProxy',
  'RwsProxy',
  'RpcProxy',
  'UMCallRouter',
  'XropProxy',
  'HttpProxyAvailabilityGroup',
  'ForwardSyncDaemon',
  'ProvisioningRps',
  'MapiProxy',
  'EdgeTransport',
  'HighAvailability',
  'SharedCache',
  'MailboxDeliveryProxy',
  'RoutingUpdates',
  'RestProxy',
  'DefaultProxy',
  'Lsass',
  'RoutingService',
  'E4EProxy',
  'CafeLAMv2',
  'LogExportProvider',
] as const;

export function componentState(server: ServerState, component: string): string {
  const found = Object.entries(server.components ?? {}).find(
    ([k]) => k.toLowerCase() === component.toLowerCase(),
  );
  return found ? found[1] : 'Active';
}

export interface DatabaseCopyState {
  server: string;
  activationPreference: number;
  // The passive copy's health as Get-MailboxDatabaseCopyStatus shows it (absent: healthy).
  copyQueueLength?: number;
  replayQueueLength?: number;
  contentIndexState?: string;
  /** A passive copy's own Status instead of Healthy (e.g. Failed, Suspended). */
  status?: string;
  /** Suspend-MailboxDatabaseCopy -ActivationOnly. */
  activationSuspended?: boolean;
}

/** One RecoveryActionResults event of Managed Availability, as the server's log holds it. */
export interface MaRecoveryEvent {
  time: string;
  eventId: number;
  action: string;
  resource: string;
  responder: string;
  state: 'Started' | 'Finished';
  result: 'Succeeded' | 'Failed' | null;
}

export interface DatabaseState {
  name: string;
  copies: DatabaseCopyState[];
  /** Server holding the active copy. */
  active: string;
  mounted: boolean;
}

/** How a fault goes away. */
export type FaultClears =
  | { by: 'service-restart'; service: ExchangeService }
  | { by: 'server-restart' }
  /** Already gone when the probe is re-run: the verify step finds it transient. */
  | { by: 'probe-rerun' }
  /** Outside the server (Active Directory, the network): nothing done on it clears it. */
  | { by: 'dependency' };

export interface Fault {
  id: string;
  server: string;
  healthSet: string;
  monitor: string;
  error: string;
  since: string;
  clears: FaultClears;
}

export interface ProbeEffect {
  server: string;
  healthSet: string;
  probe: string;
  delayMs: number;
  crash: boolean;
}

export interface OrgState {
  marker: typeof STATE_MARKER;
  version: 1;
  domain: string;
  dagName: string;
  servers: ServerState[];
  databases: DatabaseState[];
  faults: Fault[];
  /**
   * Probes that misbehave: take `delayMs` before answering (trips the per-command timeout), or
   * kill the shell process (`crash`), as a broken remote session can.
   */
  probeEffects: ProbeEffect[];
  /** The next this-many Exchange cmdlet calls find their shell's remote session broken. */
  sessionBreaks: number;
  timing: { rebootMs: number; serviceRestartMs: number };
}

export interface MonitorDef {
  name: string;
  probe: string;
  targetResource: string;
  component: string;
}

/** The health sets the POP and IMAP runbooks deal with (Exchange 2013+ names). */
export const HEALTH_SETS: Record<string, MonitorDef[]> = {
  POP: [
    {
      name: 'PopCTPMonitor',
      probe: 'PopCTPProbe',
      targetResource: 'MSExchangePOP3',
      component: 'PopProxy',
    },
    {
      name: 'AverageCommandProcessingTimeGt60sMonitor',
      probe: 'PopSelfTestProbe',
      targetResource: 'MSExchangePOP3',
      component: 'PopProxy',
    },
  ],
  'POP.Protocol': [
    {
      name: 'PopDeepTestMonitor',
      probe: 'PopDeepTestProbe',
      targetResource: 'MSExchangePOP3BE',
      component: 'None',
    },
    {
      name: 'PopSelfTestMonitor',
      probe: 'PopSelfTestProbe',
      targetResource: 'MSExchangePOP3BE',
      component: 'None',
    },
  ],
  'POP.Proxy': [
    {
      name: 'PopProxyTestMonitor',
      probe: 'PopProxyTestProbe',
      targetResource: 'MSExchangePOP3',
      component: 'PopProxy',
    },
  ],
  IMAP: [
    {
      name: 'ImapCTPMonitor',
      probe: 'ImapCTPProbe',
      targetResource: 'MSExchangeIMAP4',
      component: 'ImapProxy',
    },
  ],
  'IMAP.Protocol': [
    {
      name: 'ImapDeepTestMonitor',
      probe: 'ImapDeepTestProbe',
      targetResource: 'MSExchangeIMAP4BE',
      component: 'None',
    },
    {
      name: 'ImapSelfTestMonitor',
      probe: 'ImapSelfTestProbe',
      targetResource: 'MSExchangeIMAP4BE',
      component: 'None',
    },
  ],
  'IMAP.Proxy': [
    {
      name: 'ImapProxyTestMonitor',
      probe: 'ImapProxyTestProbe',
      targetResource: 'MSExchangeIMAP4',
      component: 'ImapProxy',
    },
  ],
};

/**
 * Health sets that watch what the protocols depend on, as Microsoft's "Exchange 2013 Management
 * Pack Health Sets" list names them (the shipped runbooks' `checkHealthSets`). Their monitors are
 * not modelled (Microsoft's AD, Network and Store pages name none): a fault on the set, whatever
 * its monitor, makes it Unhealthy, and Get-ServerHealth lists the faults' monitors.
 */
export const DEPENDENCY_HEALTH_SETS: readonly string[] = [
  'AD',
  'Network',
  'Store',
  'DataProtection',
];

/** A health set by name, any case: its modelled monitors (none for a dependency's set). */
export function findHealthSet(name: string): [string, MonitorDef[]] | undefined {
  const key = Object.keys(HEALTH_SETS).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key !== undefined) return [key, HEALTH_SETS[key]!];
  const dep = DEPENDENCY_HEALTH_SETS.find((k) => k.toLowerCase() === name.toLowerCase());
  return dep === undefined ? undefined : [dep, []];
}

/** Every health set a server reports: the protocols' and the dependencies'. */
export function allHealthSets(): [string, MonitorDef[]][] {
  return [
    ...Object.entries(HEALTH_SETS),
    ...DEPENDENCY_HEALTH_SETS.map((k): [string, MonitorDef[]] => [k, []]),
  ];
}

const short = (name: string): string => (name.split('.')[0] ?? name).toLowerCase();

export function findServer(state: OrgState, name: string): ServerState | undefined {
  return state.servers.find((s) => short(s.name) === short(name));
}

export function sameServer(a: string, b: string): boolean {
  return short(a) === short(b);
}

export interface DemoOptions {
  domain?: string;
  /** Mailbox servers (all also ClientAccess, as in Exchange 2016/2019). */
  servers?: { name: string; site: string }[];
  databases?: number;
  now?: Date;
  timing?: Partial<OrgState['timing']>;
}

/**
 * A demo organisation: four mailbox servers in two sites, one DAG, each database with a copy on
 * every server, active copies spread round-robin, everything healthy.
 */
export function createDemoOrg(options: DemoOptions = {}): OrgState {
  const now = (options.now ?? new Date()).toISOString();
  const servers = options.servers ?? [
    // Lower-case: the bot's inventory spells site names so (see inventoryOf).
    { name: 'EX01', site: 'site-a' },
    { name: 'EX02', site: 'site-a' },
    { name: 'EX03', site: 'site-b' },
    { name: 'EX04', site: 'site-b' },
  ];
  const settings = (proto: string): ProtocolSettingsState => ({
    protocolLogEnabled: false,
    logFileLocation: `C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Logging\\${proto}`,
    logPerFileSizeQuota: '10 MB (10,485,760 bytes)',
  });
  const count = options.databases ?? 4;
  const databases: DatabaseState[] = [];
  for (let d = 0; d < count; d++) {
    const active = servers[d % servers.length]!.name;
    databases.push({
      name: `DB${String(d + 1).padStart(2, '0')}`,
      copies: servers.map((s, i) => ({
        server: s.name,
        activationPreference: ((i - (d % servers.length) + servers.length) % servers.length) + 1,
      })),
      active,
      mounted: true,
    });
  }
  return {
    marker: STATE_MARKER,
    version: 1,
    domain: options.domain ?? 'contoso.com',
    dagName: 'DAG01',
    servers: servers.map((s) => ({
      name: s.name,
      site: s.site,
      roles: ['Mailbox', 'ClientAccess'],
      online: true,
      lastBootUpTime: now,
      activationDisabled: false,
      services: Object.fromEntries(EXCHANGE_SERVICES.map((n) => [n, 'Running'])) as Record<
        ExchangeService,
        ServiceState
      >,
      pop: settings('Pop3'),
      imap: settings('Imap4'),
    })),
    databases,
    faults: [],
    probeEffects: [],
    sessionBreaks: 0,
    timing: { rebootMs: 300, serviceRestartMs: 20, ...options.timing },
  };
}

/**
 * The organisation as the bot's inventory file (INVENTORY_FILE) describes it: its sites, each
 * server's FQDN and roles. The demo hands it to the bot and the worker, so that jobs go to the
 * site a server is in and the cards know its roles, as in a real installation.
 */
export function inventoryOf(state: OrgState): {
  sites: Record<string, { servers: { name: string; fqdn: string; roles: Role[] }[] }>;
} {
  const sites: Record<string, { servers: { name: string; fqdn: string; roles: Role[] }[] }> = {};
  for (const s of state.servers) {
    const site = (sites[s.site] ??= { servers: [] });
    site.servers.push({
      name: s.name,
      fqdn: `${s.name}.${state.domain}`.toLowerCase(),
      roles: [...s.roles],
    });
  }
  return { sites };
}

export function isOrgState(data: unknown): data is OrgState {
  return (
    data !== null &&
    typeof data === 'object' &&
    (data as { marker?: unknown }).marker === STATE_MARKER &&
    (data as { version?: unknown }).version === 1
  );
}
