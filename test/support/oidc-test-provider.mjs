// A real OpenID Connect provider for tests (the `oidc-provider` package, which is ESM only, so it
// runs in a child process of its own: see oidc-provider.ts). It signs users in through its
// development login form (any password), skips the consent screen, and puts `email`, `name` and
// `groups` into the ID token the way Entra ID does. It prints `{"issuer": …}` once it listens.
/* global process, console */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const options = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const accounts = options.accounts ?? {};

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: options.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  claims: {
    openid: ['sub', 'groups'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Entra ID puts the profile claims in the ID token itself.
  conformIdTokenClaims: false,
  // A first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['oidc-test-provider-cookie-key'] },
});
// The development-only warnings are expected here.
provider.on('server_error', (_ctx, err) => console.error(err));
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
