import { createHash } from 'node:crypto';
import { stableStringify } from '../shared/stable-json';
import type { AuditEntry, AuditEvent } from './audit-entry';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

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
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

export function chainEntry(event: AuditEvent, seq: number, prevHash: string): AuditEntry {
  return { ...event, seq, prevHash, hash: hashEntry(event, seq, prevHash) };
}
