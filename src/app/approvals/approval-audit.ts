import type {
  ApprovalRequest,
  ChangeActor,
  ExecutionState,
} from '../../domain/approvals/approval-request';
import type { AuditAction, AuditActor, AuditEvent } from '../../domain/audit/audit-entry';
import type { CommittedChange } from './flow-types';

/** What the audit trail says about one change. */
export interface AuditNote {
  action: AuditAction;
  by: ChangeActor;
  result: string;
  extra?: Record<string, unknown>;
}

export const EXECUTION_AUDIT: Record<ExecutionState, AuditAction> = {
  running: 'job.started',
  succeeded: 'job.finished',
  failed: 'job.failed',
  unknown: 'job.outcome-unknown',
};

/**
 * The audit record of one committed change, serialized. It is committed with the change (the
 * store's audit outbox) and then appended under the key `<request>:v<version>`, so a relay after
 * a crash writes it once: no committed change goes unaudited, none is audited twice.
 */
export function auditRecord(req: ApprovalRequest, note: AuditNote, at: string): string {
  const event: AuditEvent = {
    at,
    actor: auditActor(note.by),
    action: note.action,
    incidentId: req.incidentId,
    server: req.server,
    params: {
      requestId: req.id,
      actionId: req.actionId,
      risk: req.risk,
      command: req.command,
      params: req.params,
      ...note.extra,
    },
    result: note.result,
  };
  return JSON.stringify({ key: `${req.id}:v${req.version}`, event });
}

export function readAuditRecord(record: string): { key: string; event: AuditEvent } {
  return JSON.parse(record) as { key: string; event: AuditEvent };
}

/** The change a record's key names, as `onCommitted` hears of it; null for a key of another shape. */
export function committedChangeOf(key: string, event: AuditEvent): CommittedChange | null {
  const m = /^(.*):v(\d+)$/.exec(key);
  if (!m) return null;
  return {
    requestId: m[1] as string,
    version: Number(m[2]),
    incidentId: event.incidentId,
    at: event.at,
  };
}

/** The request an audit record is about (its key is `<request>:v<version>`), for the error log. */
export function requestIdOf(record: string): string {
  try {
    const { key } = readAuditRecord(record);
    return /^(.*):v\d+$/.exec(key)?.[1] ?? key;
  } catch {
    return '(unreadable audit record)';
  }
}

function auditActor(a: ChangeActor): AuditActor {
  return {
    platform: a.platform,
    id: a.id,
    ...(a.displayName ? { displayName: a.displayName } : {}),
  };
}
