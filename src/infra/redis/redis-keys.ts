/**
 * Every Redis key we write, in one place. Incident keys share the hash tag `{inc}`, approval keys
 * `{appr}` and audit keys `{audit}`, so each atomic script touches one slot and runs unchanged on
 * Redis Cluster.
 */
export function redisKeys(prefix: string) {
  const inc = `${prefix}:{inc}`;
  const appr = `${prefix}:{appr}`;
  const audit = `${prefix}:{audit}`;
  const rem = `${prefix}:{rem}`;
  return {
    openPointer: (key: string) => `${inc}:open:${key}`,
    incident: (id: string) => `${inc}:incident:${id}`,
    alert: (alertId: string) => `${inc}:alert:${alertId}`,
    openSet: `${inc}:open-incidents`,
    allSet: `${inc}:all-incidents`,
    sequence: `${inc}:seq`,
    outbox: `${inc}:outbox`,
    /** One change at a time per server, across all workers. */
    serverLock: (server: string) => `${prefix}:{jobs}:lock:server:${server.toLowerCase()}`,
    /** Which job first used an approval: each approval runs once, a re-delivery is detected. */
    approvalUse: (approvalId: string) => `${prefix}:{jobs}:approval-use:${approvalId}`,
    workersOnline: `${prefix}:{workers}:online`,
    workerInfo: (workerId: string) => `${prefix}:{workers}:info:${workerId}`,
    /** Changes a worker has started and not yet reported (job id → InflightChange JSON). */
    inflightChanges: `${prefix}:{workers}:inflight`,
    /** One approval request: hash with `doc` (JSON), `version`, `state`, `dedupe`. */
    approvalRequest: (id: string) => `${appr}:request:${id}`,
    /** Pending requests, scored by expiry (ms), for `expireDue`. */
    approvalPending: `${appr}:pending`,
    /** An incident's requests, scored by request time (ms). */
    approvalsByIncident: (incidentId: string) => `${appr}:incident:${incidentId}`,
    /** "This step for this incident is already pending": points at the pending request's id. */
    approvalDedupe: (hash: string) => `${appr}:dedupe:${hash}`,
    /** Approved requests not yet handed to the job sink, scored by approval time (ms). */
    approvalOutbox: `${appr}:outbox`,
    approvalSequence: `${appr}:seq`,
    /** Audit events of committed approval changes not yet in the trail (JSON), scored by time. */
    approvalAuditOutbox: `${appr}:audit-outbox`,
    /** The audit trail (a Stream) and its head: `seq`, `hash`, `id` of the last entry. */
    auditStream: `${audit}:stream`,
    auditHead: `${audit}:head`,
    /** Idempotency keys of recent appends, scored by time (kept a week). */
    auditKeys: `${audit}:keys`,
    /** One incident's remediation run: hash with `doc` (JSON) and `version`. */
    run: (incidentId: string) => `${rem}:run:${incidentId}`,
    /** Runs not yet ended, scored by last change (ms). */
    activeRuns: `${rem}:active`,
    /** Effects of committed run changes not yet carried out (JSON), scored by time (ms). */
    runOutbox: `${rem}:outbox`,
    /** The message that shows an incident on one platform: JSON MessageRef. */
    chatMessage: (platform: string, incidentId: string) =>
      `${prefix}:{chat}:msg:${platform}:${incidentId}`,
    /** Job ids of step results already posted in the incident's thread on one platform. */
    chatPosted: (platform: string, incidentId: string) =>
      `${prefix}:{chat}:posted:${platform}:${incidentId}`,
    /** The number of the newest redraw queued for an incident on a platform. */
    chatRedrawGen: (platform: string, incidentId: string) =>
      `${prefix}:{chat}:gen:${platform}:${incidentId}`,
    /** The redraw number and card digest a card was last drawn with (`<gen> <sha1>`). */
    chatDrawn: (platform: string, incidentId: string) =>
      `${prefix}:{chat}:drawn:${platform}:${incidentId}`,
    /** Set for `cardUpdateMs` after an open outage's card was updated: the next waits for it. */
    chatPaced: (platform: string, cardId: string) => `${prefix}:{chat}:paced:${platform}:${cardId}`,
    /** One redraw of an incident's card at a time per platform, across replicas. */
    chatLock: (platform: string, incidentId: string) =>
      `${prefix}:{chat}:lock:${platform}:${incidentId}`,
    /** Outage mode's state of one scope (a site, or `*`): hash `doc`, `version`. */
    outageState: (scope: string) => `${prefix}:{outage}:site:${scope}`,
    /** The scopes that have an outage state (the timer's list). */
    outageScopes: `${prefix}:{outage}:scopes`,
    /** Remediation admission of one site (running and held steps): hash `doc`, `version`. */
    admission: (site: string) => `${prefix}:{admission}:site:${site}`,
    /** The sites that have an admission document (the timer's list). */
    admissionSites: `${prefix}:{admission}:sites`,
    /** A platform's delivery budgets and Retry-After window (jobs/chat/rate-gate.ts). */
    chatRateTag: (platform: string) => `${prefix}:{chat-rate:${platform}}`,
    /** Where the result of a command's check goes: JSON { channel, lang }. */
    chatReplyTo: (jobId: string) => `${prefix}:{chat}:reply-to:${jobId}`,
    /** One click's dependency checks of an outage: job id → 1 (healthy) or 0. */
    chatDependencyChecks: (batch: string) => `${prefix}:{chat}:dep-checks:${batch}`,
    /** A channel's language (`lang` command). */
    chatLang: (platform: string, channel: string) => `${prefix}:{chat}:lang:${platform}:${channel}`,
    // A platform's own keys (Slack's redelivery guard, the console's rooms, Teams' conversation
    // references) are defined by its module in adapters/<platform>/.
    /** BullMQ's prefix; the hash tag keeps each queue's keys in one slot on Cluster. */
    bullPrefix: `${prefix}:{bull}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
