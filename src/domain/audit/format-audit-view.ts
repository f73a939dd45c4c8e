import type { AuditEntry } from './audit-entry';
import { DEFAULT_LANG, type Lang } from '../runbooks/text';
import { lookup, plural, t } from '../strings';

/** What the chat `audit [server|incident]` command shows; adapters render it as they like. */
export interface AuditView {
  title: string;
  /** One line per entry, newest first. */
  lines: string[];
  /** Lines joined, for platforms that take plain text. */
  text: string;
}

/**
 * Formats the latest entries for one server or incident (or everything). Pure: the caller fetches
 * the entries (AuditReader.latest) and renders the result.
 */
export function formatAuditView(
  entries: readonly AuditEntry[],
  subject: { incidentId?: string; server?: string } = {},
  options: { maxResultLength?: number; lang?: Lang } = {},
): AuditView {
  const max = options.maxResultLength ?? 120;
  const lang = options.lang ?? DEFAULT_LANG;
  const about = subject.incidentId ?? subject.server ?? null;
  const title = about
    ? plural(lang, 'audit.titleFor', entries.length, { about })
    : plural(lang, 'audit.title', entries.length);
  const lines = entries.map((e) => {
    const when = e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const who = e.actor.displayName ?? `${e.actor.platform}:${e.actor.id}`;
    const where = [e.incidentId, e.server].filter((x): x is string => !!x && x !== about);
    const step = typeof e.params.actionId === 'string' ? ` ${e.params.actionId}` : '';
    const request = typeof e.params.requestId === 'string' ? ` (${e.params.requestId})` : '';
    // The result is the record's own text, shown as it was recorded.
    const result = oneLine(e.result, max);
    const action = lookup(lang, `audit.action.${e.action}`) ?? e.action;
    return (
      t(lang, 'audit.line', { seq: e.seq, when, action: `${action}${step}${request}`, who }) +
      (where.length > 0 ? ` [${where.join(' ')}]` : '') +
      (result ? `: ${result}` : '')
    );
  });
  if (lines.length === 0) lines.push(t(lang, 'audit.empty'));
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
