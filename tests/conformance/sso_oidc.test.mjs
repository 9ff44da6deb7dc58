// OIDC connection management through the official SDK's
// client.sso.oidc.{createConnection, updateConnection}, client.sso.getConnections
// and client.sso.deleteConnection, with discovery against an https OpenID
// Provider served by this file on 127.0.0.1.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/sso_oidc.js, sso.js):
//   sso.oidc.createConnection  POST /v1/b2b/sso/oidc/{organization_id}
//                              body {display_name, identity_provider}
//   sso.oidc.updateConnection  PUT  /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}
//                              body {display_name, client_id, client_secret, issuer, authorization_url,
//                              token_url, userinfo_url, jwks_url, identity_provider, custom_scopes,
//                              attribute_mapping}; undefined fields vanish in JSON.stringify
//   sso.getConnections         GET  /v1/b2b/sso/{organization_id}
//   sso.deleteConnection       DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}
// Response types: OIDCConnection in types/lib/b2b/sso.d.ts;
// B2BSSOOIDCUpdateConnectionResponse (connection, warning) in types/lib/b2b/sso_oidc.d.ts.
//
// Seam reaches the provider only because the server runs with
// SEAM_OUTBOUND_ALLOW=127.0.0.0/8 and the provider's certificate in
// SEAM_OUTBOUND_CA_FILE; without them the guarded client refuses loopback.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const OIDC_ID = new RegExp(`^oidc-connection-test-${UUID}$`);
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const SECRET = 'conformance-client-secret-' + randomBytes(8).toString('hex');

// A certificate for 127.0.0.1 (Node can make keys but not X.509
// certificates, so openssl makes it).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'seam-oidc-op-'));
const keyFile = path.join(tmp, 'key.pem');
const certFile = path.join(tmp, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
  '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });

// The provider: /.well-known/openid-configuration under any issuer path
// registered in `docs`; everything else is 404. It counts requests.
const docs = new Map();
let hits = 0;
const op = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
  hits++;
  const suffix = '/.well-known/openid-configuration';
  const p = req.url.endsWith(suffix) ? req.url.slice(0, -suffix.length) : null;
  const doc = p === null ? undefined : docs.get(p);
  if (!doc) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc));
});
await new Promise((resolve) => op.listen(0, '127.0.0.1', resolve));
const opOrigin = `https://127.0.0.1:${op.address().port}`;

/** Registers a complete discovery document for issuer opOrigin + p. */
function provider(p) {
  const iss = opOrigin + p;
  docs.set(p, {
    issuer: iss, authorization_endpoint: iss + '/authorize', token_endpoint: iss + '/token',
    userinfo_endpoint: iss + '/userinfo', jwks_uri: iss + '/jwks', response_types_supported: ['code'],
    subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
  });
  return iss;
}

after(() => {
  op.close();
  rmSync(tmp, { recursive: true, force: true });
});

describeEachBackend('sso oidc connections', (seam) => {
  let orgId;
  let slug;
  before(async () => {
    slug = uid('oidc-co');
    const { organization } = await seam.client.organizations.create({ organization_name: 'OIDC Co', organization_slug: slug });
    orgId = organization.organization_id;
  });

  const create = (fields = {}) =>
    seam.client.sso.oidc.createConnection({ organization_id: orgId, display_name: 'Okta', identity_provider: 'okta', ...fields });

  it('creates a pending connection with every SDK field', async () => {
    const res = await create();
    assert.equal(res.status_code, 200);
    const c = res.connection;
    const missing = sdkRequiredFields('b2b/sso', 'OIDCConnection').filter((k) => !(k in c));
    assert.deepEqual(missing, []);
    assert.match(c.connection_id, OIDC_ID);
    assert.equal(c.organization_id, orgId);
    assert.equal(c.status, 'pending');
    assert.equal(c.display_name, 'Okta');
    assert.equal(c.identity_provider, 'okta');
    assert.equal(c.redirect_url, `${seam.baseURL}/v1/b2b/sso/callback/${c.connection_id}`);
    assert.equal(c.client_secret, '');
    assert.deepEqual(c.attribute_mapping, {});
  });

  it('discovers endpoints when the issuer changes and activates with client credentials', async () => {
    const id = (await create()).connection.connection_id;
    const iss = provider(`/${uid('tenant')}`);
    const before = hits;
    const res = await seam.client.sso.oidc.updateConnection({ organization_id: slug, connection_id: id, issuer: iss });
    assert.equal(res.status_code, 200);
    assert.equal(res.warning, '');
    assert.ok(hits > before, 'the provider was not asked for its discovery document');
    assert.equal(res.connection.authorization_url, iss + '/authorize');
    assert.equal(res.connection.token_url, iss + '/token');
    assert.equal(res.connection.userinfo_url, iss + '/userinfo');
    assert.equal(res.connection.jwks_url, iss + '/jwks');
    assert.equal(res.connection.status, 'pending');

    const done = await seam.client.sso.oidc.updateConnection({
      organization_id: orgId, connection_id: id, client_id: 'conformance-client', client_secret: SECRET,
      custom_scopes: 'openid email groups', attribute_mapping: { department: 'dept' },
      // A body value wins over the discovered one.
      token_url: 'https://idp.example.com/oauth/token',
    });
    const c = done.connection;
    assert.equal(c.status, 'active');
    assert.equal(c.client_id, 'conformance-client');
    assert.equal(c.token_url, 'https://idp.example.com/oauth/token');
    assert.equal(c.custom_scopes, 'openid email groups');
    assert.deepEqual(c.attribute_mapping, { department: 'dept' });
    assert.notEqual(c.client_secret, SECRET);
    assert.notEqual(c.client_secret, '');

    const list = await seam.client.sso.getConnections({ organization_id: orgId });
    const listed = list.oidc_connections.find((x) => x.connection_id === id);
    assert.ok(listed, 'the connection is not listed in oidc_connections');
    assert.equal(listed.status, 'active');
    assert.ok(!JSON.stringify(list).includes(SECRET), 'getConnections disclosed the client secret');

    const { organization } = await seam.client.organizations.get({ organization_id: orgId });
    assert.ok(organization.sso_active_connections.some((x) => x.connection_id === id));
  });

  it('saves the update with a warning when discovery fails', async () => {
    const id = (await create()).connection.connection_id;
    const iss = `${opOrigin}/${uid('missing')}`; // no document registered: 404
    const res = await seam.client.sso.oidc.updateConnection({
      organization_id: orgId, connection_id: id, issuer: iss, client_id: 'cid', jwks_url: 'https://idp.example.com/jwks',
    });
    assert.equal(res.status_code, 200);
    assert.match(res.warning, /discovery/i);
    assert.match(res.warning, /404/);
    assert.equal(res.connection.issuer, iss);
    assert.equal(res.connection.client_id, 'cid');
    assert.equal(res.connection.jwks_url, 'https://idp.example.com/jwks');
    assert.equal(res.connection.authorization_url, '');
  });

  it('refuses invalid values and changes nothing', async () => {
    const id = (await create({ display_name: 'Unchanged' })).connection.connection_id;
    const upd = (fields) => seam.client.sso.oidc.updateConnection({ organization_id: orgId, connection_id: id, display_name: 'Changed', ...fields });
    await expectStytchError(upd({ issuer: 'http://idp.example.com' }), 400, 'invalid_issuer');
    await expectStytchError(upd({ issuer: 'not a url' }), 400, 'oidc_connection_issuer_url_invalid_format');
    await expectStytchError(upd({ token_url: 'ftp://idp.example.com/token' }), 400, 'oidc_connection_token_url_invalid_format');
    await expectStytchError(upd({ userinfo_url: 'http://idp.example.com/userinfo' }), 400, 'invalid_userinfo_url');
    await expectStytchError(upd({ client_secret: 'x'.repeat(5000) }), 400, 'client_secret_too_long');
    await expectStytchError(upd({ client_id: '' }), 400, 'oidc_connection_client_id_required');
    await expectStytchError(upd({ identity_provider: 'myspace' }), 400, 'invalid_sso_idp');
    await expectStytchError(upd({ attribute_mapping: { email: { nested: true } } }), 400, 'invalid_request_value');
    const list = await seam.client.sso.getConnections({ organization_id: orgId });
    assert.equal(list.oidc_connections.find((x) => x.connection_id === id).display_name, 'Unchanged');
  });

  it('404s for unknown connections and organizations', async () => {
    await expectStytchError(
      seam.client.sso.oidc.updateConnection({ organization_id: orgId, connection_id: 'oidc-connection-test-00000000-0000-4000-8000-000000000000', display_name: 'x' }),
      404, 'oidc_connection_not_found');
    await expectStytchError(seam.client.sso.oidc.createConnection({ organization_id: 'no-such-org' }), 404, 'organization_not_found');
    const saml = (await seam.client.sso.saml.createConnection({ organization_id: orgId })).connection.connection_id;
    await expectStytchError(
      seam.client.sso.oidc.updateConnection({ organization_id: orgId, connection_id: saml, display_name: 'x' }), 404, 'oidc_connection_not_found');
  });

  it('deletes a connection', async () => {
    const id = (await create()).connection.connection_id;
    const res = await seam.client.sso.deleteConnection({ organization_id: orgId, connection_id: id });
    assert.equal(res.connection_id, id);
    const list = await seam.client.sso.getConnections({ organization_id: orgId });
    assert.ok(!list.oidc_connections.some((x) => x.connection_id === id));
    await expectStytchError(
      seam.client.sso.oidc.updateConnection({ organization_id: orgId, connection_id: id, display_name: 'x' }), 404, 'oidc_connection_not_found');
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8', SEAM_OUTBOUND_CA_FILE: certFile } });

// Without the allow-list, the same provider on 127.0.0.1 is refused at
// fetch time: the update succeeds with a warning and nothing is fetched.
describeEachBackend('sso oidc discovery without an allow-list', (seam) => {
  it('refuses a loopback issuer at fetch time', async () => {
    const { organization } = await seam.client.organizations.create({ organization_name: 'Guarded', organization_slug: uid('guarded') });
    const id = (await seam.client.sso.oidc.createConnection({ organization_id: organization.organization_id })).connection.connection_id;
    const iss = provider(`/${uid('loopback')}`);
    const before = hits;
    const res = await seam.client.sso.oidc.updateConnection({ organization_id: organization.organization_id, connection_id: id, issuer: iss });
    assert.equal(res.status_code, 200);
    assert.match(res.warning, /discovery/i);
    assert.equal(res.connection.issuer, iss);
    assert.equal(res.connection.authorization_url, '');
    assert.equal(hits, before, 'the provider on 127.0.0.1 was contacted');
  });
});
