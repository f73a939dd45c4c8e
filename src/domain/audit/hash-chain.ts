import { createHash } from 'node:crypto';
import type { AuditEntry, AuditEvent } from './audit-entry';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so the same entry always hashes the same no matter
 * how it was built or stored.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined (absent) and functions never reach here from our entries; JSON drops them.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** SHA-256 over the entry's content, its position and the previous hash. */
export function hashEntry(event: AuditEvent, seq: number, prevHash: string): string {
  const body = {
    seq,
    prevHash,
    at: event.at,
    actor: event.actor,
    action: event.action,
    incidentId: event.incidentId,
    server: event.server,
    params: event.params,
    result: event.result,
  };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function chainEntry(event: AuditEvent, seq: number, prevHash: string): AuditEntry {
  return { ...event, seq, prevHash, hash: hashEntry(event, seq, prevHash) };
}
