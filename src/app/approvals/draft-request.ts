import { createHash } from 'node:crypto';
import type { BuildResult } from '../../domain/actions/registry';
import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Actor } from '../../domain/identity/actor';
import { stableStringify } from '../../domain/shared/stable-json';
import { auditRecord } from './approval-audit';
import type { StepRequest } from './flow-types';

/** A new request as it is stored, with its dedupe key and the audit record committed with it. */
export interface DraftRequest {
  request: ApprovalRequest;
  /** Names "the same step for the same incident" while pending; null for an approved one. */
  dedupeKey: string | null;
  record: string;
}

/**
 * Drafts the request for a step that was built and allowed: approved at once when the policy asks
 * no approval for its risk (`auto`), else pending for `ttlMs`.
 */
export function draftRequest(args: {
  id: string;
  input: StepRequest;
  built: Extract<BuildResult, { ok: true }>;
  target: { server: string | null; site: string | null };
  auto: boolean;
  now: Date;
  ttlMs: number;
}): DraftRequest {
  const { input, built, auto, now } = args;
  const { server, site } = args.target;
  const risk = built.action.risk;
  const at = now.toISOString();
  const actor = plainActor(input.actor);
  const request: ApprovalRequest = {
    id: args.id,
    version: 1,
    state: auto ? 'approved' : 'pending',
    incidentId: input.incidentId,
    actionId: built.action.id,
    title: built.action.title,
    risk,
    params: built.params,
    command: built.command,
    server,
    site,
    requester: actor,
    requestedAt: at,
    expiresAt: new Date(now.getTime() + args.ttlMs).toISOString(),
    note: input.note?.trim() || null,
    autoApproved: auto,
    approvedBy: auto ? actor : null,
    approvedAt: auto ? at : null,
    breakGlass: null,
    rejectedBy: null,
    rejectReason: null,
    execution: null,
    history: [{ state: auto ? 'approved' : 'pending', at, by: actor }],
    runId: input.runId ?? null,
    stepId: input.stepId ?? null,
  };
  const dedupeKey = auto
    ? null
    : createHash('sha256')
        .update(stableStringify([input.incidentId, built.action.id, built.command]))
        .digest('hex');
  const record = auditRecord(
    request,
    {
      action: 'approval.requested',
      by: actor,
      result: auto ? `runs without approval (${risk} step)` : `pending until ${request.expiresAt}`,
      extra: input.note ? { note: input.note } : {},
    },
    at,
  );
  return { request, dedupeKey, record };
}

/** Only identity fields are stored: resolved groups are a moment's answer, not part of a record. */
export function plainActor(a: Actor): Actor {
  return {
    platform: a.platform,
    id: a.id,
    ...(a.displayName ? { displayName: a.displayName } : {}),
    ...(a.upn ? { upn: a.upn } : {}),
  };
}
