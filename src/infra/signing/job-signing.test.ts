import { decodeProtectedHeader, decodeJwt } from 'jose';
import { grantClaimsFor } from '../../domain/remediation/signed-approval';
import type { ActionOutcome } from '../../domain/actions/outcome';
import {
  createKeyRing,
  signJobGrant,
  signOutcome,
  verifyJobGrant,
  verifyOutcome,
} from './job-signing';

const k1 = { id: 'k1', secret: '1'.repeat(32) };
const k2 = { id: 'k2', secret: '2'.repeat(32) };
const now = new Date('2026-12-01T10:00:00Z');
const job = {
  jobId: 'check-1',
  actionId: 'get-server-health',
  params: { server: 'EX01' },
  incidentId: null,
  runId: null,
  stepId: null,
  requestedBy: { platform: 'console', id: 'alice' },
};
const claims = (() => {
  const c = grantClaimsFor(job, null);
  if (!c.ok) throw new Error(c.reason);
  return c.claims;
})();

test('a grant is a JWS (HS256) with kid, exp and jti, signed with the first key', async () => {
  const token = await signJobGrant(
    createKeyRing([k2, k1]),
    claims,
    new Date(now.getTime() + 60_000),
  );
  expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', kid: 'k2' });
  expect(decodeJwt(token)).toMatchObject({
    jti: 'check-1',
    exp: Math.floor(now.getTime() / 1000) + 60,
    actionId: 'get-server-health',
  });
});

test('rotation: any listed key verifies until the grant expires; an unlisted one does not', async () => {
  const old = await signJobGrant(createKeyRing([k1]), claims, new Date(now.getTime() + 60_000));
  expect(await verifyJobGrant(createKeyRing([k2, k1]), old, now)).toMatchObject({
    ok: true,
    kid: 'k1',
  });
  expect(await verifyJobGrant(createKeyRing([k2]), old, now)).toEqual({
    ok: false,
    reason: 'grant refused: signed with key "k1", which is not among JOB_SIGNING_KEYS',
  });
  expect(
    await verifyJobGrant(createKeyRing([k2, k1]), old, new Date(now.getTime() + 61_000)),
  ).toEqual({ ok: false, reason: 'grant refused: the grant has expired' });
  // The same id with another secret: a wrong signature, not a match.
  expect(
    await verifyJobGrant(createKeyRing([{ id: 'k1', secret: 'x'.repeat(32) }]), old, now),
  ).toMatchObject({ ok: false, reason: expect.stringMatching(/signature is not valid/) });
});

test('a result signature binds the job, its status and everything it reports', async () => {
  const outcome: ActionOutcome = {
    jobId: 'check-1',
    actionId: 'get-server-health',
    params: { server: 'EX01' },
    incidentId: null,
    runId: null,
    stepId: null,
    site: 'default',
    workerId: 'w1',
    status: 'succeeded',
    raw: '{}',
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    durationMs: 5,
  };
  const signed = await signOutcome(createKeyRing([k1]), outcome, true);
  const bot = createKeyRing([k2, k1]);
  expect(await verifyOutcome(bot, signed, now)).toEqual({ ok: true, granted: true, kid: 'k1' });
  expect(await verifyOutcome(bot, outcome, now)).toEqual({
    ok: false,
    reason: 'the result is not signed',
  });
  for (const altered of [
    { ...signed, jobId: 'approval-APR-1' },
    { ...signed, status: 'failed' },
    { ...signed, params: { server: 'EX02' } },
    { ...signed, parsed: { forged: true } },
  ]) {
    expect(await verifyOutcome(bot, altered, now)).toMatchObject({ ok: false });
  }
});
