import { z } from 'zod';
import type { PlatformModule } from '../../src/infra/platforms/platform-module';
import { createSlackAdapter } from './index';

/** Slack's ids: users U…/W…, user groups S…, channels C…/G… (or a name). */
const USER = /^[UW][A-Z0-9]{2,}$/;
const GROUP = /^S[A-Z0-9]{2,}$/;

/** Events API deliveries already handled, shared by replicas (Slack redelivers on timeouts). */
export function slackEventSeenKey(prefix: string, eventId: string): string {
  return `${prefix}:{chat}:slack-event:${eventId}`;
}

/** Slack, through Bolt: see docs/slack.md. On when SLACK_BOT_TOKEN and its secret are set. */
export const slackPlatform: PlatformModule = {
  id: 'slack',
  rules: {
    id: 'slack',
    account: z.string().regex(USER, 'must be a Slack user id such as U012AB3CD'),
    group: z.string().regex(GROUP, 'must be a Slack user-group id such as S0123ABCD'),
    channel: z.string().min(1).max(200),
  },
  limits: {
    // api.slack.com/apis/rate-limits. Posting: "1 message per second per channel", short bursts
    // allowed. chat.update is Tier 3 (50+ per minute per workspace): one every 1.3 s with a burst
    // of 2 is at most 48 in any minute. chat.postMessage workspace-wide is "several hundred per
    // minute": 300 per minute (one per 200 ms, burst 10) stays under it.
    rules: [
      { calls: ['post'], per: 'channel', intervalMs: 1000, burst: 3 },
      { calls: ['update'], per: 'app', intervalMs: 1300, burst: 2 },
      { calls: ['post'], per: 'app', intervalMs: 200, burst: 10 },
    ],
  },
  create(ctx) {
    const slack = createSlackAdapter({
      env: ctx.env,
      core: ctx.core,
      logger: ctx.logger,
      redraw: ctx.redraw,
      seenEvent: async (eventId) =>
        (await ctx.redis.set(
          slackEventSeenKey(ctx.redisPrefix, eventId),
          '1',
          'EX',
          3600,
          'NX',
        )) !== 'OK',
    });
    if (!slack) return null;
    return {
      surface: slack.surface,
      mount: (app) => slack.mount(app),
      start: () => slack.start(),
      stop: () => slack.stop(),
      defaultChannel: () => Promise.resolve(slack.alertChannel),
      groups: slack.groups,
      identities: slack.identities,
    };
  },
};
