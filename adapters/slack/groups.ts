import type { Actor } from '../../src/domain/identity/actor';
import type { GroupResolver } from '../../src/app/approvals/ports';
import type { Logger } from '../../src/infra/logger';
import type { SlackWebClient } from './surface';

/**
 * The Slack user groups (S… ids) an actor belongs to, for the approval policy's `slackGroups`.
 * One `usergroups.list` call with `include_users` answers for everybody, so the whole map is
 * cached for `ttlMs` (short on purpose: someone removed from a group loses its role within it).
 * A failed look-up is not cached and counts as no groups: the safe side for an approval.
 */
export function createSlackGroupResolver(
  client: SlackWebClient,
  options: { ttlMs?: number; logger?: Logger; now?: () => number } = {},
): GroupResolver {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cache: { byUser: Map<string, string[]>; until: number } | null = null;
  let inflight: Promise<Map<string, string[]>> | null = null;

  const load = async (): Promise<Map<string, string[]>> => {
    const res = await client.usergroups.list({ include_users: true, include_disabled: false });
    const byUser = new Map<string, string[]>();
    for (const g of res.usergroups ?? []) {
      if (!g.id || g.date_delete) continue;
      for (const u of g.users ?? []) byUser.set(u, [...(byUser.get(u) ?? []), g.id]);
    }
    return byUser;
  };

  return {
    async groupsOf(actor: Actor): Promise<readonly string[]> {
      if (actor.platform !== 'slack') return [];
      if (!cache || cache.until <= now()) {
        // Concurrent clicks share one call.
        inflight ??= load().finally(() => {
          inflight = null;
        });
        try {
          cache = { byUser: await inflight, until: now() + ttlMs };
        } catch (err) {
          options.logger?.warn({ err }, 'Slack user groups could not be read; treating as none');
          return [];
        }
      }
      return cache.byUser.get(actor.id) ?? [];
    },
  };
}
