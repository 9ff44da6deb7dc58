// An OpenID Provider for Seam's interop tests, built on the oidc-provider
// package (a certified OpenID Provider implementation). One confidential
// client (Seam's OIDC connection) and one account, logged in and consented
// without prompts through oidc-provider's interactions API: the tests are
// about the relying party, not about the provider's login page.
//
// The issuer is http://127.0.0.1:<port>: oidc-provider serves plain http
// outside production, and Seam accepts http issuers only on loopback (and
// fetches discovery only with SEAM_OUTBOUND_ALLOW covering it).
//
// Extra endpoints for tests (not OpenID Connect):
//   GET /test/last-authorization   JSON of the last authorization request's
//                                  parameters (state, nonce, PKCE, scope...)

import Provider from 'oidc-provider';
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Starts the provider on 127.0.0.1 (port 0 picks a free port).
 *
 * options:
 *   clientId, clientSecret, redirectURIs   Seam's OIDC connection
 *   tokenEndpointAuthMethod                 'client_secret_basic' (default) or 'client_secret_post'
 *   account  { sub, email, name, givenName, familyName, emailVerified }
 *            emailVerified: true (default) or false is sent as the
 *            email_verified claim; null leaves the claim out (as Microsoft
 *            Entra ID does)
 *
 * publicHost names the provider in its issuer (e.g. 'localhost', another
 * site than Seam's 127.0.0.1 for browser tests); it still listens on
 * 127.0.0.1.
 *
 * Resolves to { url (the issuer), close(), lastAuthorization() }.
 */
export async function startOP({ clientId, clientSecret, redirectURIs, tokenEndpointAuthMethod = 'client_secret_basic', account }, { port = 0, publicHost = '127.0.0.1' } = {}) {
  if (!clientId || !clientSecret || !redirectURIs?.length || !account?.sub) {
    throw new Error('startOP: clientId, clientSecret, redirectURIs and account.sub are required');
  }
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://${publicHost}:${server.address().port}`;

  // A fresh signing key per run, so nothing is shared between tests.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectURIs,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: tokenEndpointAuthMethod,
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    async findAccount(ctx, sub) {
      if (sub !== account.sub) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = {
            sub,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name,
            given_name: account.givenName,
            family_name: account.familyName,
          };
          if (account.emailVerified === null) delete claims.email_verified;
          return claims;
        },
      };
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Seam always sends S256 PKCE; require it so a missing one would fail.
    pkce: { required: () => true },
  });

  let lastAuthorization = null;

  // Logs the account in and grants what the client asked for.
  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params } = details;
    lastAuthorization = { ...params };
    let result;
    if (prompt.name === 'login') {
      result = { login: { accountId: account.sub } };
    } else if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    } else {
      throw new Error(`unexpected prompt ${prompt.name}`);
    }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  const handle = provider.callback();
  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/test/last-authorization') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(lastAuthorization));
      return;
    }
    if (path.startsWith('/interaction/')) {
      interaction(req, res).catch((e) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`interaction failed: ${e?.message || e}`);
      });
      return;
    }
    handle(req, res);
  });

  return {
    url: issuer,
    lastAuthorization: () => lastAuthorization,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
