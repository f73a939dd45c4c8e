import type { AuditEvent } from './audit-entry';
import { GENESIS_HASH, chainEntry, hashEntry } from './hash-chain';
import { TRICKY_VALUE } from '../../../test/fixtures/tricky-json';

/**
 * Hashes computed by the hash chain as it was before the canonical JSON became one shared,
 * iterative function: entries already in Redis must still verify, so these must never change.
 */
const event: AuditEvent = {
  at: '2026-11-27T03:00:01.000Z',
  actor: { platform: 'slack', id: 'U012ANA01', displayName: 'Ana' },
  action: 'approval.approved',
  incidentId: 'INC-7',
  server: 'EX01.contoso.com',
  params: TRICKY_VALUE,
  result: 'approved by Ana',
};

const FIRST = 'ffec4cb58e43b37d47f0cc78fd3573fbeea0581e8895a9d631d45c3f165b7d02';
const SECOND = '51f854e1445a82131c1f99b9e0fa26385df82f6058a04e26f8d4d5bd4baed3d1';

test('entry hashes are the same as the ones already stored', () => {
  expect(hashEntry(event, 1, GENESIS_HASH)).toBe(FIRST);
  expect(hashEntry({ ...event, incidentId: null, server: null, params: {} }, 2, FIRST)).toBe(
    SECOND,
  );
});

test('a chained entry carries its position, the previous hash and its own', () => {
  expect(chainEntry(event, 1, GENESIS_HASH)).toEqual({
    ...event,
    seq: 1,
    prevHash: GENESIS_HASH,
    hash: FIRST,
  });
});
