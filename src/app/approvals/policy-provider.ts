import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/ports';
import type { Clock } from '../intake/ports';
import type { PlatformRules } from '../../domain/identity/platform-rules';
import { parsePolicy, PolicyError, type Policy } from '../../domain/approvals/policy';
import type { PolicySource } from './ports';

/** Where the policy text comes from (a file in production: src/infra/files/policy-file.ts). */
export interface PolicyText {
  /** Shown in errors and the audit trail, e.g. the file path. */
  name: string;
  read(): Promise<string>;
}

export type ReloadReport =
  | { outcome: 'loaded'; source: string; digest: string; grants: number }
  | { outcome: 'unchanged'; source: string; digest: string }
  | { outcome: 'rejected'; source: string; error: PolicyError | Error; keptDigest: string | null };

export interface PolicyProvider extends PolicySource {
  /** The first load: an invalid policy here stops start-up (throws PolicyError). */
  load(): Promise<Policy>;
  /** Re-reads the text; an invalid policy is reported and the last good one stays in force. */
  reload(): Promise<ReloadReport>;
  /** SHA-256 of the text in force, so logs and the audit trail say which version decided. */
  digest(): string | null;
}

/**
 * Holds the policy in force and reloads it on demand (an interval, SIGHUP: see
 * src/infra/files/policy-file.ts). A reload that fails keeps the last good policy: a typo in the file
 * at 3 a.m. must not lock everyone out or let everyone in.
 */
export function createPolicyProvider(deps: {
  text: PolicyText;
  /** Which accounts and groups each chat platform may list (the registry's rules). */
  platforms: readonly PlatformRules[];
  audit?: AuditLog;
  clock?: Clock;
  onReport?: (report: ReloadReport) => void;
}): PolicyProvider {
  const clock = deps.clock ?? (() => new Date());
  let policy: Policy | null = null;
  let digest: string | null = null;

  async function read(): Promise<{ text: string; digest: string }> {
    const text = await deps.text.read();
    return { text, digest: createHash('sha256').update(text).digest('hex') };
  }

  async function record(report: ReloadReport): Promise<void> {
    deps.onReport?.(report);
    if (!deps.audit || report.outcome === 'unchanged') return;
    await deps.audit
      .append({
        at: clock().toISOString(),
        actor: { platform: 'system', id: 'exchange-chatops', displayName: 'exchange-chatops' },
        action: report.outcome === 'loaded' ? 'policy.reloaded' : 'policy.reload-failed',
        incidentId: null,
        server: null,
        params: { source: report.source },
        result:
          report.outcome === 'loaded'
            ? `policy ${report.digest.slice(0, 12)} in force (${report.grants} grants)`
            : `rejected, policy ${report.keptDigest?.slice(0, 12) ?? '(none)'} stays in force: ${report.error.message}`,
      })
      .catch(() => undefined); // The reload itself succeeded or failed already; onReport logged it.
  }

  return {
    current(): Policy {
      if (!policy) throw new Error('approval policy not loaded yet');
      return policy;
    },
    digest: () => digest,
    async load(): Promise<Policy> {
      const { text, digest: d } = await read();
      const parsed = parsePolicy(text, deps.platforms, deps.text.name);
      if (!parsed.ok) throw parsed.error;
      policy = parsed.policy;
      digest = d;
      await record({
        outcome: 'loaded',
        source: deps.text.name,
        digest: d,
        grants: policy.grants.length,
      });
      return policy;
    },
    async reload(): Promise<ReloadReport> {
      let report: ReloadReport;
      try {
        const { text, digest: d } = await read();
        if (d === digest && policy) {
          report = { outcome: 'unchanged', source: deps.text.name, digest: d };
        } else {
          const parsed = parsePolicy(text, deps.platforms, deps.text.name);
          if (parsed.ok) {
            policy = parsed.policy;
            digest = d;
            report = {
              outcome: 'loaded',
              source: deps.text.name,
              digest: d,
              grants: policy.grants.length,
            };
          } else {
            report = {
              outcome: 'rejected',
              source: deps.text.name,
              error: parsed.error,
              keptDigest: digest,
            };
          }
        }
      } catch (err) {
        report = {
          outcome: 'rejected',
          source: deps.text.name,
          error: err instanceof Error ? err : new Error(String(err)),
          keptDigest: digest,
        };
      }
      await record(report);
      return report;
    },
  };
}
