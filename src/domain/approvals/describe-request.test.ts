import type { ApprovalRequest } from './approval-request';
import { describeRequest } from './describe-request';
import { sampleRequest } from '../../../test/support/approval-requests';

const base: ApprovalRequest = sampleRequest();

test('a pending request offers its buttons until it expires', () => {
  const v = describeRequest(base, new Date('2026-11-27T03:05:00Z'));
  expect(v.status).toBe('Waiting for approval until 2026-11-27 03:15:00Z');
  expect(v.actions).toEqual(['approve', 'reject', 'cancel']);
  expect(v.fields[0]).toEqual({ label: 'Incident', value: 'INC-3' });
  expect(v.fields).toContainEqual({ label: 'Server', value: 'EX01 (site HQ)' });
  expect(describeRequest(base, new Date('2026-11-27T03:15:00Z')).actions).toEqual([]);
});

test('every later state is shown to the channel', () => {
  const at = new Date('2026-11-27T03:05:00Z');
  const approved = describeRequest(
    {
      ...base,
      state: 'approved',
      approvedBy: { platform: 'teams', id: 'aad-2', displayName: 'Bo' },
      approvedAt: '2026-11-27T03:04:00.000Z',
      breakGlass: { reason: 'only admin awake' },
    },
    at,
  );
  expect(approved.status).toBe(
    'Approved by Bo (teams:aad-2) at 2026-11-27 03:04:00Z (break glass: only admin awake) (queued)',
  );
  expect(approved.actions).toEqual([]);
  expect(describeRequest({ ...base, state: 'unknown' }, at).status).toMatch(/^Outcome unknown/);
  expect(
    describeRequest(
      { ...base, state: 'failed', execution: { jobId: 'j', summary: 'access denied', at: '' } },
      at,
    ).status,
  ).toBe('Failed: access denied');
});
