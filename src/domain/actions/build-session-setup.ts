import { checkHostName } from '../alerts/host-name';
import { quotePs } from './quote';

/**
 * The lines each worker shell runs once: a remote Exchange Management Shell session
 * (`New-PSSession -ConfigurationName Microsoft.Exchange ...` + `Import-PSSession`), reused for
 * every later Exchange command. The endpoint comes from configuration, so it is validated and
 * quoted like any parameter.
 */
export const SESSION_AUTHENTICATION = ['Kerberos', 'Negotiate', 'Default'] as const;
export type SessionAuthentication = (typeof SESSION_AUTHENTICATION)[number];

export interface ExchangeEndpoint {
  /** e.g. `http://ex01.contoso.com/PowerShell/` (Kerberos encrypts plain-HTTP sessions). */
  connectionUri: string;
  authentication?: SessionAuthentication;
}

export type SessionSetupResult = { ok: true; lines: string[] } | { ok: false; reason: string };

export function exchangeUriFor(server: string): string {
  return `http://${server}/PowerShell/`;
}

export function buildSessionSetup(endpoint: ExchangeEndpoint): SessionSetupResult {
  let url: URL;
  try {
    url = new URL(endpoint.connectionUri);
  } catch {
    return { ok: false, reason: `connection URI "${endpoint.connectionUri}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'connection URI must be http: or https:' };
  }
  if (url.username || url.password || url.search || url.hash) {
    return {
      ok: false,
      reason: 'connection URI must not carry credentials, a query or a fragment',
    };
  }
  const hostProblem = checkHostName(url.hostname);
  if (hostProblem !== null) return { ok: false, reason: `connection URI host ${hostProblem}` };
  if (!/^\/[A-Za-z0-9/_-]*$/.test(url.pathname)) {
    return {
      ok: false,
      reason: 'connection URI path may hold only letters, digits, "/", "_", "-"',
    };
  }
  const auth = endpoint.authentication ?? 'Kerberos';
  if (!SESSION_AUTHENTICATION.includes(auth)) {
    return {
      ok: false,
      reason: `authentication must be one of ${SESSION_AUTHENTICATION.join(', ')}`,
    };
  }
  return {
    ok: true,
    lines: [
      // UTF-8 output (node-powershell decodes UTF-8; the console default is the OEM code page),
      // and no progress records rendered by the host between our delimiters.
      "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; $ProgressPreference = 'SilentlyContinue'",
      `$ExchangeSession = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri ${quotePs(url.href)} -Authentication ${auth} -ErrorAction Stop; ` +
        'Import-PSSession -Session $ExchangeSession -DisableNameChecking -AllowClobber -ErrorAction Stop | Out-Null',
    ],
  };
}
