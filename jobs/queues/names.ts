/**
 * Every BullMQ queue's name, in one place. Every process uses the same prefix
 * (`redisKeys(prefix).bullPrefix`). A name is on the wire: jobs wait in Redis under
 * `<bullPrefix>:<name>`, and the metrics (`exchops_queue_jobs{queue=...}`) and the admin queue view
 * show it, so renaming one strands the jobs of a running installation and splits replicas of two
 * versions during a rolling upgrade. Change a name only with a migration.
 */
export const QUEUE_NAMES = {
  /**
   * Card redraws: every change an incident's card shows (the incident's own, its run's and its
   * approval requests') so the chat delivery redraws it. The wire name predates runs and
   * approvals on the queue; it stays `incident-events` because waiting jobs, and the completed
   * ones that make a re-publish idempotent, live under it.
   */
  cardEvents: 'incident-events',
  /** What the workers report back for every action job. */
  actionResults: 'action-results',
  /** The remediation side's own triggers: new and resolved incidents, the end of a wait. */
  remediationTriggers: 'remediation-triggers',
} as const;

/** Each site's action jobs: a worker near its Exchange servers takes only theirs. */
export function actionQueueName(site: string): string {
  return `actions-${site}`;
}

/** Each chat platform's deliveries, so an outage on one holds up nothing on another. */
export function chatQueueName(platform: string): string {
  return `chat-${platform}`;
}
