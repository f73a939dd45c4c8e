import type { z } from 'zod';
import type { PlatformId } from './actor';

/**
 * What the core's files need to know of one chat platform, given by that platform's module
 * (`adapters/<platform>/platform.ts`) through the registry: how the approval policy writes its
 * accounts and groups, and how the routing file writes its channels. The core itself names no
 * platform.
 */
export interface PlatformRules {
  id: PlatformId;
  /**
   * An account as the policy file lists it under `<id>:`, checked and normalised (lower-cased
   * where the platform's ids are case-insensitive). Its error message tells what to write.
   */
  account: z.ZodType<string>;
  /** The platform's groups a role may be granted to, under `<id>Groups:` (Slack user groups). */
  group?: z.ZodType<string>;
  /** A channel as the routing file names it under `channels.<id>`. */
  channel: z.ZodType<string>;
}

/** The policy file's key for a platform's groups: `slackGroups`. */
export function groupsKey(platform: PlatformId): string {
  return `${platform}Groups`;
}
