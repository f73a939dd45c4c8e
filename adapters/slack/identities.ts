import type { Actor } from '../../src/domain/identity/actor';
import { normalizeIdentity, type IdentityResolver } from '../../src/app/approvals/ports';
import type { SlackWebClient } from './surface';

/**
 * A Slack account's directory identity: its email, from users.info (scopes users:read and
 * users:read.email), when Slack says it is confirmed. A bot, a deleted account, one without an
 * email, or a failed call gives null: such an account cannot approve under the two-person rule.
 * The composition root caches the answers (createCachedIdentityResolver); a failure throws so
 * that it is not cached.
 */
export function createSlackIdentityResolver(client: SlackWebClient): IdentityResolver {
  return {
    async identityOf(actor: Actor): Promise<string | null> {
      if (actor.platform !== 'slack') return null;
      const res = await client.users.info({ user: actor.id });
      const user = res.user;
      if (!user || user.deleted || user.is_bot) return null;
      if (user.is_email_confirmed === false) return null;
      return normalizeIdentity(user.profile?.email);
    },
  };
}
