import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';

/** A pending destructive request (restart EX01), as the approval flow stores one. */
export function sampleRequest(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: 'APR-1',
    version: 1,
    state: 'pending',
    incidentId: 'INC-3',
    actionId: 'restart-server',
    title: 'Restart the server',
    risk: 'destructive',
    params: { server: 'EX01' },
    command:
      "Restart-Computer -ComputerName 'EX01' -Force -Wait -For PowerShell -Timeout 1800 -Delay 5",
    server: 'EX01',
    site: 'HQ',
    requester: { platform: 'slack', id: 'U012ANA01', displayName: 'Ana' },
    requestedAt: '2026-11-27T03:00:00.000Z',
    expiresAt: '2026-11-27T03:15:00.000Z',
    note: null,
    autoApproved: false,
    approvedBy: null,
    approvedAt: null,
    breakGlass: null,
    rejectedBy: null,
    rejectReason: null,
    execution: null,
    history: [],
    ...over,
  };
}
