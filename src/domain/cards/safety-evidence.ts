import type { RecoveryEvent } from '../actions/parse-output';
import type { Expectation } from '../runbooks/schema';
import type { Lang } from '../runbooks/text';
import {
  restartConditions,
  targetProblems,
  type DagSafetyOutput,
  type TargetProblem,
} from '../safety/dag-safety';
import { shortTime } from '../shared/text';
import { t } from '../strings';
import type { CardEvidence, CardTable, CardTableRow, CardTone } from './card';

/**
 * A get-dag-safety result as the card shows it: the verdict of the step's own check (the
 * failover pre-check, the restart guard, or the maintenance and Managed Availability hold) in one
 * line, and the evidence it was decided on as tables. Pure; every word in the card's language,
 * identifiers (servers, databases, Exchange states) as Exchange spells them.
 */
export type SafetyCheck = Extract<Expectation, 'failover-safe' | 'restart-safe' | 'no-hold'>;

export function isSafetyCheck(expect: Expectation | undefined): expect is SafetyCheck {
  return expect === 'failover-safe' || expect === 'restart-safe' || expect === 'no-hold';
}

/** Rows a table keeps (the rest are counted in `omittedRows`): cards have size limits. */
const MAX_ROWS = 12;

export function buildSafetyEvidence(
  out: DagSafetyOutput,
  check: SafetyCheck,
  lang: Lang,
): CardEvidence {
  const built =
    check === 'failover-safe'
      ? failoverEvidence(out, lang)
      : check === 'restart-safe'
        ? restartEvidence(out, lang)
        : holdEvidence(out, lang);
  if (out.evidence.errors.length > 0) {
    built.tables.push({
      columns: [{ key: 'error', label: t(lang, 'safety.col.errors') }],
      rows: out.evidence.errors.slice(0, MAX_ROWS).map((e) => ({ cells: [e], tone: 'warning' })),
      ...omitted(out.evidence.errors.length),
    });
  }
  return { ...built, checkedAt: out.evidence.gatheredAt };
}

/** The hold verdict's reasons in words (for the card's verdict and the incident's note). */
export function holdReasons(out: DagSafetyOutput, lang: Lang): string[] {
  const server = out.evidence.server;
  const reasons: string[] = [];
  const swo = swoOf(out);
  if (out.hold.maintenance) {
    reasons.push(t(lang, 'safety.hold.maintenance', { server, state: swo ?? '?' }));
  } else if (out.hold.inactiveComponents.length > 0) {
    reasons.push(
      t(lang, 'safety.hold.components', {
        server,
        components: out.hold.inactiveComponents.join(', '),
      }),
    );
  }
  for (const r of out.hold.inProgress) {
    reasons.push(
      t(lang, 'safety.hold.recovering', {
        resource: r.resource ?? '?',
        action: r.action ?? '?',
        responder: r.responder ?? '?',
      }),
    );
  }
  return reasons;
}

function failoverEvidence(out: DagSafetyOutput, lang: Lang): Omit<CardEvidence, 'checkedAt'> {
  const server = out.evidence.server;
  const v = out.failover;
  const yesNo = (b: boolean | null) =>
    b === null ? t(lang, 'safety.unknown') : t(lang, b ? 'safety.yes' : 'safety.no');
  const num = (n: number | null) => (n === null ? t(lang, 'safety.unknown') : String(n));
  const rows: CardTableRow[] = v.databases.flatMap((d) =>
    d.targets.map((r) => {
      const problems = targetProblems(r, out.limits);
      return {
        cells: [
          d.database,
          r.server,
          r.status,
          num(r.copyQueueLength),
          num(r.replayQueueLength),
          r.contentIndexState ?? t(lang, 'safety.unknown'),
          r.activationSuspended === true
            ? t(lang, 'safety.problem.suspended')
            : yesNo(r.activationBlocked),
          r.serverWideOffline ?? t(lang, 'safety.unknown'),
          problems.length === 0
            ? t(lang, 'safety.yes')
            : problems.map((p) => problemText(p, lang)).join('; '),
        ],
        // The copies that cannot take over are the reason when a database has none.
        tone: problems.length === 0 ? 'good' : d.healthyTargets === 0 ? 'attention' : undefined,
      };
    }),
  );
  const table: CardTable = {
    title: t(lang, 'safety.failover.table', { server }),
    columns: [
      { key: 'database', label: t(lang, 'safety.col.database') },
      { key: 'server', label: t(lang, 'safety.col.server') },
      { key: 'status', label: t(lang, 'safety.col.status') },
      { key: 'copyQueue', label: t(lang, 'safety.col.copyQueue'), align: 'right' },
      { key: 'replayQueue', label: t(lang, 'safety.col.replayQueue'), align: 'right' },
      { key: 'contentIndex', label: t(lang, 'safety.col.contentIndex') },
      { key: 'activationBlocked', label: t(lang, 'safety.col.activationBlocked') },
      { key: 'componentState', label: t(lang, 'safety.col.componentState') },
      { key: 'fit', label: t(lang, 'safety.col.fit') },
    ],
    rows: rows.slice(0, MAX_ROWS),
    ...omitted(rows.length),
  };
  if (v.ok) {
    return {
      verdict: t(
        lang,
        v.databases.length === 0 ? 'safety.failover.nothing' : 'safety.failover.ok',
        {
          server,
        },
      ),
      tone: 'good',
      tables: [table],
    };
  }
  const reasons =
    out.evidence.copies === null
      ? [t(lang, 'safety.unreadable')]
      : v.databases
          .filter((d) => d.healthyTargets === 0)
          .map((d) =>
            t(
              lang,
              d.targets.length === 0 ? 'safety.failover.noCopy' : 'safety.failover.noHealthy',
              {
                database: d.database,
              },
            ),
          );
  return {
    verdict: t(lang, 'safety.failover.refused', { reasons: reasons.join('; ') }),
    tone: 'attention',
    tables: [table],
  };
}

function restartEvidence(out: DagSafetyOutput, lang: Lang): Omit<CardEvidence, 'checkedAt'> {
  const server = out.evidence.server;
  const c = restartConditions(out.evidence);
  const unreadable = t(lang, 'safety.unreadable');
  const list = (items: readonly string[] | undefined) =>
    items === undefined
      ? unreadable
      : items.length === 0
        ? t(lang, 'safety.none')
        : items.join(', ');
  const recovering = out.hold.inProgress.map((r) => recoveringText(r, lang));
  const maintenance = holdReasons(out, lang).slice(
    0,
    out.hold.maintenance || out.hold.inactiveComponents.length > 0 ? 1 : 0,
  );
  const conditions: { name: string; holds: boolean; detail: string }[] = [
    {
      name: t(lang, 'safety.cond.activeCopies', { server }),
      holds: c === null || c.activeCopies.length > 0,
      detail: list(c?.activeCopies),
    },
    {
      name: t(lang, 'safety.cond.members'),
      holds: c === null || c.members.length > 0,
      detail: list(
        c?.members.map((m) =>
          t(lang, `safety.member.${m.problem}`, { name: m.name, detail: m.detail }),
        ),
      ),
    },
    {
      name: t(lang, 'safety.cond.onlyCopy', { server }),
      holds: c === null || c.onlyCopy.length > 0,
      detail: list(c?.onlyCopy),
    },
    {
      name: t(lang, 'safety.cond.recovery'),
      holds: recovering.length > 0,
      detail: out.evidence.recoveries === null ? t(lang, 'safety.ma.unreadable') : list(recovering),
    },
    {
      name: t(lang, 'safety.cond.maintenance', { server }),
      holds: maintenance.length > 0,
      detail:
        maintenance.length > 0 ? maintenance.join('; ') : `ServerWideOffline ${swoOf(out) ?? '?'}`,
    },
  ];
  const holding = conditions.filter((x) => x.holds);
  const tables = [conditionTable(t(lang, 'safety.restart.table', { server }), conditions, lang)];
  const ma = recoveriesTable(out, lang);
  if (ma) tables.push(ma);
  return holding.length === 0
    ? { verdict: t(lang, 'safety.restart.ok'), tone: 'good', tables }
    : {
        verdict: t(lang, 'safety.restart.held', {
          conditions: holding.map((x) => `${x.name} (${x.detail})`).join('; '),
        }),
        tone: 'warning',
        tables,
      };
}

function holdEvidence(out: DagSafetyOutput, lang: Lang): Omit<CardEvidence, 'checkedAt'> {
  const server = out.evidence.server;
  const recovering = out.hold.inProgress.map((r) => recoveringText(r, lang));
  const components = out.hold.inactiveComponents;
  const conditions = [
    {
      name: t(lang, 'safety.cond.maintenance', { server }),
      holds: out.hold.maintenance || components.length > 0,
      detail:
        components.length > 0 ? components.join(', ') : `ServerWideOffline ${swoOf(out) ?? '?'}`,
    },
    {
      name: t(lang, 'safety.cond.recovery'),
      holds: recovering.length > 0,
      detail:
        out.evidence.recoveries === null
          ? t(lang, 'safety.ma.unreadable')
          : recovering.length > 0
            ? recovering.join('; ')
            : t(lang, 'safety.none'),
    },
  ];
  const tables = [conditionTable(t(lang, 'safety.hold.table', { server }), conditions, lang)];
  const ma = recoveriesTable(out, lang);
  if (ma) tables.push(ma);
  const reasons = holdReasons(out, lang);
  return out.hold.ok
    ? { verdict: t(lang, 'safety.hold.ok', { server }), tone: 'good', tables }
    : {
        verdict: t(lang, 'safety.hold.held', { reasons: reasons.join('; ') }),
        tone: 'warning',
        tables,
      };
}

function conditionTable(
  title: string,
  conditions: readonly { name: string; holds: boolean; detail: string }[],
  lang: Lang,
): CardTable {
  return {
    title,
    columns: [
      { key: 'condition', label: t(lang, 'safety.col.condition') },
      { key: 'state', label: t(lang, 'safety.col.state') },
      { key: 'detail', label: t(lang, 'safety.col.detail') },
    ],
    rows: conditions.map((x) => ({
      cells: [x.name, t(lang, x.holds ? 'safety.holds' : 'safety.clear'), x.detail],
      tone: x.holds ? 'attention' : 'good',
    })),
  };
}

/** What Managed Availability did on the server lately, newest first; null when nothing. */
function recoveriesTable(out: DagSafetyOutput, lang: Lang): CardTable | null {
  const recent = out.hold.recentRecoveries;
  if (recent.length === 0) return null;
  // By value: a stored run's events are copies, not the same objects.
  const key = (r: RecoveryEvent) => `${r.time}|${r.eventId}|${r.action}|${r.resource}`;
  const running = new Set(out.hold.inProgress.map(key));
  return {
    title: t(lang, 'safety.ma.table', {
      server: out.evidence.server,
      hours: out.limits.recoveryHours,
    }),
    columns: [
      { key: 'time', label: t(lang, 'safety.col.time') },
      { key: 'responder', label: t(lang, 'safety.col.responder') },
      { key: 'action', label: t(lang, 'safety.col.action') },
      { key: 'resource', label: t(lang, 'safety.col.resource') },
      { key: 'state', label: t(lang, 'safety.col.state') },
      { key: 'result', label: t(lang, 'safety.col.result') },
    ],
    rows: recent.slice(0, MAX_ROWS).map((r) => ({
      cells: [
        r.time ? shortTime(r.time) : '?',
        r.responder ?? '?',
        r.action ?? '?',
        r.resource ?? '?',
        r.state ?? '?',
        r.result ?? '',
      ],
      ...(running.has(key(r)) ? { tone: 'warning' as CardTone } : {}),
    })),
    ...omitted(recent.length),
  };
}

function recoveringText(r: RecoveryEvent, lang: Lang): string {
  return t(lang, 'safety.recovering', {
    action: r.action ?? '?',
    resource: r.resource ?? '?',
    responder: r.responder ?? '?',
    time: r.time ? shortTime(r.time) : '?',
  });
}

function problemText(p: TargetProblem, lang: Lang): string {
  const unknown = t(lang, 'safety.unknown');
  switch (p.code) {
    case 'copyQueue':
    case 'replayQueue':
      return t(lang, `safety.problem.${p.code}`, { value: p.value ?? unknown, limit: p.limit });
    case 'status':
    case 'contentIndex':
    case 'offline':
      return t(lang, `safety.problem.${p.code}`, { value: p.value ?? unknown });
    default:
      return t(lang, `safety.problem.${p.code}`);
  }
}

function swoOf(out: DagSafetyOutput): string | null {
  const self = out.evidence.members.find(
    (m) => m.name.split('.')[0]!.toLowerCase() === out.evidence.server.split('.')[0]!.toLowerCase(),
  );
  return (
    self?.components?.find((c) => c.component.toLowerCase() === 'serverwideoffline')?.state ?? null
  );
}

function omitted(total: number): { omittedRows?: number } {
  return total > MAX_ROWS ? { omittedRows: total - MAX_ROWS } : {};
}
