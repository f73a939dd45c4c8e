import type { AuditReader } from '../app/audit/ports';
import type { Logger } from './logger';

/**
 * Writes the audit chain's head to the log output now and then. The log leaves this machine (log
 * shipping, SIEM), so someone who rewrites the whole chain in Redis, hashes and all, still cannot
 * make it agree with the checkpoints already logged: `audit verify --checkpoint seq:hash` checks.
 */
export function startAuditCheckpoints(
  reader: Pick<AuditReader, 'head'>,
  logger: Logger,
  intervalMs: number,
): { stop(): void; checkpoint(): Promise<void> } {
  let last: string | null = null;
  const checkpoint = async (): Promise<void> => {
    try {
      const head = await reader.head();
      if (!head) return;
      const key = `${head.seq}:${head.hash}`;
      if (key === last) return;
      last = key;
      logger.info(
        { auditCheckpoint: { seq: head.seq, hash: head.hash, verify: key } },
        'audit checkpoint',
      );
    } catch (err) {
      logger.warn({ err }, 'audit checkpoint failed; will retry');
    }
  };
  const timer = intervalMs > 0 ? setInterval(() => void checkpoint(), intervalMs) : null;
  timer?.unref();
  return {
    checkpoint,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
