// A complete SAML login through the official SDK: an organization and a SAML
// connection created with client.sso.saml.*, a login through a real SAML IdP
// written by others (samlify, tests/interop/samlify-idp) driven by a plain
// HTTP client that follows redirects and submits the auto-post form, and
// client.sso.authenticate({ sso_token }) for the member and session.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/sso.js, sso_saml.js):
//   sso.saml.createConnection  POST /v1/b2b/sso/saml/{organization_id}  {display_name, identity_provider}
//   sso.saml.updateByURL       PUT  .../connections/{connection_id}/url {metadata_url}
//   sso.saml.updateConnection  PUT  .../connections/{connection_id}     explicit field list
//   sso.authenticate           POST /v1/b2b/sso/authenticate            body = the params object as given
//   sessions.authenticate      POST /v1/b2b/sessions/authenticate
// Response types: B2BSSOAuthenticateResponse in types/lib/b2b/sso.d.ts.
//
// The samlify IdP's packages live in tests/interop/samlify-idp: run
// tests/interop/setup.sh first (.ci/run does).

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, DEFAULT_REDIRECT_URL } from './harness.mjs';
import { Browser } from '../interop/browser.mjs';
import { generateKeyPair } from '../interop/samlify-idp/keys.mjs';

let samlify;
try {
  samlify = await import('../interop/samlify-idp/idp.mjs');
} catch (e) {
  throw new Error(`the samlify IdP could not be loaded (run tests/interop/setup.sh to install its packages): ${e.message}`);
}

const EMAIL = 'alice@example.com';
const GROUPS = ['engineering', 'admins'];
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const app = new URL(DEFAULT_REDIRECT_URL);

/** A browser that stops at the application's redirect URL. */
const newBrowser = () => new Browser({ stop: (u) => u.host === app.host });

/** Asserts the navigation landed on the application with an SSO token; returns it. */
function tokenFrom(page, browser) {
  assert.ok(page.stopped, `login did not reach the application: ${page.status} at ${page.url}\n${(page.body || '').slice(0, 800)}\n${browser.history.join('\n')}`);
  assert.equal(page.url.origin + page.url.pathname, DEFAULT_REDIRECT_URL);
  assert.equal(page.url.searchParams.get('stytch_token_type'), 'sso');
  const token = page.url.searchParams.get('token');
  assert.ok(token, 'no token in the redirect');
  return token;
}

describeEachBackend('sso login through a samlify IdP', (seam) => {
  let orgId;
  let connId;
  let idp;
  const keys = generateKeyPair('samlify conformance IdP');

  before(async () => {
    const { organization } = await seam.client.organizations.create({
      organization_name: 'SSO Login Co', organization_slug: uid('sso-login'), sso_jit_provisioning: 'ALL_ALLOWED',
    });
    orgId = organization.organization_id;
    const created = await seam.client.sso.saml.createConnection({ organization_id: orgId, display_name: 'samlify' });
    connId = created.connection.connection_id;

    const md = await seam.request('GET', `/v1/b2b/sso/saml/${orgId}/connections/${connId}/metadata`);
    assert.equal(md.status, 200, md.text);
    idp = await samlify.startIdP({
      spMetadata: md.text, privateKey: keys.privateKey, certificate: keys.certificate,
      user: { email: EMAIL, firstName: 'Alice', lastName: 'Example', groups: GROUPS },
    });

    const byURL = await seam.client.sso.saml.updateByURL({ organization_id: orgId, connection_id: connId, metadata_url: idp.metadataURL });
    assert.equal(byURL.connection.idp_entity_id, idp.metadataURL);
    assert.equal(byURL.connection.idp_sso_url, `${idp.url}/sso`);
    const updated = await seam.client.sso.saml.updateConnection({
      organization_id: orgId, connection_id: connId,
      attribute_mapping: samlify.ATTRIBUTE_MAPPING,
      saml_group_implicit_role_assignments: [{ group: 'engineering', role_id: 'stytch_admin' }],
    });
    assert.equal(updated.connection.status, 'active');
  });

  after(async () => {
    await idp?.close();
  });

  const startURL = () => `${seam.baseURL}/v1/public/sso/start?${new URLSearchParams({ connection_id: connId, public_token: seam.publicToken })}`;

  it('SP-initiated login ends in sso.authenticate with a JIT member and a session', async () => {
    const browser = newBrowser();
    const token = tokenFrom(await browser.get(startURL()), browser);
    assert.equal(idp.lastRequest()?.signature_verified, true, 'samlify did not verify the AuthnRequest signature');

    const res = await seam.client.sso.authenticate({ sso_token: token, session_duration_minutes: 30 });
    assert.equal(res.status_code, 200);
    assert.equal(res.member_authenticated, true);
    assert.equal(res.organization_id, orgId);
    assert.equal(res.organization.organization_id, orgId);
    assert.equal(res.member.email_address, EMAIL);
    assert.equal(res.member.name, 'Alice Example');
    assert.equal(res.member_id, res.member.member_id);
    assert.ok(res.session_token, 'no session_token');
    assert.match(res.session_jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);

    // Roles: the default member role, and stytch_admin through the
    // "engineering" group's implicit assignment on this connection.
    const admin = res.member.roles.find((r) => r.role_id === 'stytch_admin');
    assert.ok(admin, `no stytch_admin role: ${JSON.stringify(res.member.roles)}`);
    assert.deepEqual(admin.sources.map((s) => s.type), ['sso_connection_group']);
    assert.equal(admin.sources[0].details.connection_id, connId);
    assert.equal(admin.sources[0].details.group, 'engineering');
    assert.ok(res.member.roles.some((r) => r.role_id === 'stytch_member'));

    // The SSO registration and the session's SAML factor name this connection.
    assert.equal(res.member.sso_registrations?.[0]?.connection_id, connId);
    assert.equal(res.member.sso_registrations[0].external_id, EMAIL);
    const factor = res.member_session.authentication_factors.find((f) => f.type === 'sso');
    assert.ok(factor, `no sso factor: ${JSON.stringify(res.member_session.authentication_factors)}`);
    assert.equal(factor.delivery_method, 'sso_saml');
    assert.equal(factor.saml_sso_factor.provider_id, connId);
    assert.equal(factor.saml_sso_factor.external_id, EMAIL);
    assert.equal(res.member_session.member_id, res.member.member_id);
    assert.equal(res.member_session.organization_id, orgId);
    assert.ok(res.member_session.roles.includes('stytch_admin'));
    const minutes = (Date.parse(res.member_session.expires_at) - Date.parse(res.member_session.started_at)) / 60000;
    assert.ok(Math.abs(minutes - 30) < 1, `session lasts ${minutes} minutes, want 30`);

    // The session is real.
    const s = await seam.client.sessions.authenticate({ session_token: res.session_token });
    assert.equal(s.member.member_id, res.member.member_id);

    // The token is single-use.
    await expectStytchError(seam.client.sso.authenticate({ sso_token: token }), 404, 'sso_token_not_found');
  });

  it('IdP-initiated login finds the same member', async () => {
    const browser = newBrowser();
    const token = tokenFrom(await browser.get(`${idp.url}/idp-initiated`), browser);
    const res = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(res.member.email_address, EMAIL);
    const again = await seam.client.organizations.members.search({ organization_ids: [orgId] });
    assert.equal(again.members.length, 1, 'the second login created another member');
    assert.equal(again.members[0].member_id, res.member.member_id);

    // Replaying the unsolicited response is refused on the browser page.
    const replay = await browser.submit(browser.forms.at(-1));
    assert.equal(replay.stopped, false);
    assert.equal(replay.status, 400);
    assert.match(replay.body, /duplicate_saml_response/);
  });

  it('refuses an unknown SSO token', async () => {
    await expectStytchError(seam.client.sso.authenticate({ sso_token: 'sso-token-test-' + randomBytes(32).toString('base64url') }), 404, 'sso_token_not_found');
  });

  // Stytch documents no error_type for a missing sso_token (reference §2.2);
  // Seam answers sso_token_required.
  it('refuses an authenticate call without an SSO token', async () => {
    await expectStytchError(seam.client.sso.authenticate({}), 400, /^(missing_sso_token|invalid_argument|bad_request|sso_token_required)$/);
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
