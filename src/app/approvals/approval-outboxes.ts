import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Clock } from '../intake/ports';
import { outboxRelay, type OutboxRelay } from '../shared/outbox-relay';
import { committedChangeOf, readAuditRecord, requestIdOf } from './approval-audit';
import type { ApprovalFlowDeps } from './flow-types';

export interface ApprovalOutboxes {
  /** Audit records of committed changes (serialized, see approval-audit.ts). */
  audits: OutboxRelay<string>;
  /** Approved requests on their way to the job sink. */
  approved: OutboxRelay<ApprovalRequest>;
}

/**
 * What a committed request change still owes, each committed in the same write as the change and
 * handed on right after it, or by the relay after a crash or an outage.
 */
export function approvalOutboxes(
  deps: Pick<ApprovalFlowDeps, 'store' | 'audit' | 'jobs' | 'onCommitted' | 'onError'>,
  clock: Clock,
): ApprovalOutboxes {
  /**
   * Audit records: appended under their key (so twice is harmless), told to `onCommitted`, then
   * taken out of the audit outbox.
   */
  const audits = outboxRelay<string>(
    {
      pending: (olderThanMs) => deps.store.pendingAudits(olderThanMs, clock().getTime()),
      done: (record) => deps.store.markAudited(record),
    },
    async (record) => {
      const { key, event } = readAuditRecord(record);
      await deps.audit.append(event, { idempotencyKey: key });
      const change = deps.onCommitted ? committedChangeOf(key, event) : null;
      if (change) await deps.onCommitted?.(change);
    },
    (err, record) => deps.onError?.('audit', err, requestIdOf(record)),
  );

  /**
   * Approved requests, handed to the job sink (idempotent by request id), then taken out of the
   * job outbox. The relay reads each waiting request afresh; one that is gone (past retention)
   * only leaves the outbox.
   */
  const approved = outboxRelay<ApprovalRequest>(
    {
      pending: async (olderThanMs) => {
        const ids = await deps.store.pendingEnqueues(olderThanMs, clock().getTime());
        const found: ApprovalRequest[] = [];
        for (const id of ids) {
          const req = await deps.store.get(id);
          if (req) found.push(req);
          else await deps.store.markEnqueued(id);
        }
        return found;
      },
      done: (req) => deps.store.markEnqueued(req.id),
    },
    (req) => deps.jobs.enqueue(req),
    (err, req) => deps.onError?.('enqueue', err, req.id),
  );

  return { audits, approved };
}
