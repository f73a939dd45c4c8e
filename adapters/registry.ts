import type { PlatformRules } from '../src/domain/identity/platform-rules';
import type { PlatformModule } from '../src/infra/platforms/platform-module';
import { consolePlatform } from './console/platform';
import { slackPlatform } from './slack/platform';
import { teamsPlatform } from './teams/platform';

/**
 * Every chat platform the bot speaks, in the order cards are delivered and the policy's error
 * messages list them. Adding one (Webex) is a folder `adapters/webex/` exporting a
 * `PlatformModule` and one line here: docs/architecture.md lists the files.
 */
export const PLATFORMS: readonly PlatformModule[] = [slackPlatform, teamsPlatform, consolePlatform];

/** What the policy and routing files need of each platform. */
export const PLATFORM_RULES: readonly PlatformRules[] = PLATFORMS.map((p) => p.rules);

export function findPlatform(id: string): PlatformModule | undefined {
  return PLATFORMS.find((p) => p.id === id);
}
