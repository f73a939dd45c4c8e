import { z } from 'zod';
import type { PlatformModule } from '../../src/infra/platforms/platform-module';
import { registerTeamsCommands } from './commands';
import { createTeamsAdapter } from './index';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Microsoft Teams, through botbuilder: see docs/teams.md. On when TEAMS_* are set. */
export const teamsPlatform: PlatformModule = {
  id: 'teams',
  rules: {
    id: 'teams',
    // Teams compares object ids and UPNs case-insensitively; so does the policy.
    account: z
      .string()
      .refine(
        (v) => GUID.test(v) || UPN.test(v),
        'must be a Teams AAD object id (GUID) or a user principal name such as ana@contoso.com',
      )
      .transform((v) => v.toLowerCase()),
    channel: z.string().min(1).max(500),
  },
  create(ctx) {
    const teams = createTeamsAdapter({
      env: ctx.env,
      core: ctx.core,
      redis: ctx.redis,
      redisPrefix: ctx.redisPrefix,
      logger: ctx.logger,
    });
    if (!teams) return null;
    return {
      surface: teams.surface,
      mount: (app) => teams.mount(app),
      stop: () => teams.stop(),
      defaultChannel: () => teams.alertChannel(),
    };
  },
  registerCommands: registerTeamsCommands,
};
