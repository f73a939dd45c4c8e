import { z } from 'zod';
import { roleFor } from '../../src/domain/approvals/evaluate';
import { normalizeIdentity } from '../../src/app/approvals/ports';
import type { PlatformModule } from '../../src/infra/platforms/platform-module';
import { createConsoleAdapter, CONSOLE_ROOM, type ConsoleAccess } from './index';
import { createConsoleAuth } from './auth';
import { loadConsoleAuthConfig } from './auth/config';
import { consoleKeys } from './console-surface';
import { consoleUsers } from './users';

/** A console account: a sign-in's UPN or email address, or a demo user name. */
const ACCOUNT = /^([A-Za-z0-9._-]{1,64}|[^\s@]{1,64}@[^\s@]+\.[^\s@]+)$/;

/**
 * The local console (docs/chat.md): a chat channel in the browser, on when CONSOLE_ENABLED=true.
 * People sign in with OpenID Connect (CONSOLE_OIDC_*); without it the console is read-only. The
 * demo alone, which passes its controls and listens on 127.0.0.1, has a user picker instead.
 */
export const consolePlatform: PlatformModule = {
  id: 'console',
  rules: {
    id: 'console',
    // The policy compares accounts case-insensitively already.
    account: z
      .string()
      .regex(
        ACCOUNT,
        'must be a console user name: the email address or UPN people sign in with (ana@contoso.com), or a demo name (letters, digits, ".", "_", "-")',
      ),
    // Lower-cased here and in the session: the policy compares groups exactly, and providers'
    // group ids and names are case-insensitive (Entra ID object ids, AD group names).
    group: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(/^[^\p{Cc}]+$/u, 'must be a group of the sign-in token (Entra ID: its object id)')
      .transform((v) => v.toLowerCase()),
    channel: z.string().regex(/^[a-z0-9-]{1,40}$/),
  },
  create(ctx) {
    if (!ctx.config.consoleEnabled) return null;
    const demo = ctx.demo;
    let access: ConsoleAccess;
    if (demo) {
      access = { mode: 'picker' };
    } else {
      const auth = loadConsoleAuthConfig(ctx.env, ctx.config.publicUrl);
      if (auth.enabled) {
        access = {
          mode: 'oidc',
          auth: createConsoleAuth({
            config: auth.config,
            redis: ctx.redis,
            prefix: ctx.redisPrefix,
            logger: ctx.logger.child({ adapter: 'console' }),
          }),
        };
        ctx.logger.info(
          { issuer: auth.config.issuer, redirectUrl: auth.config.redirectUrl },
          'console: people sign in with OpenID Connect',
        );
      } else {
        access = { mode: 'read-only' };
        ctx.logger.warn(
          `console: read-only, nobody can ask for or approve a step from it (${auth.reason}; docs/operations.md)`,
        );
      }
    }
    const adapter = createConsoleAdapter({
      redis: ctx.redis,
      keys: consoleKeys(ctx.redisPrefix),
      core: ctx.core,
      logger: ctx.logger,
      access,
      users: () => consoleUsers(ctx.policy()),
      roleOf: (principal) => roleFor(ctx.policy(), principal, { server: null, site: null }),
      redraw: ctx.redraw,
      ...(demo?.scenarios ? { scenarios: demo.scenarios } : {}),
      ...(demo?.banner ? { banner: demo.banner } : {}),
    });
    return {
      surface: adapter.surface,
      mount: (app) => adapter.mount(app),
      start() {
        // In the background: a provider that is slow or down must not hold up start-up.
        if (access.mode === 'oidc') {
          void access.auth.warmUp().then((ok) => {
            if (!ok) {
              ctx.logger.warn(
                'console: the OpenID provider cannot be reached yet; sign-in fails until it can',
              );
            }
          });
        }
        return Promise.resolve();
      },
      defaultChannel: () => Promise.resolve(CONSOLE_ROOM),
      groups: adapter.groups,
      // The console's login is its identity: its `upn` (the adapter sets it), else its user name.
      identities: { identityOf: async (a) => normalizeIdentity(a.upn ?? a.id) },
    };
  },
};
