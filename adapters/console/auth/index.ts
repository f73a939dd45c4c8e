import type { Request, Response, Router } from 'express';
import type { RedisClient as Redis } from '../../../src/infra/redis/redis';
import type { Lang } from '../../../src/domain/runbooks/text';
import { t, type PlainKey } from '../../../src/domain/strings';
import type { Logger } from '../../../src/infra/logger';
import type { ConsoleAuthConfig } from './config';
import { clearCookie, cookieNames, readCookie, setCookie } from './cookies';
import { createOidcRelyingParty, type OidcRelyingParty } from './oidc';
import { createSessionStore, LOGIN_TTL_MS, sameToken, type ConsoleSession } from './sessions';

/**
 * Console sign-in with OpenID Connect: the routes under /console/auth, the session of a request,
 * and the checks every action passes (its session's CSRF token in a header, compared in constant
 * time, and an Origin that is the console's own).
 */
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleAuth {
  /** The console's own origin (of the redirect URL): the only one a change may come from. */
  origin: string;
  /** Adds /auth/login, /auth/callback, /auth/logout and /auth/signed-out to the console's router. */
  mount(router: Router): void;
  /** The request's session, or null (no cookie, unknown, forged or expired). */
  session(req: Request): Promise<ConsoleSession | null>;
  /** Null when the request may act for its session; else the catalogue key of the refusal. */
  checkAction(req: Request, session: ConsoleSession): PlainKey | null;
  /** Discovers the provider (start-up); false when it cannot be reached yet. */
  warmUp(): Promise<boolean>;
}

export function createConsoleAuth(options: {
  config: ConsoleAuthConfig;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Tests: a relying party of their own; default: openid-client against the issuer. */
  rp?: OidcRelyingParty;
}): ConsoleAuth {
  const { config, logger } = options;
  const rp = options.rp ?? createOidcRelyingParty(config);
  const sessions = createSessionStore(options.redis, options.prefix, {
    ttlMs: config.sessionTtlMs,
  });
  const names = cookieNames(config.secureCookies);
  const secure = config.secureCookies;

  const session = (req: Request) => sessions.get(readCookie(req, names.session));

  function checkAction(req: Request, s: ConsoleSession): PlainKey | null {
    return sameOrigin(req, config.origin) && tokenMatches(req, s) ? null : 'console.crossSite';
  }

  function tokenMatches(req: Request, s: ConsoleSession): boolean {
    const sent = req.header(CSRF_HEADER);
    return typeof sent === 'string' && sameToken(sent, s.csrf);
  }

  function mount(router: Router): void {
    router.get('/auth/login', async (_req, res) => {
      let begun: Awaited<ReturnType<OidcRelyingParty['begin']>>;
      try {
        begun = await rp.begin();
      } catch (err) {
        logger.warn(
          { err, issuer: config.issuer },
          'console sign-in: the provider cannot be reached',
        );
        return page(res, 503, langOf(_req), 'console.providerDown');
      }
      const id = await sessions.startLogin(begun.login);
      setCookie(res, names.login, id, { secure, maxAgeMs: LOGIN_TTL_MS });
      res.redirect(303, begun.url);
    });

    router.get('/auth/callback', async (req, res) => {
      const lang = langOf(req);
      clearCookie(res, names.login, secure);
      // Only the browser that started this sign-in has its cookie: a callback link sent to
      // someone else signs nobody in (login CSRF). And each sign-in finishes once.
      const login = await sessions.takeLogin(readCookie(req, names.login));
      if (!login) return page(res, 400, lang, 'console.loginExpired');
      let result;
      try {
        result = await rp.finish(req.originalUrl, login);
      } catch (err) {
        logger.warn({ err }, 'console sign-in refused');
        return page(res, 401, lang, 'console.loginFailed');
      }
      if (!result.ok) {
        logger.warn('console sign-in: the ID token has no upn, email or preferred_username');
        return page(res, 403, lang, 'console.noIdentity');
      }
      if (result.groupsOverage) {
        logger.warn(
          { user: result.identity.id },
          'console sign-in: the provider sent a group overage reference instead of the groups claim; the user has no groups (docs/operations.md)',
        );
      }
      // A fresh session id at every sign-in (no fixation); the one before, if any, ends.
      await sessions.destroy(readCookie(req, names.session));
      const created = await sessions.create(result.identity);
      setCookie(res, names.session, created.id, { secure, maxAgeMs: config.sessionTtlMs });
      logger.info(
        { user: result.identity.id, groups: result.identity.groups.length },
        'console sign-in',
      );
      res.redirect(303, '/console/');
    });

    router.post('/auth/logout', async (req, res) => {
      const s = await session(req);
      if (!s) {
        clearCookie(res, names.session, secure);
        return void res.json({ ok: true, next: '/console/auth/signed-out' });
      }
      const refused = checkAction(req, s);
      if (refused) return refuse(res, 403, 'cross_site', refused);
      await sessions.destroy(readCookie(req, names.session));
      clearCookie(res, names.session, secure);
      logger.info({ user: s.user.id }, 'console sign-out');
      res.json({ ok: true, next: '/console/auth/signed-out' });
    });

    router.get('/auth/signed-out', (req, res) => page(res, 200, langOf(req), 'console.signedOut'));
  }

  return { origin: config.origin, mount, session, checkAction, warmUp: () => rp.warmUp() };
}

/**
 * A state change comes from the console's own page: a browser names the page's origin in
 * `Origin` (and `Sec-Fetch-Site`) on every POST, so a cross-site one is refused even before its
 * token is looked at. A client that is not a browser sends neither; the token still binds it.
 */
export function sameOrigin(req: Request, origin: string): boolean {
  const sent = req.header('origin');
  if (sent !== undefined && sent !== origin) return false;
  const site = req.header('sec-fetch-site');
  return site === undefined || site === 'same-origin';
}

export function refuse(res: Response, status: number, error: string, key: PlainKey): void {
  res.status(status).json({ error, key, message: t('en', key) });
}

/** The page's language for the server-rendered sign-in pages: Chinese when the browser asks. */
function langOf(req: Request): Lang {
  return /^zh\b/i.test(req.header('accept-language') ?? '') ? 'zh-TW' : 'en';
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small page for the sign-in steps that do not end on the console itself. */
function page(res: Response, status: number, lang: Lang, key: PlainKey): void {
  res
    .status(status)
    .type('html')
    .set('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escape(t(lang, 'console.title'))}</title>` +
        `<link rel="stylesheet" href="/console/static/style.css"></head><body class="auth-page">` +
        `<main><p data-auth="${escape(key)}">${escape(t(lang, key))}</p>` +
        `<p><a href="/console/auth/login">${escape(t(lang, 'console.signIn'))}</a></p></main></body></html>`,
    );
}
