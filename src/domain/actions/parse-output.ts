// Over 450 lines on purpose: one zod schema and parser per typed action, side by side, so every
// action's output shape (what the card, the run machine and the tests read) is in one place.
import { z } from 'zod';
import type { ActionId } from './registry';

/**
 * Parsers of the worker's stdout: the `ConvertTo-Json -Compress` text of each action's script.
 * PowerShell emits nothing for zero rows, a bare object for one row and an array for more, so
 * every parser first normalises to a list of rows. Bad output gives a typed error that keeps the
 * raw text; nothing here throws.
 */

export type ParseErrorCode = 'invalid-json' | 'empty-output' | 'unexpected-shape';

export interface OutputParseError {
  code: ParseErrorCode;
  message: string;
  raw: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: OutputParseError };

/** Managed Availability monitor states as Get-ServerHealth prints them. */
export const ALERT_VALUES = [
  'Healthy',
  'Degraded',
  'Unhealthy',
  'Repairing',
  'Disabled',
  'Unavailable',
  'UnInitialized',
] as const;

// Windows PowerShell 5.1's ConvertTo-Json writes enums as their numbers unless they arrive as
// text (deserialized objects from the remote session do). Only enums with documented numbers are
// mapped; any other number is kept as `#<n>` so it is never mistaken for a known state.
const SERVICE_STATUS_NUMBERS: Record<number, string> = {
  1: 'Stopped',
  2: 'StartPending',
  3: 'StopPending',
  4: 'Running',
  5: 'ContinuePending',
  6: 'PausePending',
  7: 'Paused',
};

const enumText = (numbers: Record<number, string> = {}) =>
  z.union([z.string(), z.number()]).transform((v) => {
    if (typeof v === 'string') return v;
    return numbers[v] ?? `#${v}`;
  });

const optText = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null ? null : String(v)));

/** DateTime as PowerShell 7 (ISO text), 5.1 (`/Date(ms)/`) or a Get-Date style wrapper writes it. */
const dateText: z.ZodType<string | null> = z
  .unknown()
  .optional()
  .transform((v): string | null => {
    const inner =
      v !== null && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
    if (typeof inner !== 'string') return null;
    const legacy = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(inner);
    if (legacy) return new Date(Number(legacy[1])).toISOString();
    return inner;
  });

/** TimeSpan as milliseconds: a 5.1 object with TotalMilliseconds, `hh:mm:ss.fff` text, or ms. */
const timeSpanMs = z
  .unknown()
  .optional()
  .transform((v): number | null => {
    if (typeof v === 'number') return v;
    if (v !== null && typeof v === 'object' && 'TotalMilliseconds' in v) {
      const ms = (v as { TotalMilliseconds: unknown }).TotalMilliseconds;
      return typeof ms === 'number' ? ms : null;
    }
    if (typeof v === 'string') {
      const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(v);
      if (!m) return null;
      const [, d = '0', h = '0', min = '0', s = '0', frac = '0'] = m;
      const seconds = Number(d) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
      return seconds * 1000 + Number(`0.${frac}`) * 1000;
    }
    return null;
  });

const boolish = z.union([z.boolean(), z.literal('True'), z.literal('False')]).transform((v) => {
  return typeof v === 'boolean' ? v : v === 'True';
});

const monitorRow = z
  .object({
    Server: optText,
    CurrentHealthSetState: optText,
    Name: z.string(),
    TargetResource: optText,
    HealthSetName: optText,
    AlertValue: enumText(),
    LastTransitionTime: dateText,
    ServerComponentName: optText,
  })
  .transform((r) => ({
    server: r.Server,
    healthSet: r.HealthSetName,
    name: r.Name,
    targetResource: r.TargetResource,
    alertValue: r.AlertValue,
    currentHealthSetState: r.CurrentHealthSetState,
    lastTransitionTime: r.LastTransitionTime,
    serverComponent: r.ServerComponentName,
  }));
export type Monitor = z.output<typeof monitorRow>;

const healthReportRow = z
  .object({
    Server: optText,
    State: optText,
    HealthSet: z.string(),
    AlertValue: enumText(),
    LastTransitionTime: dateText,
    MonitorCount: z.number().nullable().optional(),
  })
  .transform((r) => ({
    server: r.Server,
    state: r.State,
    healthSet: r.HealthSet,
    alertValue: r.AlertValue,
    lastTransitionTime: r.LastTransitionTime,
    monitorCount: r.MonitorCount ?? null,
  }));
export type HealthSetReport = z.output<typeof healthReportRow>;

const probeRow = z
  .object({
    MonitorIdentity: optText,
    RequestId: optText,
    ExecutionStartTime: dateText,
    ExecutionEndTime: dateText,
    Error: optText,
    Exception: optText,
    ResultType: enumText(),
  })
  .transform((r) => ({
    monitorIdentity: r.MonitorIdentity,
    requestId: r.RequestId,
    executionStartTime: r.ExecutionStartTime,
    executionEndTime: r.ExecutionEndTime,
    error: r.Error === '' ? null : r.Error,
    exception: r.Exception === '' ? null : r.Exception,
    resultType: r.ResultType,
  }));
export type ProbeRow = z.output<typeof probeRow>;

const sameHost = (a: string | null, b: string | null): boolean =>
  a !== null && b !== null && a.split('.')[0]!.toLowerCase() === b.split('.')[0]!.toLowerCase();

const copyRow = z
  .object({
    DatabaseName: z.string(),
    Status: enumText(),
    MailboxServer: optText,
    ActiveDatabaseCopy: optText,
    CopyQueueLength: z.number().nullable().optional(),
    ReplayQueueLength: z.number().nullable().optional(),
    ContentIndexState: optText,
    /** Selected by get-database-copies only (Suspend-MailboxDatabaseCopy -ActivationOnly). */
    ActivationSuspended: boolish.nullable().optional(),
  })
  .transform((r) => ({
    databaseName: r.DatabaseName,
    status: r.Status,
    mailboxServer: r.MailboxServer,
    activeDatabaseCopy: r.ActiveDatabaseCopy,
    copyQueueLength: r.CopyQueueLength ?? null,
    replayQueueLength: r.ReplayQueueLength ?? null,
    contentIndexState: r.ContentIndexState,
    activationSuspended: r.ActivationSuspended ?? null,
    /** Only the active copy is Mounted; a dismounted active copy is still the active one. */
    active: r.Status === 'Mounted' || sameHost(r.ActiveDatabaseCopy, r.MailboxServer),
  }));
export type DatabaseCopy = z.output<typeof copyRow>;

const protocolSettingsRow = z
  .object({
    Server: optText,
    ProtocolLogEnabled: boolish,
    LogFileLocation: optText,
    LogPerFileSizeQuota: optText,
  })
  .transform((r) => ({
    server: r.Server,
    protocolLogEnabled: r.ProtocolLogEnabled,
    logFileLocation: r.LogFileLocation,
    logPerFileSizeQuota: r.LogPerFileSizeQuota,
  }));
export type ProtocolSettings = z.output<typeof protocolSettingsRow>;

const connectivityRow = z
  .object({
    ClientAccessServer: optText,
    Scenario: optText,
    Result: enumText(),
    Latency: timeSpanMs,
    Error: optText,
  })
  .transform((r) => ({
    clientAccessServer: r.ClientAccessServer,
    scenario: r.Scenario,
    result: r.Result,
    latencyMs: r.Latency,
    error: r.Error === '' ? null : r.Error,
  }));
export type ConnectivityRow = z.output<typeof connectivityRow>;

const serviceRow = z
  .object({ Name: z.string(), Status: enumText(SERVICE_STATUS_NUMBERS) })
  .transform((r) => ({ name: r.Name, status: r.Status }));

const bootRow = z
  .object({ CSName: optText, LastBootUpTime: dateText })
  .transform((r) => ({ server: r.CSName, lastBootUpTime: r.LastBootUpTime }));

const componentRow = z
  .object({ Identity: optText, Component: z.string(), State: enumText() })
  .transform((r) => ({ server: r.Identity, component: r.Component, state: r.State }));
export type ComponentState = z.output<typeof componentRow>;

const mailboxServerRow = z
  .object({
    Name: z.string(),
    DatabaseAvailabilityGroup: optText,
    DatabaseCopyAutoActivationPolicy: enumText(),
    DatabaseCopyActivationDisabledAndMoveNow: boolish,
  })
  .transform((r) => ({
    name: r.Name,
    dag: r.DatabaseAvailabilityGroup,
    autoActivationPolicy: r.DatabaseCopyAutoActivationPolicy,
    activationDisabledAndMoveNow: r.DatabaseCopyActivationDisabledAndMoveNow,
  }));
export type MailboxServerInfo = z.output<typeof mailboxServerRow>;

const winEventRow = z.object({
  TimeCreated: dateText,
  Id: z.number().nullable().optional(),
  ProviderName: optText,
  Message: optText,
});

/**
 * One Managed Availability recovery action (RecoveryActionResults). Microsoft does not document
 * the event's text layout; we read `Name: value` (or `Name=value`) lines of its message for the
 * fields the log is known to carry, and keep the whole message for the card.
 */
export interface RecoveryEvent {
  time: string | null;
  eventId: number | null;
  /** The recovery action, e.g. RestartService. */
  action: string | null;
  /** What it acted on, e.g. MSExchangePOP3BE. */
  resource: string | null;
  /** The responder that asked for it. */
  responder: string | null;
  /** Started, Finished… as the event says. */
  state: string | null;
  /** Succeeded, Failed… once finished. */
  result: string | null;
  message: string | null;
}

function field(message: string, ...names: string[]): string | null {
  for (const name of names) {
    const m = new RegExp(`(?:^|[\\s;,])${name}\\s*[:=]\\s*([^\\r\\n;,]+)`, 'i').exec(message);
    if (m) return m[1]!.trim();
  }
  return null;
}

function recoveryEventOf(r: z.output<typeof winEventRow>): RecoveryEvent {
  const msg = r.Message ?? '';
  return {
    time: r.TimeCreated,
    eventId: r.Id ?? null,
    action: field(msg, 'ActionId', 'Action'),
    resource: field(msg, 'ResourceName', 'Resource'),
    responder: field(msg, 'RequestorName', 'Requestor', 'Responder'),
    state: field(msg, 'State'),
    result: field(msg, 'Result'),
    message: r.Message,
  };
}

export type ReadOutput =
  | { kind: 'server-health'; monitors: Monitor[]; unhealthy: Monitor[] }
  | { kind: 'health-report'; healthSets: HealthSetReport[]; unhealthy: HealthSetReport[] }
  | {
      kind: 'probe';
      results: ProbeRow[];
      /** Succeeded only when every returned result did. */
      resultType: 'Succeeded' | 'Failed';
      error: string | null;
    }
  | {
      kind: 'copy-status';
      copies: DatabaseCopy[];
      anyActive: boolean;
      activeDatabases: string[];
    }
  | { kind: 'protocol-settings'; settings: ProtocolSettings }
  | { kind: 'connectivity'; results: ConnectivityRow[]; succeeded: boolean }
  | { kind: 'service-status'; name: string; status: string }
  | { kind: 'boot-time'; server: string | null; lastBootUpTime: string | null }
  | { kind: 'component-state'; components: ComponentState[] }
  | { kind: 'mailbox-server'; server: MailboxServerInfo }
  | { kind: 'ma-recoveries'; events: RecoveryEvent[] };

/** A change's result: it ran without error, and the follow-up read shows the state afterwards. */
export type ChangeOutput = { kind: 'change'; after: ReadOutput };

export type ActionOutput = ReadOutput | ChangeOutput;

function fail<T>(code: ParseErrorCode, message: string, raw: string): ParseResult<T> {
  return { ok: false, error: { code, message, raw } };
}

/**
 * Host messages PowerShell writes to stdout around the JSON, e.g. Exchange's `WARNING: Changes to
 * POP3 settings will only take effect after ... services are restarted`. Whole lines only; the
 * `-Compress` JSON is one line and never starts with one of these prefixes.
 */
const HOST_MESSAGE = /^(WARNING|VERBOSE|DEBUG): /;

export function splitHostMessages(raw: string): { messages: string[]; body: string } {
  const messages: string[] = [];
  const body: string[] = [];
  for (const line of raw.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (HOST_MESSAGE.test(line)) messages.push(line);
    else body.push(line);
  }
  return { messages, body: body.join('\n') };
}

/** Zero rows, one bare object, or an array of objects (host messages set aside). */
export function parseJsonRows(raw: string): ParseResult<unknown[]> {
  const text = splitHostMessages(raw).body.trim();
  if (text === '') return { ok: true, value: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail('invalid-json', `output is not JSON: ${(e as Error).message}`, raw);
  }
  if (Array.isArray(data)) return { ok: true, value: data };
  if (data !== null && typeof data === 'object') return { ok: true, value: [data] };
  return fail('unexpected-shape', `expected an object or an array, got ${typeof data}`, raw);
}

function rowsOf<S extends z.ZodType>(schema: S, raw: string): ParseResult<z.output<S>[]> {
  const rows = parseJsonRows(raw);
  if (!rows.ok) return rows;
  const out: z.output<S>[] = [];
  for (const [i, row] of rows.value.entries()) {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return fail('unexpected-shape', `row ${i}${where}: ${issue?.message ?? 'invalid'}`, raw);
    }
    out.push(parsed.data);
  }
  return { ok: true, value: out };
}

function exactlyOne<T>(rows: ParseResult<T[]>, what: string, raw: string): ParseResult<T> {
  if (!rows.ok) return rows;
  if (rows.value.length === 0) return fail('empty-output', `no ${what} in the output`, raw);
  if (rows.value.length > 1) {
    return fail('unexpected-shape', `expected one ${what}, got ${rows.value.length}`, raw);
  }
  return { ok: true, value: rows.value[0]! };
}

function map<T, U>(r: ParseResult<T>, f: (v: T) => U): ParseResult<U> {
  return r.ok ? { ok: true, value: f(r.value) } : r;
}

type ReadParser = (raw: string) => ParseResult<ReadOutput>;

const parseServerHealth: ReadParser = (raw) =>
  map(rowsOf(monitorRow, raw), (monitors) => ({
    kind: 'server-health',
    monitors,
    unhealthy: monitors.filter((m) => m.alertValue === 'Unhealthy'),
  }));

const parseHealthReport: ReadParser = (raw) =>
  map(rowsOf(healthReportRow, raw), (healthSets) => ({
    kind: 'health-report',
    healthSets,
    unhealthy: healthSets.filter((h) => h.alertValue === 'Unhealthy'),
  }));

const parseProbe: ReadParser = (raw) => {
  const rows = rowsOf(probeRow, raw);
  if (!rows.ok) return rows;
  if (rows.value.length === 0) return fail('empty-output', 'the probe returned no result', raw);
  const failed = rows.value.find((r) => r.resultType !== 'Succeeded');
  return {
    ok: true,
    value: {
      kind: 'probe',
      results: rows.value,
      resultType: failed ? 'Failed' : 'Succeeded',
      error: failed
        ? (failed.error ?? failed.exception ?? `ResultType ${failed.resultType}`)
        : null,
    },
  };
};

const parseCopyStatus: ReadParser = (raw) =>
  map(rowsOf(copyRow, raw), (copies) => ({
    kind: 'copy-status',
    copies,
    anyActive: copies.some((c) => c.active),
    activeDatabases: copies.filter((c) => c.active).map((c) => c.databaseName),
  }));

const parseProtocolSettings: ReadParser = (raw) =>
  map(exactlyOne(rowsOf(protocolSettingsRow, raw), 'settings object', raw), (settings) => ({
    kind: 'protocol-settings',
    settings,
  }));

const parseConnectivity: ReadParser = (raw) => {
  const rows = rowsOf(connectivityRow, raw);
  if (!rows.ok) return rows;
  if (rows.value.length === 0) return fail('empty-output', 'the test returned no result', raw);
  return {
    ok: true,
    value: {
      kind: 'connectivity',
      results: rows.value,
      succeeded: rows.value.every((r) => r.result === 'Success'),
    },
  };
};

const parseServiceStatus: ReadParser = (raw) =>
  map(exactlyOne(rowsOf(serviceRow, raw), 'service', raw), (s) => ({
    kind: 'service-status',
    ...s,
  }));

const parseBootTime: ReadParser = (raw) =>
  map(exactlyOne(rowsOf(bootRow, raw), 'operating system object', raw), (b) => ({
    kind: 'boot-time',
    ...b,
  }));

const parseComponents: ReadParser = (raw) =>
  map(rowsOf(componentRow, raw), (components) => ({ kind: 'component-state', components }));

const parseMailboxServer: ReadParser = (raw) =>
  map(exactlyOne(rowsOf(mailboxServerRow, raw), 'mailbox server', raw), (server) => ({
    kind: 'mailbox-server',
    server,
  }));

const parseRecoveries: ReadParser = (raw) =>
  map(rowsOf(winEventRow, raw), (rows) => ({
    kind: 'ma-recoveries',
    events: rows.map(recoveryEventOf),
  }));

/** Read parsers by action id; a change is parsed with its follow-up read's parser. */
export const READ_PARSERS: Partial<Record<ActionId, ReadParser>> = {
  'get-server-health': parseServerHealth,
  'get-health-report': parseHealthReport,
  'invoke-monitoring-probe': parseProbe,
  'get-mailbox-database-copy-status': parseCopyStatus,
  'get-pop-settings': parseProtocolSettings,
  'get-imap-settings': parseProtocolSettings,
  'test-pop-connectivity': parseConnectivity,
  'test-imap-connectivity': parseConnectivity,
  'get-service-status': parseServiceStatus,
  'get-boot-time': parseBootTime,
  'get-database-copies': parseCopyStatus,
  'get-server-component-state': parseComponents,
  'get-mailbox-server': parseMailboxServer,
  'get-managed-availability-recoveries': parseRecoveries,
  // Run alone (not gathered by the worker) it is its first read.
  'get-dag-safety': parseCopyStatus,
};

/**
 * Parses an action's stdout. `followUpId` is the read a change's script ends with (see
 * `buildScript`); for reads leave it out.
 */
export function parseOutput(
  actionId: ActionId,
  raw: string,
  followUpId?: ActionId,
): ParseResult<ActionOutput> {
  if (followUpId !== undefined) {
    const parser = READ_PARSERS[followUpId];
    if (!parser) return fail('unexpected-shape', `no parser for ${followUpId}`, raw);
    return map(parser(raw), (after): ActionOutput => ({ kind: 'change', after }));
  }
  const parser = READ_PARSERS[actionId];
  if (!parser) return fail('unexpected-shape', `no parser for ${actionId}`, raw);
  return parser(raw);
}
