import type { StoredAuditEntry } from './audit-entry';
import { GENESIS_HASH, hashEntry } from './hash-chain';

/** Every top-level field an entry may have; anything else was added outside the hash. */
const ENTRY_FIELDS = new Set([
  'seq',
  'prevHash',
  'hash',
  'at',
  'actor',
  'action',
  'incidentId',
  'server',
  'params',
  'result',
]);

/** A head hash someone wrote down (the log's checkpoints): the chain must still pass through it. */
export interface Checkpoint {
  seq: number;
  hash: string;
}

export interface BrokenEntry {
  /** The Redis stream id of the first entry that does not fit (or `(head)` / `(checkpoint)`). */
  id: string;
  seq: number | null;
  reason: string;
}

export type VerifyResult =
  | { ok: true; entries: number; head: { seq: number; hash: string } }
  | { ok: false; entries: number; broken: BrokenEntry };

/**
 * Walks the chain in stream order and stops at the first entry that does not fit: one whose
 * content no longer matches its hash (edited), whose position skips (deleted before it) or
 * repeats (inserted), or whose previous hash is not its predecessor's. The stored head, when
 * given, catches entries cut off the end; checkpoints catch a chain rewritten from an earlier point.
 */
export class ChainVerifier {
  private seq = 0;
  private hash = GENESIS_HASH;
  private count = 0;
  private broken: BrokenEntry | null = null;
  private readonly checkpoints: Map<number, string>;

  constructor(checkpoints: readonly Checkpoint[] = []) {
    this.checkpoints = new Map(checkpoints.map((c) => [c.seq, c.hash]));
  }

  /** Feeds the next entry; false once the chain is broken (stop reading). */
  add(stored: StoredAuditEntry): boolean {
    if (this.broken) return false;
    const e = stored.entry;
    const fail = (reason: string): boolean => {
      this.broken = { id: stored.id, seq: e?.seq ?? null, reason };
      return false;
    };
    if (!e) return fail('the entry is unreadable, or its stream fields disagree with its content');
    const expectedSeq = this.seq + 1;
    if (e.seq !== expectedSeq) {
      return fail(
        e.seq > expectedSeq
          ? `position ${e.seq} follows ${this.seq}: ${e.seq - expectedSeq} entr${e.seq - expectedSeq === 1 ? 'y is' : 'ies are'} missing before it`
          : `position ${e.seq} repeats or goes back after ${this.seq}: this entry, or one just before it, was inserted`,
      );
    }
    if (e.prevHash !== this.hash) {
      return fail(`its previous hash does not match entry ${this.seq}: the chain was altered`);
    }
    const extra = Object.keys(e).filter((k) => !ENTRY_FIELDS.has(k));
    if (extra.length > 0) {
      return fail(`it has fields the hash does not cover (${extra.join(', ')}): it was edited`);
    }
    if (hashEntry(e, e.seq, e.prevHash) !== e.hash) {
      return fail('its content does not match its hash: the entry was edited');
    }
    const pinned = this.checkpoints.get(e.seq);
    if (pinned !== undefined && pinned !== e.hash) {
      return fail(`its hash differs from the checkpoint logged for position ${e.seq}`);
    }
    this.seq = e.seq;
    this.hash = e.hash;
    this.count += 1;
    return true;
  }

  /** The verdict; `head` is the store's record of the last append, when known. */
  finish(head?: { seq: number; hash: string } | null): VerifyResult {
    if (this.broken) return { ok: false, entries: this.count, broken: this.broken };
    if (head && (head.seq !== this.seq || head.hash !== this.hash)) {
      return {
        ok: false,
        entries: this.count,
        broken: {
          id: '(head)',
          seq: head.seq,
          reason:
            head.seq > this.seq
              ? `the head says ${head.seq} entries were written but the chain ends at ${this.seq}: the last ${head.seq - this.seq} were deleted`
              : `the head (position ${head.seq}) does not match the last entry (position ${this.seq})`,
        },
      };
    }
    for (const [seq] of this.checkpoints) {
      if (seq > this.seq) {
        return {
          ok: false,
          entries: this.count,
          broken: {
            id: '(checkpoint)',
            seq,
            reason: `a checkpoint was logged for position ${seq} but the chain ends at ${this.seq}`,
          },
        };
      }
    }
    return { ok: true, entries: this.count, head: { seq: this.seq, hash: this.hash } };
  }
}

/** Verifies a whole chain held in memory. */
export function verifyChain(
  entries: Iterable<StoredAuditEntry>,
  options: { head?: { seq: number; hash: string } | null; checkpoints?: Checkpoint[] } = {},
): VerifyResult {
  const v = new ChainVerifier(options.checkpoints);
  for (const e of entries) if (!v.add(e)) break;
  return v.finish(options.head);
}
