import type { Request, Response } from 'express';

/**
 * The console's two cookies: the session, and a short-lived one tying a sign-in's answer to the
 * browser that started it (no login CSRF). Both `HttpOnly` and `SameSite=Lax` (the provider's
 * redirect back is a top-level GET, which Lax lets through; a cross-site POST carries neither),
 * and behind https `Secure` with the `__Host-` prefix (no Domain, Path=/: no subdomain can set
 * or read them).
 */
export function cookieNames(secure: boolean) {
  const p = secure ? '__Host-' : '';
  return { session: `${p}exchops-console`, login: `${p}exchops-console-login` };
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setCookie(
  res: Response,
  name: string,
  value: string,
  options: { secure: boolean; maxAgeMs: number },
): void {
  const attrs = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeMs / 1000))}`,
  ];
  if (options.secure) attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}

export function clearCookie(res: Response, name: string, secure: boolean): void {
  setCookie(res, name, '', { secure, maxAgeMs: 0 });
}
