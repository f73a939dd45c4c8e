import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import type { ApprovedJobSink } from '../../src/app/approvals/ports';
import type { Actor } from '../../src/domain/identity/actor';
import type { ApprovalGrant } from '../../src/domain/remediation/signed-approval';
import type { ActionProducer } from '../queues/action-jobs';

/**
 * Turns an approved request into an action job whose grant (signed by the producer) names the
 * approval and its approvers. The job id is the approval's id, so the approval flow's relay may
 * hand the same approval over twice and still make one job.
 */
export function createSignedJobSink(producer: ActionProducer): ApprovedJobSink {
  return {
    async enqueue(approval: ApprovalRequest): Promise<void> {
      const requester = toActor(approval.requester);
      const approver = approval.approvedBy ? toActor(approval.approvedBy) : requester;
      const grant: ApprovalGrant = {
        approvalId: approval.id,
        actionId: approval.actionId,
        params: approval.params,
        incidentId: approval.incidentId,
        requester,
        approvers: [approver],
        approvedAt: approval.approvedAt ?? new Date().toISOString(),
        // The job must start before the request would have expired.
        expiresAt: approval.expiresAt,
        ...(approval.breakGlass ? { breakGlassReason: approval.breakGlass.reason } : {}),
      };
      const result = await producer.enqueue({
        actionId: approval.actionId,
        params: approval.params,
        incidentId: approval.incidentId,
        runId: approval.runId ?? null,
        stepId: approval.stepId ?? null,
        requestedBy: requester,
        approval: approval.risk === 'read' ? null : grant,
        jobId: `approval-${approval.id.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      });
      if (!result.ok) throw new Error(`approved job not queued: ${result.reason}`);
    },
  };
}

function toActor(a: Actor): Actor {
  return {
    platform: a.platform,
    id: a.id,
    ...(a.displayName ? { displayName: a.displayName } : {}),
  };
}
