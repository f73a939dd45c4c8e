import type { ApprovalRequest } from './approval-request';
import { shortTime } from '../shared/text';
import { describeActor } from '../identity/actor';

/** What a card shows for one request, platform-neutral; adapters render it as blocks or cards. */
export interface RequestView {
  /** One line for everyone in the channel, e.g. "Approved by Bo (slack:U…) at 03:12:05Z". */
  status: string;
  fields: Array<{ label: string; value: string }>;
  /** The exact PowerShell, for a code block. */
  command: string;
  /** Buttons that may do something now (the click is still checked against the policy). */
  actions: Array<'approve' | 'reject' | 'cancel'>;
}

/** Describes a request for its card. Pure: pass the time the card is drawn. */
export function describeRequest(req: ApprovalRequest, now: Date): RequestView {
  const pending = req.state === 'pending' && now.getTime() < Date.parse(req.expiresAt);
  const status = ((): string => {
    switch (req.state) {
      case 'pending':
        return pending
          ? `Waiting for approval until ${shortTime(req.expiresAt)}`
          : `Expired at ${shortTime(req.expiresAt)}`;
      case 'approved':
        if (req.autoApproved) return 'Runs without approval (queued)';
        return (
          `Approved by ${req.approvedBy ? describeActor(req.approvedBy) : '?'} at ${shortTime(req.approvedAt)}` +
          (req.breakGlass ? ` (break glass: ${req.breakGlass.reason})` : '') +
          ' (queued)'
        );
      case 'rejected':
        return `Rejected by ${req.rejectedBy ? describeActor(req.rejectedBy) : '?'}: ${req.rejectReason ?? ''}`;
      case 'expired':
        return `Expired at ${shortTime(req.expiresAt)} without a decision`;
      case 'cancelled':
        return 'Cancelled by the requester';
      case 'running':
        return `Running since ${shortTime(req.execution?.at ?? null)}`;
      case 'succeeded':
        return `Succeeded${req.execution?.summary ? `: ${req.execution.summary}` : ''}`;
      case 'failed':
        return `Failed${req.execution?.summary ? `: ${req.execution.summary}` : ''}`;
      case 'unknown':
        return 'Outcome unknown: the worker stopped mid-job. Verify with the read-only check.';
    }
  })();
  const fields = [
    { label: 'Step', value: `${req.title} (${req.actionId})` },
    { label: 'Risk', value: req.risk },
    {
      label: 'Server',
      value: req.server ? `${req.server}${req.site ? ` (site ${req.site})` : ''}` : '-',
    },
    {
      label: 'Requested by',
      value: `${describeActor(req.requester)} at ${shortTime(req.requestedAt)}`,
    },
    { label: 'Expires', value: shortTime(req.expiresAt) },
  ];
  if (req.note) fields.push({ label: 'Note', value: req.note });
  if (req.incidentId) fields.unshift({ label: 'Incident', value: req.incidentId });
  return {
    status,
    fields,
    command: req.command,
    actions: pending ? ['approve', 'reject', 'cancel'] : [],
  };
}
