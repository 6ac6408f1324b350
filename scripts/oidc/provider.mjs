// A real OpenID provider for the test suite (npm `oidc-provider`), on loopback. Not a mock: discovery, JWKS, the
// authorization-code flow with PKCE (required for every client), dynamic client registration and JWT access tokens
// for one resource (the Gateway's audience) are the library's own.
//
// Usage: node scripts/oidc/provider.mjs <port> [audience]
//   OIDC_PROVIDER_MODULE  path to oidc-provider's lib/index.js (scripts/test.sh installs it in its tool cache)
//
// People: any login signs in, with any password (the library's development sign-in pages: a test identity provider).
// The login is the subject; the e-mail is <login>@example.test (verified, except for logins starting
// "unverified-"). A login "name+role1,role2" carries those roles in a "roles" claim of its tokens.
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

const port = Number(process.argv[2]);
const audience = process.argv[3] ?? 'api://vendorgate';
if (!port) {
  console.error('usage: node provider.mjs <port> [audience]');
  process.exit(2);
}
const modulePath = process.env.OIDC_PROVIDER_MODULE;
if (!modulePath) {
  console.error('Set OIDC_PROVIDER_MODULE to oidc-provider/lib/index.js');
  process.exit(2);
}
const { default: Provider, interactionPolicy } = await import(pathToFileURL(modulePath).href);

const issuer = `http://127.0.0.1:${port}`;
const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

function claimsOf(login) {
  const [name, roles] = login.split('+', 2);
  return {
    sub: login,
    name,
    email: `${name}@example.test`,
    email_verified: !name.startsWith('unverified-'),
    roles: roles ? roles.split(',').filter(Boolean) : [],
  };
}

const provider = new Provider(issuer, {
  jwks: { keys: [{ ...signingKey, kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' }] },
  clients: [],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'vendorgate', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true }, // a test registers its own client with its own loopback redirect URI
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) throw new Error(`unknown resource ${resource}`);
        return { scope: 'vendorgate', audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // The Gateway reads who the person is from the access token: the same claims as the ID token.
  extraTokenClaims: (_ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const { email, email_verified, roles } = claimsOf(token.accountId);
    return { email, email_verified, roles };
  },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => claimsOf(id) }),
  // First-party clients only: consent is implied, so a sign-in is one login form.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile vendorgate');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    grant.addResourceScope(audience, 'vendorgate');
    await grant.save();
    return grant;
  },
  interactions: { policy: interactionPolicy.base() },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 3600 },
  renderError: (ctx, out) => {
    ctx.type = 'text/plain';
    ctx.body = `${out.error}: ${out.error_description ?? ''}`;
  },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ${issuer} (audience ${audience})`));
