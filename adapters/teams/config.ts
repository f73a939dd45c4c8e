import { z } from 'zod';
import { ConfigError } from '../../src/infra/config/load-config';
import type { Logger } from '../../src/infra/logger';

/**
 * The Teams adapter's settings, from the environment. Off when none is set; a partial set is an
 * error that names what is missing, so a typo does not silently disable Teams.
 */
export interface TeamsConfig {
  /** Empty in anonymous mode: botbuilder then neither checks incoming tokens nor sends any. */
  appId: string;
  appPassword: string;
  tenantId: string;
  appType: 'SingleTenant' | 'MultiTenant';
  /** Local testing only: accept unauthenticated requests, send without tokens. */
  allowAnonymous: boolean;
  /** Conversation id of the default alert channel; null: the most recently installed channel. */
  alertChannel: string | null;
}

/** A ConfigError, so the CLI reports it like every other bad setting (exit code 2). */
export class TeamsConfigError extends ConfigError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'TeamsConfigError';
  }
}

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const guid = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

const envSchema = z.object({
  TEAMS_APP_ID: z.preprocess(blank, guid.optional()),
  TEAMS_APP_PASSWORD: z.preprocess(blank, z.string().min(1).optional()),
  TEAMS_APP_TENANT_ID: z.preprocess(blank, guid.optional()),
  TEAMS_APP_TYPE: z.preprocess(blank, z.enum(['SingleTenant', 'MultiTenant']).optional()),
  TEAMS_ALLOW_ANONYMOUS: z.preprocess(blank, z.enum(['true', 'false']).optional()),
  TEAMS_ALERT_CHANNEL: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .max(400)
      .regex(/^[^\s;]+$/, 'must be a conversation id such as 19:…@thread.tacv2')
      .optional(),
  ),
});

const KEYS = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

/**
 * Reads the TEAMS_* variables. Null when Teams is not configured at all. Throws TeamsConfigError
 * listing every problem (bad values, and what a partial configuration is missing).
 */
export function loadTeamsConfig(
  env: Record<string, string | undefined> = process.env,
): TeamsConfig | null {
  if (KEYS.every((k) => blank(env[k]) === undefined)) return null;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new TeamsConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?');
        // The password is never echoed, not even its shape.
        return key === 'TEAMS_APP_PASSWORD' ? `${key}: is invalid` : `${key}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  const allowAnonymous = e.TEAMS_ALLOW_ANONYMOUS === 'true';
  const appType = e.TEAMS_APP_TYPE ?? 'SingleTenant';
  if (!allowAnonymous) {
    const missing: string[] = [];
    if (!e.TEAMS_APP_ID) missing.push('TEAMS_APP_ID: is required (the Azure Bot app id)');
    if (!e.TEAMS_APP_PASSWORD) missing.push('TEAMS_APP_PASSWORD: is required (the client secret)');
    if (appType === 'SingleTenant' && !e.TEAMS_APP_TENANT_ID) {
      missing.push('TEAMS_APP_TENANT_ID: is required for a single-tenant bot');
    }
    if (missing.length > 0) throw new TeamsConfigError(missing);
  }
  return {
    // Anonymous mode ignores credentials on purpose: botbuilder disables authentication only when
    // it has no app id, and a half-authenticated bot would fail in confusing ways.
    appId: allowAnonymous ? '' : (e.TEAMS_APP_ID ?? ''),
    appPassword: allowAnonymous ? '' : (e.TEAMS_APP_PASSWORD ?? ''),
    tenantId: allowAnonymous ? '' : (e.TEAMS_APP_TENANT_ID ?? ''),
    appType,
    allowAnonymous,
    alertChannel: e.TEAMS_ALERT_CHANNEL ?? null,
  };
}

/** Logs what the adapter will do; loud when it accepts unauthenticated traffic. */
export function logTeamsConfig(config: TeamsConfig | null, logger: Logger): void {
  if (config === null) {
    logger.info('Microsoft Teams is off (no TEAMS_* settings)');
    return;
  }
  if (config.allowAnonymous) {
    logger.warn(
      '!!! TEAMS_ALLOW_ANONYMOUS=true: POST /api/messages accepts UNAUTHENTICATED requests and ' +
        'replies go out without tokens. Use this only for local testing, never where Teams or ' +
        'anyone else can reach the bot. !!!',
    );
    return;
  }
  logger.info(
    { appId: config.appId, appType: config.appType, tenantId: config.tenantId || undefined },
    'Microsoft Teams is on',
  );
}
