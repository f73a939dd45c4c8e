import type { AuditEntry } from './audit-entry';

/** What the chat `audit [server|incident]` command shows; adapters render it as they like. */
export interface AuditView {
  title: string;
  /** One line per entry, newest first. */
  lines: string[];
  /** Lines joined, for platforms that take plain text. */
  text: string;
}

const ACTION_LABELS: Record<string, string> = {
  'alert.received': 'alert received',
  'incident.created': 'incident opened',
  'incident.updated': 'incident updated',
  'incident.resolved': 'incident resolved',
  'card.posted': 'card posted',
  'card.updated': 'card updated',
  'check.run': 'check run',
  'approval.requested': 'requested',
  'approval.approved': 'approved',
  'approval.rejected': 'rejected',
  'approval.expired': 'expired',
  'approval.cancelled': 'cancelled',
  'job.started': 'job started',
  'job.finished': 'job finished',
  'job.failed': 'job failed',
  'job.outcome-unknown': 'OUTCOME UNKNOWN',
  'job.refused': 'worker refused job',
  'step.held': 'step held',
  'step.admitted': 'held step started',
  'outage.holds-released': 'outage holds released',
  'policy.reloaded': 'policy reloaded',
  'policy.reload-failed': 'policy reload failed',
};

/**
 * Formats the latest entries for one server or incident (or everything). Pure: the caller fetches
 * the entries (AuditReader.latest) and renders the result.
 */
export function formatAuditView(
  entries: readonly AuditEntry[],
  subject: { incidentId?: string; server?: string } = {},
  options: { maxResultLength?: number } = {},
): AuditView {
  const max = options.maxResultLength ?? 120;
  const about = subject.incidentId ?? subject.server ?? null;
  const title = about
    ? `Audit trail for ${about}: latest ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`
    : `Audit trail: latest ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
  const lines = entries.map((e) => {
    const when = e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const who = e.actor.displayName ?? `${e.actor.platform}:${e.actor.id}`;
    const where = [e.incidentId, e.server].filter((x): x is string => !!x && x !== about);
    const step = typeof e.params.actionId === 'string' ? ` ${e.params.actionId}` : '';
    const request = typeof e.params.requestId === 'string' ? ` (${e.params.requestId})` : '';
    const result = oneLine(e.result, max);
    return (
      `#${e.seq} ${when} ${ACTION_LABELS[e.action] ?? e.action}${step}${request} by ${who}` +
      (where.length > 0 ? ` [${where.join(' ')}]` : '') +
      (result ? `: ${result}` : '')
    );
  });
  if (lines.length === 0) lines.push('Nothing recorded yet.');
  return { title, lines, text: [title, ...lines].join('\n') };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `audit INC-12` is an incident, `audit EX01` a server; nothing means everything. */
export function parseAuditSubject(text: string | undefined): {
  incidentId?: string;
  server?: string;
} {
  const s = text?.trim() ?? '';
  if (s === '') return {};
  return /^INC-\d+$/i.test(s) ? { incidentId: s.toUpperCase() } : { server: s };
}
