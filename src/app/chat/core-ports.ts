import type { FlowResult } from '../approvals/approval-flow';
import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Actor } from '../../domain/identity/actor';
import type { AuditEntry } from '../../domain/audit/audit-entry';
import type { AuditQuery } from '../audit/ports';
import type { Incident } from '../../domain/incidents/incident';
import type { ServerRole } from '../../domain/runbooks/schema';
import type { Lang } from '../../domain/runbooks/text';
import type { ChannelRef } from './ports';
import type { RunView } from '../../domain/cards/run-view';
import type { Outage } from '../../domain/outages/outage';

/** What the chat core needs from the rest of the product; wired in src/main/start-server.ts. */

export interface StepAddress {
  incidentId: string;
  sectionId: string;
  stepId: string;
  role?: ServerRole | undefined;
  actor: Actor;
}

/** The remediation run (src/remediation). */
export interface RemediationPort {
  getRun(incidentId: string): Promise<RunView | null>;
  runStep(
    input: StepAddress & { onlyWhenItsConditionHolds?: boolean | undefined },
  ): Promise<{ ok: true; jobIds: string[] } | { ok: false; reason: string }>;
  requestStep(
    input: StepAddress & { confirmed?: boolean | undefined; note?: string | undefined },
  ): Promise<FlowResult>;
  markDone(input: StepAddress): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** Approval decisions on an existing request (src/app/approvals/approval-flow.ts). */
export interface ApprovalsPort {
  approve(input: {
    actor: Actor;
    requestId: string;
    breakGlassReason?: string;
  }): Promise<FlowResult>;
  reject(input: { actor: Actor; requestId: string; reason: string }): Promise<FlowResult>;
  cancel(input: { actor: Actor; requestId: string }): Promise<FlowResult>;
  get(id: string): Promise<ApprovalRequest | null>;
  listForIncident(incidentId: string, limit?: number): Promise<ApprovalRequest[]>;
}

/** May this person run read-only checks on this server (the policy's `read` rule)? */
export interface AccessPort {
  mayRunRead(actor: Actor, server: string): Promise<{ allowed: boolean; reason: string }>;
  /** May this person ask for a change on the server (the policy's `change` rule)? */
  mayRequestChange?(actor: Actor, server: string): Promise<{ allowed: boolean; reason: string }>;
}

/** Read-only checks asked for by a command; the result is posted to `replyTo` when it arrives. */
export interface ChecksPort {
  run(input: {
    actionId: string;
    params: Record<string, unknown>;
    actor: Actor;
    replyTo: ChannelRef;
    lang: Lang;
    /**
     * One of an outage's dependency checks (`count` in this click's `batch`): when all of them
     * come back healthy, the outage's held member changes are released by themselves.
     */
    dependencyCheck?: { outageId: string; batch: string; count: number };
  }): Promise<
    | {
        ok: true;
        jobId: string;
        site: string;
        command: string;
        /** Held by the remediation gate (a site's limits during an outage): why, per language. */
        held?: Readonly<Record<string, string>> | undefined;
      }
    | { ok: false; reason: string }
  >;
}

export interface JobSummary {
  jobId: string;
  actionId: string;
  server: string | null;
  site: string;
  state: string;
  incidentId: string | null;
  requestedBy: string;
  at: string;
  summary?: string | undefined;
}

export interface JobsPort {
  /** Running first, then the most recent finished, at most `limit`. */
  recent(limit: number): Promise<JobSummary[]>;
}

export interface WorkersPort {
  online(): Promise<Array<{ workerId: string; host: string; sites: string[]; lastBeat: string }>>;
  /** Sites the inventory knows (so a site without a worker can be named). */
  knownSites(): string[];
}

export interface PrefsPort {
  langOf(channel: ChannelRef): Promise<Lang>;
  setLang(channel: ChannelRef, lang: Lang): Promise<void>;
}

export interface IncidentsPort {
  get(id: string): Promise<Incident | null>;
  listOpen(limit?: number): Promise<Incident[]>;
}

export interface AuditPort {
  latest(query: AuditQuery, limit: number): Promise<AuditEntry[]>;
}

/** Outage mode, for the outage card's buttons: an outage as it is now, null when gone. */
export interface OutagesPort {
  find(outageId: string): Promise<Outage | null>;
  /** Members' changes the remediation gate holds now (absent: the gate is not wired). */
  held?(outage: Outage): Promise<{ incidentId: string; title: string; server: string }[]>;
  /** Lets the members' held changes go ahead: audited with who and why; says how many started. */
  release?(input: {
    outage: Outage;
    actor: Actor;
    reason: string;
  }): Promise<{ ok: true; started: number } | { ok: false; reason: string }>;
}
