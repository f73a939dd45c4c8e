import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links to a step's full output (a card's thread shows it cut to fit). Signed, so only someone
 * who was given the link can read it: outputs may name servers and databases. The key is derived
 * from JOB_SIGNING_KEY for this one purpose.
 */
export function resultLinkKey(signingKey: string): Buffer {
  return createHmac('sha256', signingKey).update('exchange-chatops result links v1').digest();
}

function sign(key: Buffer, incidentId: string, jobId: string): string {
  return createHmac('sha256', key).update(`${incidentId}\n${jobId}`).digest('base64url');
}

export function resultLink(base: string, key: Buffer, incidentId: string, jobId: string): string {
  const path = `/results/${encodeURIComponent(incidentId)}/${encodeURIComponent(jobId)}`;
  return `${base}${path}?sig=${sign(key, incidentId, jobId)}`;
}

export function verifyResultLink(
  key: Buffer,
  incidentId: string,
  jobId: string,
  sig: string,
): boolean {
  const expected = Buffer.from(sign(key, incidentId, jobId));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
