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
  limits: {
    // Microsoft's "Rate limiting for bots": per bot per thread, sends (new and updated
    // activities) 7 per 1 s, 8 per 2 s, 60 per 30 s, 1,800 per hour; 50 requests per second per
    // app per tenant. One every 2.1 s with a burst of 7 keeps every window: 7 in 1 s and 2 s,
    // 7 + 14 = 21 in 30 s, 7 + 1,714 in an hour. 40 per second for the app (burst 10) under 50.
    rules: [
      { calls: ['post', 'update'], per: 'channel', intervalMs: 2100, burst: 7 },
      { calls: ['post', 'update'], per: 'app', intervalMs: 25, burst: 10 },
    ],
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
