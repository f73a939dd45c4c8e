import { custom, generators, Issuer, type BaseClient } from 'openid-client';
import type { ConsoleAuthConfig } from './config';
import { identityFromClaims, type IdentityResult } from './identity';
import type { PendingLogin } from './sessions';

/**
 * The OpenID Connect relying party, through openid-client: the authorization code flow with
 * state, nonce and PKCE. The provider is discovered on first use (and again after a failure), so
 * a provider that is down at start-up does not stop the bot: sign-in fails until it is back.
 */
export interface OidcRelyingParty {
  /** Where to send the browser, and what its answer must match. */
  begin(): Promise<{ url: string; login: PendingLogin }>;
  /** Redeems the code of the provider's answer and reads the identity from the ID token. */
  finish(callbackUrl: string, login: PendingLogin): Promise<IdentityResult>;
  /** Discovers the provider now (start-up); never throws. */
  warmUp(): Promise<boolean>;
}

export function createOidcRelyingParty(config: ConsoleAuthConfig): OidcRelyingParty {
  let client: Promise<BaseClient> | null = null;

  const getClient = (): Promise<BaseClient> => {
    client ??= Issuer.discover(config.issuer).then((issuer) => {
      const c = new issuer.Client({
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: [config.redirectUrl],
        response_types: ['code'],
      });
      // A few seconds between our clock and the provider's must not refuse a fresh ID token.
      c[custom.clock_tolerance] = 10;
      return c;
    });
    // A failed discovery is tried again on the next sign-in.
    client.catch(() => (client = null));
    return client;
  };

  return {
    async begin() {
      const c = await getClient();
      const login: PendingLogin = {
        state: generators.state(),
        nonce: generators.nonce(),
        codeVerifier: generators.codeVerifier(),
      };
      const url = c.authorizationUrl({
        scope: config.scopes.join(' '),
        state: login.state,
        nonce: login.nonce,
        code_challenge: generators.codeChallenge(login.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, login };
    },

    async finish(callbackUrl, login) {
      const c = await getClient();
      const params = c.callbackParams(callbackUrl);
      // Checks the state, the ID token's signature, issuer, audience, expiry and nonce.
      const tokens = await c.callback(config.redirectUrl, params, {
        response_type: 'code',
        state: login.state,
        nonce: login.nonce,
        code_verifier: login.codeVerifier,
      });
      return identityFromClaims(tokens.claims(), config.groupsClaim);
    },

    async warmUp() {
      try {
        await getClient();
        return true;
      } catch {
        return false;
      }
    },
  };
}
