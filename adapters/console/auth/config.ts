import { z } from 'zod';
import { ConfigError } from '../../../src/infra/config/load-config';

/**
 * The console's sign-in settings (OpenID Connect), read by the console module itself from the
 * environment. Off when none of CONSOLE_OIDC_* is set (the console is then read-only); a partial
 * or malformed set is an error naming every problem, so a typo cannot leave the console open or
 * silently read-only.
 */
export interface ConsoleAuthConfig {
  /** The provider's issuer URL (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: `<public URL>/console/auth/callback`. */
  redirectUrl: string;
  /** The console's own origin (of the redirect URL): the only Origin an action may come from. */
  origin: string;
  scopes: string[];
  /** The ID token claim that lists the user's groups (Entra ID: `groups`, or `roles`). */
  groupsClaim: string;
  sessionTtlMs: number;
  /** Cookies carry `Secure` (and the `__Host-` prefix) when the console is served over https. */
  secureCookies: boolean;
}

/** A ConfigError, so the CLI reports it like every other bad setting (exit code 2). */
export class ConsoleAuthConfigError extends ConfigError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'ConsoleAuthConfigError';
  }
}

export const CALLBACK_PATH = '/console/auth/callback';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** https, or plain http on this machine only (a test provider, `http://localhost` in Entra). */
const webUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
    } catch {
      return false;
    }
  }, 'must be an https URL (http only on 127.0.0.1 or localhost)');

const envSchema = z.object({
  CONSOLE_OIDC_ISSUER: z.preprocess(blank, webUrl.optional()),
  CONSOLE_OIDC_CLIENT_ID: z.preprocess(
    blank,
    z.string().trim().max(200).regex(/^\S+$/, 'must be the application (client) id').optional(),
  ),
  CONSOLE_OIDC_CLIENT_SECRET: z.preprocess(blank, z.string().min(8).max(500).optional()),
  CONSOLE_OIDC_REDIRECT_URL: z.preprocess(
    blank,
    webUrl
      .refine((v) => URL.canParse(v) && new URL(v).pathname === CALLBACK_PATH, {
        message: `must end in ${CALLBACK_PATH}`,
      })
      .optional(),
  ),
  CONSOLE_OIDC_SCOPES: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'must be scopes separated by single spaces')
      .refine((v) => v.split(' ').includes('openid'), 'must include openid')
      .default('openid profile email'),
  ),
  CONSOLE_OIDC_GROUPS_CLAIM: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'must be a claim name such as groups or roles')
      .default('groups'),
  ),
  CONSOLE_SESSION_TTL_MINUTES: z.preprocess(
    blank,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(480),
  ),
});

export type ConsoleAuthConfigResult =
  { enabled: true; config: ConsoleAuthConfig } | { enabled: false; reason: string };

/**
 * Reads CONSOLE_OIDC_* and CONSOLE_SESSION_TTL_MINUTES. `publicUrl` (PUBLIC_URL) gives the redirect
 * URL when CONSOLE_OIDC_REDIRECT_URL is not set. Throws ConsoleAuthConfigError listing every
 * problem at once.
 */
export function loadConsoleAuthConfig(
  env: Record<string, string | undefined>,
  publicUrl: string | undefined,
): ConsoleAuthConfigResult {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    // Values are never echoed: the client secret is one of them.
    for (const i of parsed.error.issues) problems.push(`${String(i.path[0] ?? '?')}: ${i.message}`);
  }
  const given = (k: string) => blank(env[k]) !== undefined;
  if (
    !['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_CLIENT_ID', 'CONSOLE_OIDC_CLIENT_SECRET'].some(given)
  ) {
    if (problems.length > 0) throw new ConsoleAuthConfigError(problems);
    return {
      enabled: false,
      reason:
        'CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID and CONSOLE_OIDC_CLIENT_SECRET are not set',
    };
  }
  for (const k of ['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_CLIENT_ID', 'CONSOLE_OIDC_CLIENT_SECRET']) {
    if (!given(k)) problems.push(`${k}: is required when console sign-in is configured`);
  }
  let redirectUrl: string | undefined = parsed.data?.CONSOLE_OIDC_REDIRECT_URL;
  if (!given('CONSOLE_OIDC_REDIRECT_URL')) {
    const derived = publicUrl ? `${publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}` : undefined;
    if (!derived) {
      problems.push(
        `CONSOLE_OIDC_REDIRECT_URL: is required when PUBLIC_URL is not set (the console's address followed by ${CALLBACK_PATH})`,
      );
    } else if (!webUrl.safeParse(derived).success) {
      problems.push(
        'PUBLIC_URL: must be https for console sign-in (http only on 127.0.0.1 or localhost), or set CONSOLE_OIDC_REDIRECT_URL',
      );
    } else {
      redirectUrl = derived;
    }
  }
  if (problems.length > 0 || !parsed.success || !redirectUrl) {
    throw new ConsoleAuthConfigError(problems);
  }
  const e = parsed.data;
  const url = new URL(redirectUrl);
  return {
    enabled: true,
    config: {
      issuer: e.CONSOLE_OIDC_ISSUER!,
      clientId: e.CONSOLE_OIDC_CLIENT_ID!,
      clientSecret: e.CONSOLE_OIDC_CLIENT_SECRET!,
      redirectUrl,
      origin: url.origin,
      scopes: e.CONSOLE_OIDC_SCOPES.split(' '),
      groupsClaim: e.CONSOLE_OIDC_GROUPS_CLAIM,
      sessionTtlMs: e.CONSOLE_SESSION_TTL_MINUTES * 60_000,
      secureCookies: url.protocol === 'https:',
    },
  };
}
