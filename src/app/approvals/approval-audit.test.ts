import type { AuditEvent } from '../../domain/audit/audit-entry';
import { committedChangeOf, readAuditRecord, requestIdOf } from './approval-audit';

const event: AuditEvent = {
  at: '2026-11-27T03:00:00.000Z',
  actor: { platform: 'slack', id: 'U1' },
  action: 'approval.approved',
  incidentId: 'INC-4',
  server: 'EX01',
  params: {},
  result: 'approved',
};

test('a record key names the request and version of the committed change', () => {
  expect(committedChangeOf('APR-12:v3', event)).toEqual({
    requestId: 'APR-12',
    version: 3,
    incidentId: 'INC-4',
    at: event.at,
  });
  expect(committedChangeOf('not a key', event)).toBeNull();
});

test('the request of a record, for the error log, even from an unreadable one', () => {
  const record = JSON.stringify({ key: 'APR-12:v3', event });
  expect(readAuditRecord(record)).toEqual({ key: 'APR-12:v3', event });
  expect(requestIdOf(record)).toBe('APR-12');
  expect(requestIdOf('{')).toBe('(unreadable audit record)');
});
