import { z } from 'zod';
import { normalizeIdentity } from '../../src/app/approvals/ports';
import type { PlatformModule } from '../../src/infra/platforms/platform-module';
import { createConsoleAdapter, CONSOLE_ROOM } from './index';
import { consoleKeys } from './console-surface';
import { consoleUsers } from './users';

/** The local console (docs/chat.md): a chat channel in the browser, on when CONSOLE_ENABLED=true. */
export const consolePlatform: PlatformModule = {
  id: 'console',
  rules: {
    id: 'console',
    account: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]{1,64}$/,
        'must be a console user name (letters, digits, ".", "_", "-")',
      ),
    channel: z.string().regex(/^[a-z0-9-]{1,40}$/),
  },
  create(ctx) {
    if (!ctx.config.consoleEnabled) return null;
    const scenarios = ctx.demo?.scenarios;
    const adapter = createConsoleAdapter({
      redis: ctx.redis,
      keys: consoleKeys(ctx.redisPrefix),
      core: ctx.core,
      logger: ctx.logger,
      users: () => consoleUsers(ctx.policy()),
      redraw: ctx.redraw,
      ...(scenarios ? { scenarios } : {}),
      ...(ctx.demo?.banner ? { banner: ctx.demo.banner } : {}),
    });
    if (!scenarios) {
      ctx.logger.warn(
        'CONSOLE_ENABLED: /console has no login (anyone who reaches it acts as any console user of the policy); keep it on a trusted network',
      );
    }
    return {
      surface: adapter.surface,
      mount: (app) => adapter.mount(app),
      defaultChannel: () => Promise.resolve(CONSOLE_ROOM),
      // The console's login is its identity: its `upn` (the adapter sets it), else its user name.
      identities: { identityOf: async (a) => normalizeIdentity(a.upn ?? a.id) },
    };
  },
};
