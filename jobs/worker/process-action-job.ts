import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { RedisClient } from '../../src/infra/redis/redis';
import { buildCommand, type ActionId } from '../../src/domain/actions';
import type { Logger } from '../../src/infra/logger';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';
import { siteFor, type Inventory } from '../../src/domain/inventory/inventory';
import { checkGrantBinding } from '../../src/domain/remediation/signed-approval';
import { signOutcome, verifyJobGrant, type KeyRing } from '../../src/infra/signing/job-signing';
import type { ActionOutput } from '../../src/domain/actions';
import type { FailoverSeal } from '../../src/domain/actions/params';
import {
  assessSafety,
  limitsOf,
  worseThanSeal,
  type FailoverLimits,
} from '../../src/domain/safety/dag-safety';
import { gatherEvidence, type Read } from '../../src/domain/safety/gather-plan';
import { actionJobSchema, type ActionJobData, type ActionOutcome } from '../queues/action-jobs';
import type { ActionExecutor, ExecutionResult } from './action-executor';
import { acquireServerLock } from './server-lock';
import { markInflight, clearInflight } from '../queues/worker-heartbeat';

export interface ActionProcessorDeps {
  redis: RedisClient;
  keys: RedisKeys;
  site: string;
  workerId: string;
  /** Verifies each job's grant and signs each result (JOB_SIGNING_KEYS). */
  signing: KeyRing;
  inventory: Inventory | null;
  executor: ActionExecutor;
  results: Queue<ActionOutcome>;
  logger: Logger;
  clock?: () => Date;
  /** How long a change waits before trying again for a server another change holds. */
  lockRetryMs?: number;
  serverLockTtlMs?: number;
  /** Move-ActiveMailboxDatabase's limits for the failover pre-check (defaults: the docs'). */
  failoverLimits?: FailoverLimits;
}

/**
 * The worker's handling of one action job. Everything in the job is checked again here, because
 * Redis is shared: the action and parameters are rebuilt from the registry, the server must
 * belong to this worker's site, every job needs a valid, unexpired grant for exactly itself, and
 * a change an unused approval in it. Each result is signed, bound to its job.
 */
export function createActionProcessor(deps: ActionProcessorDeps) {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger.child({ component: 'worker', site: deps.site, workerId: deps.workerId });

  return async function processActionJob(
    job: Job<ActionJobData, ActionOutcome>,
    token?: string,
  ): Promise<ActionOutcome> {
    const startedAt = clock();
    const jobId = String(job.id);
    const base = {
      jobId,
      actionId: String((job.data as Partial<ActionJobData>)?.actionId ?? ''),
      params: {} as Record<string, unknown>,
      incidentId: null as string | null,
      runId: null as string | null,
      stepId: null as string | null,
      site: deps.site,
      workerId: deps.workerId,
      startedAt: startedAt.toISOString(),
    };

    /** Whether the job carried a valid grant: only then may its result move a request or run. */
    let granted = false;
    const report = async (
      o: Omit<ActionOutcome, keyof typeof base | 'finishedAt' | 'durationMs'>,
    ) => {
      const finished = clock();
      const outcome: ActionOutcome = {
        ...base,
        ...o,
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - startedAt.getTime(),
      };
      // The result queue is the durable way back to the bot; its job id makes a repeat harmless.
      await deps.results.add('outcome', await signOutcome(deps.signing, outcome, granted), {
        jobId: `result-${jobId}`,
        // The bot's handling is idempotent by job id: retry it through a Redis hiccup.
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 7 * 24 * 3600 },
      });
      return outcome;
    };

    const refuse = async (reason: string): Promise<never> => {
      log.warn({ jobId, actionId: base.actionId, reason }, 'refused a job');
      await report({ status: 'refused', reason });
      throw new UnrecoverableError(`refused: ${reason}`);
    };

    const parsed = actionJobSchema.safeParse(job.data);
    if (!parsed.success) {
      return refuse(
        `malformed job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const data = parsed.data;
    Object.assign(base, {
      actionId: data.actionId,
      params: data.params,
      incidentId: data.incidentId,
      runId: data.runId,
      stepId: data.stepId,
    });

    const built = buildCommand(data.actionId, data.params);
    if (!built.ok) return refuse(built.errors.map((e) => `${e.param}: ${e.reason}`).join('; '));
    // Before anything runs, reads included: write access to Redis alone must run nothing.
    const verified = await verifyJobGrant(deps.signing, data.grant, clock());
    if (!verified.ok) return refuse(verified.reason);
    const bound = checkGrantBinding(
      { jobId, ...data },
      verified.claims,
      built.action.risk === 'read',
    );
    if (!bound.ok) return refuse(bound.reason);
    granted = true;
    const claims = bound.claims;
    const server = String(built.params.server);
    const site = siteFor(deps.inventory, server);
    if (!site.ok) return refuse(site.reason);
    if (site.site !== deps.site)
      return refuse(`server ${server} belongs to site ${site.site}, not ${deps.site}`);
    const command = built.command;
    const actionId = built.action.id as ActionId;

    const read: Read = async (id, params) => {
      const r = await deps.executor.run(id, params);
      return r.ok && r.parsed !== undefined
        ? { ok: true, output: r.parsed as ActionOutput }
        : { ok: false, error: r.error ?? 'no output' };
    };
    /** The DAG safety evidence, gathered with typed reads, and its verdicts. */
    const safety = async (params: Record<string, unknown>) => {
      const { evidence } = await gatherEvidence(server, read, clock());
      return assessSafety(evidence, clock(), limitsOf(params, deps.failoverLimits));
    };

    if (built.action.gather === 'dag-safety') {
      const parsedSafety = await safety(built.params);
      return report({
        status: 'succeeded',
        command,
        raw: JSON.stringify(parsedSafety.evidence),
        parsed: parsedSafety,
      });
    }

    if (built.action.risk === 'read') {
      const result = await deps.executor.run(actionId, built.params);
      const attempts = job.opts.attempts ?? 1;
      if (!result.ok && job.attemptsMade + 1 < attempts) {
        // A check is safe to repeat: let BullMQ retry it with backoff, report only the last try.
        throw new Error(result.error ?? 'check failed');
      }
      return report(outcomeOf(result, command));
    }

    const approvalId = claims.approvalId as string;
    const lock = await acquireServerLock(
      deps.redis,
      deps.keys.serverLock(server),
      deps.serverLockTtlMs,
    );
    if (!lock) {
      // Another change runs on this server: wait without spending the job's single attempt.
      await job.moveToDelayed(Date.now() + (deps.lockRetryMs ?? 2000), token);
      throw new DelayedError();
    }
    try {
      if (actionId === 'move-active-databases-off') {
        // Again just before the failover: refuse when it is worse than what was approved.
        const now = await safety({});
        const worse = worseThanSeal(
          now.failover,
          built.params.precheck as FailoverSeal | undefined,
        );
        if (worse) return await refuse(`${worse}; nothing was moved: escalate`);
      }
      const useKey = deps.keys.approvalUse(approvalId);
      const keepMs = Math.max(verified.expiresAtMs - Date.now(), 0) + 7 * 24 * 3600 * 1000;
      const first = await deps.redis.set(useKey, jobId, 'PX', keepMs, 'NX');
      if (first !== 'OK') {
        const usedBy = await deps.redis.get(useKey);
        if (usedBy === jobId) {
          // We took this job before and did not finish: it may have run. Never run it twice.
          const reason =
            'the worker stopped while running this change; it may or may not have run: verify';
          log.error({ jobId, actionId, server }, 'outcome unknown');
          await report({ status: 'unknown', reason, command });
          await clearInflight(deps.redis, deps.keys, jobId);
          throw new UnrecoverableError(reason);
        }
        return await refuse(`approval ${approvalId} was already used by job ${usedBy ?? '?'}`);
      }
      log.info({ jobId, actionId, server, approvalId }, 'running approved change');
      // Said before it starts: if this worker dies now, the bot tells the card at once.
      await markInflight(deps.redis, deps.keys, {
        jobId,
        workerId: deps.workerId,
        actionId,
        server,
        params: built.params,
        incidentId: data.incidentId,
        runId: data.runId,
        stepId: data.stepId,
        site: deps.site,
        startedAt: startedAt.toISOString(),
        command,
      });
      let result: ExecutionResult;
      try {
        result = await deps.executor.run(actionId, built.params);
      } catch (err) {
        // The shell broke mid-change: as unknown as a dead worker, but we can say so ourselves.
        const reason = `the worker's shell failed while running this change (${err instanceof Error ? err.message : String(err)}); it may or may not have run: verify`;
        log.error({ jobId, actionId, server, err }, 'outcome unknown');
        await report({ status: 'unknown', reason, command });
        await clearInflight(deps.redis, deps.keys, jobId);
        throw new UnrecoverableError(reason);
      }
      const outcome = await report(outcomeOf(result, command));
      await clearInflight(deps.redis, deps.keys, jobId);
      if (!result.ok) throw new UnrecoverableError(result.error ?? 'change failed');
      return outcome;
    } finally {
      await lock.release();
    }
  };
}

function outcomeOf(result: ExecutionResult, command: string) {
  return {
    status: result.ok ? ('succeeded' as const) : ('failed' as const),
    command,
    raw: result.raw,
    ...(result.parsed === undefined ? {} : { parsed: result.parsed }),
    ...(result.error ? { reason: result.error } : {}),
    ...(result.timedOut ? { timedOut: true } : {}),
  };
}
