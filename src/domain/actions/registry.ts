import { z } from 'zod';
import {
  databaseName,
  failoverSeal,
  healthSetName,
  logCount,
  probeName,
  serverName,
  serviceName,
} from './params';
import { psBool, quotePs } from './quote';

/**
 * The typed actions: the only way anything reaches PowerShell. The bot renders `command` to show
 * a person what will run; the worker builds the same text from the same definition to run it. A
 * job carries an action id and parameters, never command text.
 */
export type Risk = 'read' | 'change' | 'destructive';

/** How a command is executed by the worker: inside the remote Exchange Management Shell session,
 * or over plain WinRM (the Exchange endpoint is restricted and has no Restart-* cmdlets). */
export type Transport = 'exchange' | 'winrm';

export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  risk: Risk;
  transport: Transport;
  params: S;
  /** The command as an admin would type it (shown on cards and approval requests). */
  command: (p: z.output<S>) => string;
  /** Properties to select for structured output; the worker appends `Select-Object | ConvertTo-Json`. */
  select?: readonly string[];
  /**
   * A read the worker answers with several typed reads (src/domain/safety/plan.ts) instead of
   * this one command alone; `command` is the first of them, the one shown on the card.
   */
  gather?: 'dag-safety';
}

const define = <S extends z.ZodType>(def: ActionDefinition<S>): ActionDefinition<S> => def;

/** The copy fields every copy-status read selects (Get-MailboxDatabaseCopyStatus output). */
export const COPY_STATUS_FIELDS = [
  'DatabaseName',
  'Status',
  'MailboxServer',
  'ActiveDatabaseCopy',
  'CopyQueueLength',
  'ReplayQueueLength',
  'ContentIndexState',
] as const;

/** The Managed Availability log whose events say what MA's responders did, and how it ended. */
export const MA_RECOVERY_LOG = 'Microsoft-Exchange-ManagedAvailability/RecoveryActionResults';
/** How many of its newest events a read takes (the parser keeps those of the last hours). */
export const MA_RECOVERY_EVENTS = 50;

const SERVER_HEALTH_FIELDS = [
  'Server',
  'CurrentHealthSetState',
  'Name',
  'TargetResource',
  'HealthSetName',
  'AlertValue',
  'LastTransitionTime',
  'ServerComponentName',
] as const;

export const ACTIONS = {
  'get-server-health': define({
    id: 'get-server-health',
    title: 'Get server health',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName, healthSet: healthSetName.optional() }).strict(),
    command: (p) =>
      `Get-ServerHealth -Identity ${quotePs(p.server)}` +
      (p.healthSet ? ` -HealthSet ${quotePs(p.healthSet)}` : ''),
    select: SERVER_HEALTH_FIELDS,
  }),
  'invoke-monitoring-probe': define({
    id: 'invoke-monitoring-probe',
    title: 'Re-run a probe',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName, healthSet: healthSetName, probe: probeName }).strict(),
    command: (p) =>
      `Invoke-MonitoringProbe -Identity ${quotePs(`${p.healthSet}\\${p.probe}`)} -Server ${quotePs(p.server)}`,
    select: [
      'MonitorIdentity',
      'RequestId',
      'ExecutionStartTime',
      'ExecutionEndTime',
      'Error',
      'Exception',
      'ResultType',
    ],
  }),
  'get-health-report': define({
    id: 'get-health-report',
    title: 'Get health report',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName, healthSet: healthSetName.optional() }).strict(),
    command: (p) =>
      `Get-HealthReport -Identity ${quotePs(p.server)}` +
      (p.healthSet ? ` -HealthSet ${quotePs(p.healthSet)}` : ''),
    select: ['Server', 'State', 'HealthSet', 'AlertValue', 'LastTransitionTime', 'MonitorCount'],
  }),
  'get-mailbox-database-copy-status': define({
    id: 'get-mailbox-database-copy-status',
    title: 'Get database copy status',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Get-MailboxDatabaseCopyStatus -Server ${quotePs(p.server)}`,
    select: COPY_STATUS_FIELDS,
  }),
  // --- Beyond the seed: the DAG and Managed Availability evidence of the safety checks. ---
  'get-database-copies': define({
    id: 'get-database-copies',
    title: 'Get the status of every copy of a database',
    risk: 'read',
    transport: 'exchange',
    // Names no server: the worker runs it only as part of get-dag-safety, for that server's site.
    params: z.object({ database: databaseName }).strict(),
    // -Identity <database> alone returns every copy of it (Get-MailboxDatabaseCopyStatus docs).
    command: (p) => `Get-MailboxDatabaseCopyStatus -Identity ${quotePs(p.database)}`,
    select: [...COPY_STATUS_FIELDS, 'ActivationSuspended'],
  }),
  'get-server-component-state': define({
    id: 'get-server-component-state',
    title: 'Get the server component states (maintenance)',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Get-ServerComponentState -Identity ${quotePs(p.server)}`,
    select: ['Identity', 'Component', 'State'],
  }),
  'get-mailbox-server': define({
    id: 'get-mailbox-server',
    title: 'Get the database activation policy of a mailbox server',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Get-MailboxServer -Identity ${quotePs(p.server)}`,
    select: [
      'Name',
      'DatabaseAvailabilityGroup',
      'DatabaseCopyAutoActivationPolicy',
      'DatabaseCopyActivationDisabledAndMoveNow',
    ],
  }),
  'get-managed-availability-recoveries': define({
    id: 'get-managed-availability-recoveries',
    title: 'Get what Managed Availability recovered lately',
    risk: 'read',
    // Get-WinEvent is not in the Exchange endpoint; it runs on the server over WinRM.
    transport: 'winrm',
    params: z.object({ server: serverName }).strict(),
    // -ErrorAction SilentlyContinue: Get-WinEvent reports an empty log as an error.
    command: (p) =>
      `Invoke-Command -ComputerName ${quotePs(p.server)} -ScriptBlock { Get-WinEvent -LogName ${quotePs(MA_RECOVERY_LOG)} -MaxEvents ${MA_RECOVERY_EVENTS} -ErrorAction SilentlyContinue }`,
    select: ['TimeCreated', 'Id', 'ProviderName', 'Message'],
  }),
  'get-dag-safety': define({
    id: 'get-dag-safety',
    title: 'DAG and Managed Availability safety check',
    risk: 'read',
    transport: 'exchange',
    params: z
      .object({
        server: serverName,
        /** Lag limits a target copy must be under (log files); defaults: docs/powershell.md. */
        copyQueueBelow: logCount.optional(),
        replayQueueBelow: logCount.optional(),
      })
      .strict(),
    command: (p) => `Get-MailboxDatabaseCopyStatus -Server ${quotePs(p.server)}`,
    select: COPY_STATUS_FIELDS,
    gather: 'dag-safety',
  }),
  'get-pop-settings': define({
    id: 'get-pop-settings',
    title: 'Get POP settings',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Get-PopSettings -Server ${quotePs(p.server)}`,
    select: ['Server', 'ProtocolLogEnabled', 'LogFileLocation', 'LogPerFileSizeQuota'],
  }),
  'set-pop-protocol-log': define({
    id: 'set-pop-protocol-log',
    title: 'Turn POP protocol logging on or off',
    risk: 'change',
    transport: 'exchange',
    params: z.object({ server: serverName, enabled: z.boolean() }).strict(),
    // The seed writes -ProtocolLoggingEnabled, which does not exist; the parameter is -ProtocolLogEnabled.
    command: (p) =>
      `Set-PopSettings -Server ${quotePs(p.server)} -ProtocolLogEnabled ${psBool(p.enabled)}`,
  }),
  'test-pop-connectivity': define({
    id: 'test-pop-connectivity',
    title: 'Test POP connectivity',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Test-PopConnectivity -ClientAccessServer ${quotePs(p.server)}`,
    select: ['ClientAccessServer', 'Scenario', 'Result', 'Latency', 'Error'],
  }),
  'get-imap-settings': define({
    id: 'get-imap-settings',
    title: 'Get IMAP settings',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Get-ImapSettings -Server ${quotePs(p.server)}`,
    select: ['Server', 'ProtocolLogEnabled', 'LogFileLocation', 'LogPerFileSizeQuota'],
  }),
  'set-imap-protocol-log': define({
    id: 'set-imap-protocol-log',
    title: 'Turn IMAP protocol logging on or off',
    risk: 'change',
    transport: 'exchange',
    params: z.object({ server: serverName, enabled: z.boolean() }).strict(),
    command: (p) =>
      `Set-ImapSettings -Server ${quotePs(p.server)} -ProtocolLogEnabled ${psBool(p.enabled)}`,
  }),
  'test-imap-connectivity': define({
    id: 'test-imap-connectivity',
    title: 'Test IMAP connectivity',
    risk: 'read',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) => `Test-ImapConnectivity -ClientAccessServer ${quotePs(p.server)}`,
    select: ['ClientAccessServer', 'Scenario', 'Result', 'Latency', 'Error'],
  }),
  'restart-service': define({
    id: 'restart-service',
    title: 'Restart an Exchange service',
    risk: 'change',
    transport: 'winrm',
    params: z.object({ server: serverName, service: serviceName }).strict(),
    command: (p) =>
      `Invoke-Command -ComputerName ${quotePs(p.server)} -ScriptBlock { Restart-Service -Name ${quotePs(p.service)} -Force }`,
  }),
  'get-service-status': define({
    id: 'get-service-status',
    title: 'Get an Exchange service status',
    risk: 'read',
    transport: 'winrm',
    params: z.object({ server: serverName, service: serviceName }).strict(),
    command: (p) =>
      `Invoke-Command -ComputerName ${quotePs(p.server)} -ScriptBlock { Get-Service -Name ${quotePs(p.service)} }`,
    select: ['Name', 'Status'],
  }),
  'get-boot-time': define({
    id: 'get-boot-time',
    title: 'Get the last boot time of a server',
    risk: 'read',
    transport: 'winrm',
    params: z.object({ server: serverName }).strict(),
    command: (p) =>
      `Invoke-Command -ComputerName ${quotePs(p.server)} -ScriptBlock { Get-CimInstance -ClassName Win32_OperatingSystem }`,
    select: ['CSName', 'LastBootUpTime'],
  }),
  'move-active-databases-off': define({
    id: 'move-active-databases-off',
    title: 'Fail databases over (block activation and move active copies now)',
    risk: 'destructive',
    transport: 'exchange',
    // `precheck`: the approved pre-check's seal, checked by the worker, never in the command.
    params: z.object({ server: serverName, precheck: failoverSeal.optional() }).strict(),
    command: (p) =>
      `Set-MailboxServer -Identity ${quotePs(p.server)} -DatabaseCopyActivationDisabledAndMoveNow $true`,
  }),
  'allow-database-activation': define({
    id: 'allow-database-activation',
    title: 'Fail back (allow database activation again)',
    risk: 'change',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    command: (p) =>
      `Set-MailboxServer -Identity ${quotePs(p.server)} -DatabaseCopyActivationDisabledAndMoveNow $false`,
  }),
  'move-active-database': define({
    id: 'move-active-database',
    title: 'Move a database back (activate its copy on a server)',
    // A switchover disconnects the database's users briefly, like the fail-over it undoes.
    risk: 'destructive',
    transport: 'exchange',
    params: z.object({ database: databaseName, server: serverName }).strict(),
    // -Confirm:$false: the shell is non-interactive, a confirmation prompt would hang it.
    command: (p) =>
      `Move-ActiveMailboxDatabase -Identity ${quotePs(p.database)} -ActivateOnServer ${quotePs(p.server)} -Confirm:$false`,
  }),
  'move-preferred-databases-back': define({
    id: 'move-preferred-databases-back',
    title: 'Move databases back to their preferred server',
    // A switchover of every database preferring this server: their users reconnect briefly.
    risk: 'destructive',
    transport: 'exchange',
    params: z.object({ server: serverName }).strict(),
    // Exchange 2013+: activates here every database whose copy here has ActivationPreference 1.
    command: (p) =>
      `Move-ActiveMailboxDatabase -ActivatePreferredOnServer ${quotePs(p.server)} -Confirm:$false`,
  }),
  'restart-server': define({
    id: 'restart-server',
    title: 'Restart the server',
    risk: 'destructive',
    transport: 'winrm',
    params: z.object({ server: serverName }).strict(),
    // -Protocol WSMan: in Windows PowerShell 5.1 Restart-Computer (parameter set DefaultSet)
    // restarts over DCOM unless told otherwise, and the worker reaches servers over WinRM only
    // (DCOM is often firewalled); -Wait -For PowerShell then polls over WinRM as well.
    command: (p) =>
      `Restart-Computer -ComputerName ${quotePs(p.server)} -Protocol WSMan -Force -Wait -For PowerShell -Timeout 1800 -Delay 5`,
  }),
} as const;

export type ActionId = keyof typeof ACTIONS;
export type ActionParams<Id extends ActionId> = z.output<(typeof ACTIONS)[Id]['params']>;

export const ACTION_IDS = Object.keys(ACTIONS) as ActionId[];

export function isActionId(id: string): id is ActionId {
  return Object.prototype.hasOwnProperty.call(ACTIONS, id);
}

export function getAction(id: string): ActionDefinition | undefined {
  return isActionId(id) ? (ACTIONS[id] as unknown as ActionDefinition) : undefined;
}

export interface ParamError {
  param: string;
  reason: string;
}

export type BuildResult =
  | { ok: true; action: ActionDefinition; params: Record<string, unknown>; command: string }
  | { ok: false; errors: ParamError[] };

/**
 * Validates parameters and builds the command text. The only function that turns an action into
 * PowerShell; both the bot and the worker call it.
 */
export function buildCommand(actionId: string, params: unknown): BuildResult {
  const action = getAction(actionId);
  if (!action)
    return { ok: false, errors: [{ param: '(action)', reason: `unknown action "${actionId}"` }] };
  const parsed = action.params.safeParse(params);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        param: i.path.length > 0 ? i.path.join('.') : '(params)',
        reason: i.message,
      })),
    };
  }
  const valid = parsed.data as Record<string, unknown>;
  try {
    return { ok: true, action, params: valid, command: action.command(valid) };
  } catch (e) {
    // quotePs refuses what it cannot quote (NUL); report it as a refusal, never a crash.
    return { ok: false, errors: [{ param: '(params)', reason: (e as Error).message }] };
  }
}
