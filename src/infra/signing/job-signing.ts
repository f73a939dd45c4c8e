import { createHash } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { stableStringify } from '../../domain/shared/stable-json';
import type { GrantClaims } from '../../domain/remediation/signed-approval';
import type { ActionOutcome } from '../../domain/actions/outcome';

/**
 * The signatures between the bot and its workers, as JWS (HS256) via `jose`: a standard envelope
 * with a key id (`kid`), an expiry (`exp`) and a token id (`jti`) rather than a home-made format.
 * Keys have ids so they can be rotated without draining the queues: the first key signs, every
 * listed key is accepted (JOB_SIGNING_KEYS, docs/operations.md).
 */
export interface SigningKey {
  id: string;
  secret: string;
}

export interface KeyRing {
  /** The key new tokens are signed with (the first listed). */
  activeKeyId: string;
  sign(payload: JWTPayload, expiresAt?: Date): Promise<string>;
  verify(
    token: string,
    now: Date,
  ): Promise<{ ok: true; payload: JWTPayload; kid: string } | { ok: false; reason: string }>;
}

const ALG = 'HS256';

export function createKeyRing(keys: readonly SigningKey[]): KeyRing {
  const first = keys[0];
  if (!first) throw new Error('no job signing key');
  const secrets = new Map(keys.map((k) => [k.id, new TextEncoder().encode(k.secret)]));
  const active = secrets.get(first.id) as Uint8Array;
  return {
    activeKeyId: first.id,
    async sign(payload, expiresAt) {
      const jwt = new SignJWT(payload)
        .setProtectedHeader({ alg: ALG, kid: first.id, typ: 'JWT' })
        .setIssuedAt();
      if (expiresAt) jwt.setExpirationTime(Math.floor(expiresAt.getTime() / 1000));
      return jwt.sign(active);
    },
    async verify(token, now) {
      let kid = '';
      try {
        const { payload, protectedHeader } = await jwtVerify(
          token,
          (header) => {
            kid = header.kid ?? '';
            const secret = secrets.get(kid);
            // A key no longer listed, or never: say which id, never a secret.
            if (!secret) throw new UnknownKeyError(kid);
            return secret;
          },
          { algorithms: [ALG], currentDate: now },
        );
        return { ok: true, payload, kid: protectedHeader.kid ?? '' };
      } catch (err) {
        return { ok: false, reason: describeFailure(err, kid) };
      }
    },
  };
}

class UnknownKeyError extends Error {
  constructor(readonly kid: string) {
    super(`signed with key "${kid}", which is not among JOB_SIGNING_KEYS`);
  }
}

function describeFailure(err: unknown, kid: string): string {
  if (err instanceof UnknownKeyError) return err.message;
  if (err instanceof errors.JWTExpired) return 'the grant has expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return `the signature is not valid (altered, or not signed with key "${kid}")`;
  }
  return 'the signature is not a valid JWS';
}

export function sha256(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

/** A job's grant: what it may do, for whom, who approved, until when (claims in the domain). */
export async function signJobGrant(ring: KeyRing, claims: GrantClaims, expiresAt: Date) {
  return ring.sign({ ...claims, jti: claims.jobId }, expiresAt);
}

export type GrantVerification =
  | { ok: true; claims: GrantClaims; kid: string; expiresAtMs: number }
  | { ok: false; reason: string };

export async function verifyJobGrant(
  ring: KeyRing,
  token: unknown,
  now: Date,
): Promise<GrantVerification> {
  if (typeof token !== 'string' || token.length === 0) {
    return { ok: false, reason: 'the job carries no grant' };
  }
  const v = await ring.verify(token, now);
  if (!v.ok) return { ok: false, reason: `grant refused: ${v.reason}` };
  const p = v.payload as JWTPayload & Partial<GrantClaims>;
  if (
    typeof p.jobId !== 'string' ||
    p.jti !== p.jobId ||
    typeof p.actionId !== 'string' ||
    typeof p.exp !== 'number'
  ) {
    return { ok: false, reason: 'grant refused: it is not a job grant' };
  }
  return { ok: true, claims: p as GrantClaims, kid: v.kid, expiresAtMs: p.exp * 1000 };
}

/** A result as the worker puts it on the results queue: the outcome and the worker's signature. */
export type SignedOutcome = ActionOutcome & { signature: string };

/**
 * What the worker's signature on a result binds: the job, its status, a digest of everything else
 * it reports, and whether the job itself carried a valid grant (a refusal of a forged job is
 * signed too, but may not move a request or run).
 */
interface OutcomeClaims {
  jobId: string;
  status: ActionOutcome['status'];
  outcomeDigest: string;
  granted: boolean;
}

export function outcomeDigest(outcome: ActionOutcome): string {
  const { signature: _s, ...rest } = outcome as Partial<SignedOutcome>;
  return sha256(rest);
}

export async function signOutcome(
  ring: KeyRing,
  outcome: ActionOutcome,
  granted: boolean,
): Promise<SignedOutcome> {
  const claims: OutcomeClaims = {
    jobId: outcome.jobId,
    status: outcome.status,
    outcomeDigest: outcomeDigest(outcome),
    granted,
  };
  // No expiry: the bot may be down for a while and still owes the result its handling.
  const signature = await ring.sign({ ...claims, jti: `result-${outcome.jobId}` });
  return { ...outcome, signature };
}

export type OutcomeVerification =
  { ok: true; granted: boolean; kid: string } | { ok: false; reason: string };

/** The bot's check of one result: signed by a listed key, and for exactly this outcome. */
export async function verifyOutcome(
  ring: KeyRing,
  data: unknown,
  now: Date,
): Promise<OutcomeVerification> {
  const o = data as Partial<SignedOutcome> | null;
  if (!o || typeof o !== 'object' || typeof o.signature !== 'string') {
    return { ok: false, reason: 'the result is not signed' };
  }
  const v = await ring.verify(o.signature, now);
  if (!v.ok) return { ok: false, reason: v.reason };
  const p = v.payload as JWTPayload & Partial<OutcomeClaims>;
  if (p.jobId !== o.jobId) return { ok: false, reason: `the signature is for job ${p.jobId}` };
  if (p.status !== o.status)
    return { ok: false, reason: `the signature is for status ${p.status}` };
  if (p.outcomeDigest !== outcomeDigest(o as ActionOutcome)) {
    return { ok: false, reason: 'the result differs from what the worker signed' };
  }
  return { ok: true, granted: p.granted === true, kid: v.kid };
}
