import type { ActionOutput, DatabaseCopy, ReadOutput } from '../actions/parse-output';
import type { Lang } from '../runbooks/text';
import { shortTime } from '../shared/text';
import { plural, t } from '../strings';
import { cellText, kindOf } from './output-tables';

/**
 * One line for a succeeded result, from its parsed output and in the card's language: what a read
 * found, what a change changed. Pure. The tables of the same output are output-tables.ts.
 */

/** What is read of a result (a run's `StepResult`, a check's `ActionOutcome`). */
export interface OutputInput {
  actionId: string;
  params?: Record<string, unknown> | undefined;
  parsed?: unknown;
  finishedAt?: string | undefined;
}

function list(lang: Lang, items: string[], max = 3): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max
    ? t(lang, 'summary.list.more', { list: shown, count: items.length - max })
    : shown;
}

/** The clock time of an ISO instant, as the card shows times (`07:49:11Z`). */
function clock(iso: string | undefined | null): string {
  const s = shortTime(iso ?? null);
  return s.length > 11 ? s.slice(11) : s;
}

function protocolLine(
  actionId: string,
  settings: { server: string | null; protocolLogEnabled: boolean },
  server: string,
  lang: Lang,
): string {
  return t(lang, 'summary.protocolLog', {
    protocol: /imap/i.test(actionId) ? 'IMAP' : 'POP',
    state: t(lang, settings.protocolLogEnabled ? 'summary.on' : 'summary.off'),
    server: settings.server ?? server,
  });
}

function readLine(actionId: string, out: ReadOutput, lang: Lang): string {
  switch (out.kind) {
    case 'server-health':
      return out.unhealthy.length === 0
        ? t(lang, 'summary.serverHealth.ok', { count: out.monitors.length })
        : t(lang, 'summary.serverHealth.bad', {
            count: out.unhealthy.length,
            names: list(
              lang,
              out.unhealthy.map((m) => m.name),
            ),
          });
    case 'health-report':
      return out.unhealthy.length === 0
        ? t(lang, 'summary.healthReport.ok', { count: out.healthSets.length })
        : t(lang, 'summary.healthReport.bad', {
            count: out.unhealthy.length,
            names: list(
              lang,
              out.unhealthy.map((h) => h.healthSet),
            ),
          });
    case 'probe':
      return out.error
        ? t(lang, 'summary.probeError', { result: out.resultType, error: out.error })
        : t(lang, 'summary.probe', { result: out.resultType });
    case 'copy-status':
      return out.anyActive
        ? plural(lang, 'summary.copies.active', out.activeDatabases.length, {
            list: list(lang, out.activeDatabases, 5),
          })
        : t(lang, 'summary.copies.none');
    case 'protocol-settings':
      return protocolLine(actionId, out.settings, '', lang);
    case 'connectivity':
      return out.results
        .map((r) =>
          t(lang, 'summary.connectivity', { scenario: r.scenario ?? '', result: r.result }),
        )
        .slice(0, 3)
        .join('; ');
    case 'service-status':
      return t(lang, 'summary.service', { service: out.name, status: out.status });
    case 'boot-time':
      return t(lang, 'summary.bootTime', {
        server: out.server ?? '',
        boot: shortTime(out.lastBootUpTime),
      });
    case 'component-state': {
      const inactive = out.components.filter((c) => c.state !== 'Active');
      return inactive.length === 0
        ? t(lang, 'summary.components.ok', { count: out.components.length })
        : t(lang, 'summary.components.bad', {
            count: inactive.length,
            total: out.components.length,
            names: list(
              lang,
              inactive.map((c) => `${c.component} ${c.state}`),
            ),
          });
    }
    case 'mailbox-server':
      return t(lang, 'summary.mailboxServer', {
        server: out.server.name,
        policy: out.server.autoActivationPolicy,
        moveNow: cellText(out.server.activationDisabledAndMoveNow),
      });
    case 'ma-recoveries':
      return plural(lang, 'summary.recoveries', out.events.length);
  }
}

const sameHost = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && a.split('.')[0]!.toLowerCase() === b.split('.')[0]!.toLowerCase();

/** Where each database is active now, from the copies on the server. */
function activeWhere(copies: DatabaseCopy[], lang: Lang): string {
  return t(lang, 'change.activeWhere', {
    list: list(
      lang,
      copies.map((c) =>
        t(lang, 'change.activeOn', {
          database: c.databaseName,
          server: c.activeDatabaseCopy ?? '?',
        }),
      ),
      4,
    ),
  });
}

/** What a change changed, read from the state its follow-up read shows afterwards. */
function changeLine(
  actionId: string,
  params: Record<string, unknown>,
  after: ReadOutput,
  finishedAt: string | undefined,
  lang: Lang,
): string | null {
  const server = typeof params.server === 'string' ? params.server : '';
  if (after.kind === 'service-status' && actionId === 'restart-service') {
    return t(lang, 'change.restartService', {
      service: after.name,
      status: after.status,
      time: clock(finishedAt),
    });
  }
  if (after.kind === 'boot-time' && actionId === 'restart-server') {
    return t(lang, 'change.restartServer', {
      server: after.server ?? server,
      boot: shortTime(after.lastBootUpTime),
    });
  }
  if (after.kind === 'protocol-settings')
    return protocolLine(actionId, after.settings, server, lang);
  if (after.kind === 'copy-status') {
    const here = after.copies.filter((c) => !c.mailboxServer || sameHost(c.mailboxServer, server));
    const counts = {
      server,
      active: here.filter((c) => c.active).length,
      total: here.length,
    };
    switch (actionId) {
      case 'move-active-databases-off': {
        const line = t(lang, 'change.activationBlocked', counts);
        const still = here.filter((c) => c.active);
        return still.length === 0 ? line : `${line}; ${activeWhere(still, lang)}`;
      }
      case 'allow-database-activation':
        return `${t(lang, 'change.activationAllowed', counts)}; ${activeWhere(here, lang)}`;
      case 'move-preferred-databases-back':
        return `${t(lang, 'change.movedPreferred', counts)}; ${activeWhere(here, lang)}`;
      case 'move-active-database': {
        const database = typeof params.database === 'string' ? params.database : '';
        const copy = after.copies.find(
          (c) => c.databaseName.toLowerCase() === database.toLowerCase(),
        );
        return copy?.activeDatabaseCopy
          ? t(lang, 'change.movedDatabase', { database, active: copy.activeDatabaseCopy })
          : t(lang, 'change.movedDatabaseUnknown', { database, server });
      }
      default:
        return null;
    }
  }
  return null;
}

/**
 * One line for a succeeded result, in the card's language: what a read found ("1 unhealthy:
 * PopDeepTestMonitor"), what a change changed ("MSExchangePOP3BE Running, restarted 07:49:11Z";
 * "activation blocked; active copies on EX02: 0 of 4"). Null when the output says nothing we can
 * put in words (then the run's own summary stands).
 */
export function describeOutput(result: OutputInput, lang: Lang): string | null {
  const parsed = result.parsed;
  const kind = kindOf(parsed);
  if (kind === null || kind === 'dag-safety') return null;
  try {
    const out = parsed as ActionOutput;
    if (out.kind === 'change') {
      return changeLine(result.actionId, result.params ?? {}, out.after, result.finishedAt, lang);
    }
    return readLine(result.actionId, out, lang);
  } catch {
    return null;
  }
}
