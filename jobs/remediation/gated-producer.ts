import { randomUUID } from 'node:crypto';
import { buildCommand } from '../../src/domain/actions';
import { dagFor, siteFor, type Inventory } from '../../src/domain/inventory/inventory';
import type { ActionSlot } from '../../src/domain/outages/holds';
import type { Admission, AdmissionRequest } from '../../src/app/remediation/admission';
import type { ActionProducer, EnqueueRequest, EnqueueResult } from '../queues/action-jobs';

/** An enqueue request as the gate keeps it: the job id is fixed before anything is recorded. */
export type GatedRequest = EnqueueRequest & AdmissionRequest;

/** What a step is, for the holds: its action's risk and title, its server, site and DAG. */
export function slotOf(
  inventory: Inventory | null,
  req: GatedRequest,
): ActionSlot | { error: string } {
  const built = buildCommand(req.actionId, req.params);
  if (!built.ok) return { error: built.errors.map((e) => `${e.param}: ${e.reason}`).join('; ') };
  const server = String(built.params.server);
  const site = siteFor(inventory, server);
  if (!site.ok) return { error: site.reason };
  return {
    incidentId: req.incidentId ?? '',
    // A run's step, or (a command's check) the job itself.
    stepKey: req.runId && req.stepId ? `${req.runId}:${req.stepId}` : req.jobId,
    title: built.action.title,
    server,
    site: site.site,
    dag: dagFor(inventory, server),
    risk: built.action.risk,
  };
}

/**
 * The action producer behind the remediation gate: every job (a run's check, an approved change,
 * a command's check) is admitted or held first (src/app/remediation/admission.ts). A held job is
 * answered like a queued one (its id, site and command), with `held` saying why; it is queued
 * by itself when nothing holds it any more.
 */
export function gatedProducer(
  producer: ActionProducer,
  inventory: Inventory | null,
  admission: () => Admission<GatedRequest>,
): ActionProducer {
  async function enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const built = buildCommand(req.actionId, req.params);
    if (!built.ok) {
      return { ok: false, reason: built.errors.map((e) => `${e.param}: ${e.reason}`).join('; ') };
    }
    const jobId =
      req.jobId ?? (req.approval ? `approval-${req.approval.approvalId}` : `check-${randomUUID()}`);
    const r = await admission().request({ ...req, jobId });
    if (!r.ok) return r;
    const site = siteFor(inventory, String(built.params.server));
    return {
      ok: true,
      jobId,
      site: site.ok ? site.site : 'default',
      command: built.command,
      ...(r.state === 'held' ? { held: r.hold } : {}),
    };
  }
  return { ...producer, enqueue };
}
