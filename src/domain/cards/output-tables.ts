import type {
  ActionOutput,
  ConnectivityRow,
  DatabaseCopy,
  HealthSetReport,
  Monitor,
  ProbeRow,
  ReadOutput,
  RecoveryEvent,
  ComponentState,
} from '../actions/parse-output';
import type { Lang } from '../runbooks/text';
import { isDagSafetyOutput } from '../safety/dag-safety';
import { shortTime } from '../shared/text';
import { t, type PlainKey } from '../strings';
import type { CardTable, CardTableRow, CardTone } from './card';

/**
 * A step's parsed output as tables (the line saying what it found or changed is
 * output-summary.ts). Pure. Headers are in the card's language; values stay as Exchange prints them (`Healthy`,
 * `Mounted`, `Running`), because that is what an engineer searches for and what the raw output
 * says. Surfaces draw the tables (Slack aligned text, Teams the Adaptive Card Table, the console
 * HTML) and keep the raw output one click away.
 */

/** Rows a table keeps at most; a surface may cut further to fit its own limits. */
export const MAX_TABLE_ROWS = 100;

export type Cell = string | number | boolean | null | undefined;

interface Column {
  key: string;
  label: PlainKey;
  align?: 'right';
}

const col = (key: string, label: PlainKey, align?: 'right'): Column =>
  align ? { key, label, align } : { key, label };

/** PowerShell prints booleans as True / False; a value it did not give stays empty. */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

function table(
  lang: Lang,
  title: PlainKey,
  columns: Column[],
  rows: { cells: Cell[]; tone?: CardTableRow['tone'] }[],
): CardTable {
  const kept = rows.slice(0, MAX_TABLE_ROWS);
  return {
    title: t(lang, title),
    columns: columns.map((c) => ({
      key: c.key,
      label: t(lang, c.label),
      ...(c.align ? { align: c.align } : {}),
    })),
    rows: kept.map((r) => ({
      cells: r.cells.map(cellText),
      ...(r.tone ? { tone: r.tone } : {}),
    })),
    ...(rows.length > kept.length ? { omittedRows: rows.length - kept.length } : {}),
  };
}

const ALERT_TONE: Record<string, CardTone> = {
  Unhealthy: 'attention',
  Degraded: 'warning',
  Repairing: 'warning',
  Unavailable: 'warning',
};

/** Unhealthy first, then degraded: when a surface cuts rows, the ones that matter stay. */
function byConcern<T>(rows: T[], tone: (r: T) => CardTableRow['tone']): T[] {
  const rank = (r: T) => {
    const x = tone(r);
    return x === 'attention' ? 0 : x === 'warning' ? 1 : 2;
  };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}

function monitorsTable(monitors: Monitor[], lang: Lang): CardTable {
  const tone = (m: Monitor) => ALERT_TONE[m.alertValue];
  return table(
    lang,
    'table.title.serverHealth',
    [
      col('monitor', 'table.col.monitor'),
      col('healthSet', 'table.col.healthSet'),
      col('alertValue', 'table.col.alertValue'),
      col('state', 'table.col.state'),
      col('lastTransition', 'table.col.lastTransition'),
    ],
    byConcern(monitors, tone).map((m) => ({
      cells: [
        m.name,
        m.healthSet,
        m.alertValue,
        m.currentHealthSetState,
        shortTime(m.lastTransitionTime),
      ],
      tone: tone(m),
    })),
  );
}

function healthReportTable(sets: HealthSetReport[], lang: Lang): CardTable {
  const tone = (h: HealthSetReport) => ALERT_TONE[h.alertValue];
  return table(
    lang,
    'table.title.healthReport',
    [
      col('healthSet', 'table.col.healthSet'),
      col('alertValue', 'table.col.alertValue'),
      col('state', 'table.col.state'),
      col('monitorCount', 'table.col.monitorCount', 'right'),
      col('lastTransition', 'table.col.lastTransition'),
    ],
    byConcern(sets, tone).map((h) => ({
      cells: [h.healthSet, h.alertValue, h.state, h.monitorCount, shortTime(h.lastTransitionTime)],
      tone: tone(h),
    })),
  );
}

function probeTable(results: ProbeRow[], lang: Lang): CardTable {
  return table(
    lang,
    'table.title.probe',
    [
      col('probe', 'table.col.probe'),
      col('result', 'table.col.result'),
      col('started', 'table.col.started'),
      col('ended', 'table.col.ended'),
      col('error', 'table.col.error'),
    ],
    results.map((r) => ({
      cells: [
        r.monitorIdentity,
        r.resultType,
        shortTime(r.executionStartTime),
        shortTime(r.executionEndTime),
        r.error ?? r.exception,
      ],
      tone: r.resultType === 'Succeeded' ? 'good' : 'attention',
    })),
  );
}

function copyTone(c: DatabaseCopy): CardTableRow['tone'] {
  if (/fail|down|dismounted|suspended/i.test(c.status)) return 'attention';
  if (c.status !== 'Healthy' && c.status !== 'Mounted') return 'warning';
  if (c.contentIndexState !== null && c.contentIndexState !== 'Healthy') return 'warning';
  return undefined;
}

/** Database copies; the server column only when the rows are on more than one server. */
export function copiesTable(copies: DatabaseCopy[], lang: Lang): CardTable {
  const servers = new Set(copies.map((c) => (c.mailboxServer ?? '').toLowerCase()));
  const withServer = servers.size > 1;
  const withSuspended = copies.some((c) => c.activationSuspended !== null);
  const columns = [
    col('database', 'table.col.database'),
    ...(withServer ? [col('server', 'table.col.server')] : []),
    col('status', 'table.col.status'),
    col('copyQueue', 'table.col.copyQueue', 'right'),
    col('replayQueue', 'table.col.replayQueue', 'right'),
    col('activeCopy', 'table.col.activeCopy'),
    col('contentIndex', 'table.col.contentIndex'),
    ...(withSuspended ? [col('activationSuspended', 'table.col.activationSuspended')] : []),
  ];
  return table(
    lang,
    'table.title.copies',
    columns,
    copies.map((c) => ({
      cells: [
        c.databaseName,
        ...(withServer ? [c.mailboxServer] : []),
        c.status,
        c.copyQueueLength,
        c.replayQueueLength,
        c.activeDatabaseCopy,
        c.contentIndexState,
        ...(withSuspended ? [c.activationSuspended] : []),
      ],
      tone: copyTone(c),
    })),
  );
}

function connectivityTable(results: ConnectivityRow[], lang: Lang): CardTable {
  return table(
    lang,
    'table.title.connectivity',
    [
      col('server', 'table.col.server'),
      col('scenario', 'table.col.scenario'),
      col('result', 'table.col.result'),
      col('latency', 'table.col.latency', 'right'),
      col('error', 'table.col.error'),
    ],
    results.map((r) => ({
      cells: [
        r.clientAccessServer,
        r.scenario,
        r.result,
        r.latencyMs === null ? null : Math.round(r.latencyMs),
        r.error,
      ],
      tone: r.result === 'Success' ? 'good' : 'attention',
    })),
  );
}

/** Server component states; anything not Active is marked (maintenance sets them Inactive). */
export function componentsTable(components: ComponentState[], lang: Lang): CardTable {
  const tone = (c: ComponentState): CardTableRow['tone'] =>
    c.state === 'Active' ? undefined : 'warning';
  return table(
    lang,
    'table.title.components',
    [
      col('server', 'table.col.server'),
      col('component', 'table.col.component'),
      col('state', 'table.col.state'),
    ],
    byConcern(components, tone).map((c) => ({
      cells: [c.server, c.component, c.state],
      tone: tone(c),
    })),
  );
}

/** Managed Availability's recovery actions, as the event log says (newest first). */
export function recoveriesTable(events: RecoveryEvent[], lang: Lang): CardTable {
  return table(
    lang,
    'table.title.recoveries',
    [
      col('time', 'table.col.time'),
      col('action', 'table.col.action'),
      col('resource', 'table.col.resource'),
      col('state', 'table.col.state'),
      col('result', 'table.col.result'),
    ],
    events.map((e) => ({
      cells: [shortTime(e.time), e.action, e.resource, e.state, e.result],
      tone: e.result && /fail/i.test(e.result) ? 'attention' : undefined,
    })),
  );
}

function readTables(out: ReadOutput, lang: Lang): CardTable[] {
  switch (out.kind) {
    case 'server-health':
      return [monitorsTable(out.monitors, lang)];
    case 'health-report':
      return [healthReportTable(out.healthSets, lang)];
    case 'probe':
      return [probeTable(out.results, lang)];
    case 'copy-status':
      return [copiesTable(out.copies, lang)];
    case 'protocol-settings':
      return [
        table(
          lang,
          'table.title.protocolSettings',
          [
            col('server', 'table.col.server'),
            col('protocolLog', 'table.col.protocolLog'),
            col('logFolder', 'table.col.logFolder'),
            col('logQuota', 'table.col.logQuota'),
          ],
          [
            {
              cells: [
                out.settings.server,
                out.settings.protocolLogEnabled,
                out.settings.logFileLocation,
                out.settings.logPerFileSizeQuota,
              ],
            },
          ],
        ),
      ];
    case 'connectivity':
      return [connectivityTable(out.results, lang)];
    case 'service-status':
      return [
        table(
          lang,
          'table.title.service',
          [col('service', 'table.col.service'), col('status', 'table.col.status')],
          [{ cells: [out.name, out.status], tone: out.status === 'Running' ? 'good' : 'warning' }],
        ),
      ];
    case 'boot-time':
      return [
        table(
          lang,
          'table.title.bootTime',
          [col('server', 'table.col.server'), col('lastBoot', 'table.col.lastBoot')],
          [{ cells: [out.server, shortTime(out.lastBootUpTime)] }],
        ),
      ];
    case 'component-state':
      return [componentsTable(out.components, lang)];
    case 'mailbox-server':
      return [
        table(
          lang,
          'table.title.mailboxServer',
          [
            col('server', 'table.col.server'),
            col('dag', 'table.col.dag'),
            col('autoActivation', 'table.col.autoActivation'),
            col('moveNow', 'table.col.moveNow'),
          ],
          [
            {
              cells: [
                out.server.name,
                out.server.dag,
                out.server.autoActivationPolicy,
                out.server.activationDisabledAndMoveNow,
              ],
            },
          ],
        ),
      ];
    case 'ma-recoveries':
      return [recoveriesTable(out.events, lang)];
  }
}

/** The `kind` of a stored parsed output, if it has one. */
export function kindOf(parsed: unknown): string | null {
  if (parsed === null || typeof parsed !== 'object') return null;
  const kind = (parsed as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : null;
}

/**
 * The tables of a result's parsed output; empty when it has none (a failed job, an output that
 * did not parse). A stored output of an older shape gives no tables rather than an error: the
 * raw output is still shown.
 */
export function outputTables(parsed: unknown, lang: Lang): CardTable[] {
  if (kindOf(parsed) === null) return [];
  try {
    if (isDagSafetyOutput(parsed)) {
      const e = parsed.evidence;
      const components = e.members.flatMap((m) => m.components ?? []);
      return [
        ...(e.copies ? [copiesTable(e.copies, lang)] : []),
        ...(components.length > 0 ? [componentsTable(components, lang)] : []),
        ...(e.recoveries && e.recoveries.length > 0 ? [recoveriesTable(e.recoveries, lang)] : []),
      ];
    }
    const out = parsed as ActionOutput;
    return out.kind === 'change' ? readTables(out.after, lang) : readTables(out, lang);
  } catch {
    return [];
  }
}
