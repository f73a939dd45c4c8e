import { PLATFORM_RULES } from '../../adapters/registry';
import {
  createApprovalFlow,
  type ApprovalFlow,
  type CommittedChange,
} from '../app/approvals/approval-flow';
import { emptyPolicy } from '../domain/approvals/policy';
import { createPolicyProvider, type ReloadReport } from '../app/approvals/policy-provider';
import type {
  ApprovedJobSink,
  GroupResolver,
  IdentityResolver,
  PolicySource,
} from '../app/approvals/ports';
import type { Config } from '../infra/config/load-config';
import type { IncidentStore } from '../app/intake/ports';
import { startAuditCheckpoints } from '../infra/audit-checkpoints';
import type { Logger } from '../infra/logger';
import { withApprovalMetrics, type AppMetrics } from '../infra/metrics';
import { policyFile, watchPolicy } from '../infra/files/policy-file';
import type { RedisClient } from '../infra/redis/redis';
import { createRedisApprovalStore } from '../infra/redis/redis-approval-store';
import { createRedisAuditLog, type RedisAuditLog } from '../infra/redis/redis-audit-log';

export interface StartApprovalsOptions {
  config: Config;
  redis: RedisClient;
  logger: Logger;
  /** The signed BullMQ job producer (issue 4). */
  jobs: ApprovedJobSink;
  groups?: GroupResolver;
  identities?: IdentityResolver;
  incidents?: Pick<IncidentStore, 'get'>;
  siteOf?: (server: string) => string | null;
  /** Told of every committed request change (the chat redraw event; see approval-flow.ts). */
  onCommitted?: (change: CommittedChange) => Promise<void>;
  /** How often pending requests past their time are expired (every replica may do it). */
  expireIntervalMs?: number;
  /** How often approved requests whose hand-off did not finish are handed on again. */
  relayIntervalMs?: number;
  /** Counts approval changes (exchops_approvals_total) as they are audited. */
  metrics?: AppMetrics;
}

export interface ApprovalsRuntime {
  flow: ApprovalFlow;
  audit: RedisAuditLog;
  policy: PolicySource;
  /** Writes an audit checkpoint to the log now (also done every AUDIT_CHECKPOINT_MINUTES). */
  checkpoint(): Promise<void>;
  stop(): void;
}

/**
 * Wires approvals and the audit trail for one bot process: loads the policy (an invalid file stops
 * start-up with every problem listed), reloads it on an interval and SIGHUP, expires requests,
 * relays approved jobs, and logs audit checkpoints. The composition root calls this once.
 */
export async function startApprovals(options: StartApprovalsOptions): Promise<ApprovalsRuntime> {
  const { config, redis } = options;
  const logger = options.logger.child({ component: 'approvals' });
  const audit = createRedisAuditLog(redis, { prefix: config.redisPrefix });
  const stops: Array<() => void> = [];

  let policy: PolicySource;
  if (config.approvalPolicyPath) {
    const provider = createPolicyProvider({
      platforms: PLATFORM_RULES,
      text: policyFile(config.approvalPolicyPath),
      audit,
      onReport: (report: ReloadReport) => {
        if (report.outcome === 'loaded') {
          logger.info({ policy: report.source, digest: report.digest }, 'approval policy loaded');
        } else if (report.outcome === 'rejected') {
          logger.error(
            { policy: report.source, keptDigest: report.keptDigest, err: report.error.message },
            'approval policy reload rejected; the last good policy stays in force',
          );
        }
      },
    });
    await provider.load();
    stops.push(
      watchPolicy(provider, { intervalMs: config.approvalPolicyReloadMs, sighup: true }).stop,
    );
    policy = provider;
  } else {
    logger.warn('APPROVAL_POLICY is not set: nobody holds a role, nothing can be asked for');
    const none = emptyPolicy();
    policy = { current: () => none };
  }

  const flow = createApprovalFlow({
    store: createRedisApprovalStore(redis, {
      prefix: config.redisPrefix,
      retentionMs: config.incidentRetentionMs,
    }),
    policy,
    jobs: options.jobs,
    audit: options.metrics ? withApprovalMetrics(audit, options.metrics) : audit,
    ttlMs: config.approvalTtlMs,
    groups: options.groups,
    identities: options.identities,
    incidents: options.incidents,
    siteOf: options.siteOf,
    ...(options.onCommitted ? { onCommitted: options.onCommitted } : {}),
    onError: (what, err, requestId) =>
      logger.error(
        { err, requestId },
        what === 'audit'
          ? 'audit entry for an approval change not written yet; the relay will retry'
          : 'approved job not queued yet; the relay will retry',
      ),
  });

  const every = (ms: number, run: () => Promise<unknown>, what: string) => {
    const timer = setInterval(() => {
      run().catch((err: unknown) => logger.warn({ err }, `${what} failed; will retry`));
    }, ms);
    timer.unref();
    stops.push(() => clearInterval(timer));
  };
  every(options.expireIntervalMs ?? 15_000, () => flow.expireDue(), 'approval expiry');
  every(options.relayIntervalMs ?? 10_000, () => flow.relayApproved(), 'approved-job relay');
  every(options.relayIntervalMs ?? 10_000, () => flow.relayAudit(), 'approval audit relay');
  const checkpoints = startAuditCheckpoints(audit, logger, config.auditCheckpointMs);
  stops.push(checkpoints.stop);

  return {
    flow,
    audit,
    policy,
    checkpoint: checkpoints.checkpoint,
    stop: () => stops.forEach((s) => s()),
  };
}
