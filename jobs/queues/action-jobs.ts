import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { buildCommand } from '../../src/domain/actions';
import { siteFor, type Inventory } from '../../src/domain/inventory/inventory';
import type { Actor } from '../../src/domain/identity/actor';
import { grantClaimsFor, type ApprovalGrant } from '../../src/domain/remediation/signed-approval';
import { signJobGrant, type KeyRing } from '../../src/infra/signing/job-signing';
import { actionQueueName } from './names';

/**
 * Action jobs: what the bot asks a worker to run. A job carries an action id and parameters, never
 * command text; the worker builds and quotes the command itself. Each site has its own queue, so a
 * worker near its Exchange servers takes only their jobs.
 */
/** Who asked: any platform id (jobs are checked by their signature, not by who is named). */
const actorSchema = z.object({
  platform: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a platform id'),
  id: z.string().min(1).max(200),
  displayName: z.string().max(200).optional(),
});

/** Checked by the worker on every job: Redis is shared, so job data is input like any other. */
export const actionJobSchema = z
  .object({
    actionId: z.string().min(1).max(100),
    params: z.record(z.string(), z.unknown()),
    incidentId: z.string().max(100).nullable(),
    runId: z.string().max(100).nullable(),
    stepId: z.string().max(200).nullable(),
    requestedBy: actorSchema,
    /** The job's grant, a JWS the bot signed for exactly this job (see signed-approval.ts). */
    grant: z
      .string()
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a JWS')
      .max(16_000)
      // Optional here so a job without one is refused for that reason, not as malformed.
      .optional(),
    enqueuedAt: z.string(),
  })
  .strict();

export type ActionJobData = z.infer<typeof actionJobSchema>;

export type { ActionOutcome, ActionStatus } from '../../src/domain/actions/outcome';

export interface EnqueueRequest {
  actionId: string;
  params: Record<string, unknown>;
  incidentId?: string | null;
  runId?: string | null;
  stepId?: string | null;
  requestedBy: Actor;
  /** What a person approved; a change needs one, a read has none. */
  approval?: ApprovalGrant | null;
  /** Makes enqueueing idempotent (e.g. one job per approval or per run step). */
  jobId?: string;
  /** Start no earlier than this many ms from now (a runbook's wait, a repeat's interval). */
  delayMs?: number;
}

export type EnqueueResult =
  | {
      ok: true;
      jobId: string;
      site: string;
      command: string;
      /** Held by the remediation gate (jobs/remediation/gated-producer.ts): why, per language. */
      held?: Readonly<Record<string, string>> | undefined;
    }
  | { ok: false; reason: string };

/**
 * The bot's side: validates the action and its parameters, finds the site, and adds the job.
 * Reads are retried on transient errors; changes get exactly one attempt.
 */
/** How long a read's grant holds after its planned start: a check older than that is stale. */
export const READ_GRANT_TTL_MS = 60 * 60 * 1000;

export function createActionProducer(options: {
  connection: ConnectionOptions;
  bullPrefix: string;
  inventory: Inventory | null;
  /** Signs every job's grant (JOB_SIGNING_KEYS); without it nothing can be queued. */
  signing: KeyRing | null;
}) {
  const queues = new Map<string, Queue<ActionJobData>>();
  const queueFor = (site: string): Queue<ActionJobData> => {
    let q = queues.get(site);
    if (!q) {
      q = new Queue<ActionJobData>(actionQueueName(site), {
        connection: options.connection,
        prefix: options.bullPrefix,
      });
      // The connection's own listener logs Redis errors (an enqueue then fails and says so);
      // without this one BullMQ prints each of them again, with its stack, via console.error.
      q.on('error', () => undefined);
      queues.set(site, q);
    }
    return q;
  };

  async function enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const built = buildCommand(req.actionId, req.params);
    if (!built.ok) {
      return { ok: false, reason: built.errors.map((e) => `${e.param}: ${e.reason}`).join('; ') };
    }
    const server = String(built.params.server);
    const site = siteFor(options.inventory, server);
    if (!site.ok) return { ok: false, reason: site.reason };
    const needsApproval = built.action.risk !== 'read';
    if (needsApproval && !req.approval) {
      return {
        ok: false,
        reason: `${built.action.id} is a ${built.action.risk} action and needs an approval`,
      };
    }
    if (!options.signing)
      return { ok: false, reason: 'JOB_SIGNING_KEYS is not set: cannot sign the job' };
    const jobId =
      req.jobId ?? (req.approval ? `approval-${req.approval.approvalId}` : `check-${randomUUID()}`);
    const bound = {
      jobId,
      actionId: built.action.id,
      // As the worker will read them back from Redis, so both sides digest the same JSON.
      params: JSON.parse(JSON.stringify(built.params)) as Record<string, unknown>,
      incidentId: req.incidentId ?? null,
      runId: req.runId ?? null,
      stepId: req.stepId ?? null,
      requestedBy: req.requestedBy,
    };
    const claims = grantClaimsFor(bound, needsApproval ? (req.approval ?? null) : null);
    if (!claims.ok) return { ok: false, reason: claims.reason };
    const expiresAt =
      needsApproval && req.approval
        ? new Date(req.approval.expiresAt)
        : new Date(Date.now() + Math.max(req.delayMs ?? 0, 0) + READ_GRANT_TTL_MS);
    if (!Number.isFinite(expiresAt.getTime())) {
      return { ok: false, reason: 'the approval has no valid expiry' };
    }
    const { jobId: _jobId, ...fields } = bound;
    const data: ActionJobData = {
      ...fields,
      grant: await signJobGrant(options.signing, claims.claims, expiresAt),
      enqueuedAt: new Date().toISOString(),
    };
    const opts: JobsOptions = needsApproval
      ? {
          jobId,
          attempts: 1,
          removeOnComplete: { age: 30 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        }
      : {
          jobId,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        };
    if (req.delayMs !== undefined && req.delayMs > 0) opts.delay = req.delayMs;
    await queueFor(site.site).add(built.action.id, data, opts);
    return { ok: true, jobId, site: site.site, command: built.command };
  }

  return {
    enqueue,
    queueFor,
    async close(): Promise<void> {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type ActionProducer = ReturnType<typeof createActionProducer>;
