// A complete OIDC login through the official SDK: an organization and an
// OIDC connection created with client.sso.oidc.*, whose issuer is the
// oidc-provider OpenID Provider of tests/interop/oidc-op (a certified OP
// written by others, run as a node child process on a free loopback port);
// Seam reads the OP's discovery document through its guarded outbound client
// (SEAM_OUTBOUND_ALLOW=127.0.0.0/8). A plain HTTP client with a cookie jar
// drives the browser part (start -> OP authorize -> interaction auto-login
// -> callback -> application redirect with the token), and
// client.sso.authenticate({ sso_token }) finishes the login. Then the
// refusals a browser or an attacker can provoke: token reuse, a replayed
// callback URL, a forged state, a redeemed authorization code.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/sso_oidc.js, sso.js, sessions.js):
//   sso.oidc.createConnection  POST /v1/b2b/sso/oidc/{organization_id}  {display_name, identity_provider}
//   sso.oidc.updateConnection  PUT  /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}
//       {display_name, client_id, client_secret, issuer, authorization_url, token_url, userinfo_url,
//        jwks_url, identity_provider, custom_scopes, attribute_mapping}
//   sso.authenticate           POST /v1/b2b/sso/authenticate  body = the params object as given
//   sessions.authenticate      POST /v1/b2b/sessions/authenticate
// Response types: B2BSSOAuthenticateResponse (types/lib/b2b/sso.d.ts), OIDCSSOFactor
// (types/lib/b2c/sessions.d.ts, shared by the B2B MemberSession).
//
// The OP's packages live in tests/interop/oidc-op: run tests/interop/setup.sh first.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';
import { Browser } from '../interop/browser.mjs';
import { atApp, errorPage, listLogins, startInteropHelper, startURL, tokenFrom } from './login_helpers.mjs';

const SUBJECT = 'alice-0001';
const EMAIL = 'alice@oidc.example.com';
const CLIENT_ID = 'seam-conformance';
const CLIENT_SECRET = 'conformance-client-secret-' + randomBytes(16).toString('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

describeEachBackend('sso oidc login through oidc-provider', (seam) => {
  let orgId;
  let connId;
  let redirectURL;
  let callbackPath;
  let op;

  before(async () => {
    const { organization } = await seam.client.organizations.create({
      organization_name: 'OIDC Login Co', organization_slug: uid('oidc-login'), sso_jit_provisioning: 'ALL_ALLOWED',
    });
    orgId = organization.organization_id;
    const created = await seam.client.sso.oidc.createConnection({ organization_id: orgId, display_name: 'oidc-provider' });
    connId = created.connection.connection_id;
    redirectURL = created.connection.redirect_url;
    assert.equal(redirectURL, `${seam.baseURL}/v1/b2b/sso/callback/${connId}`);
    callbackPath = new URL(redirectURL).pathname;

    op = await startInteropHelper('oidc-op', {
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectURIs: [redirectURL],
      account: { sub: SUBJECT, email: EMAIL, name: 'Alice Example', givenName: 'Alice', familyName: 'Example' },
    });

    // Only issuer and the client credentials: discovery fills the endpoints.
    const res = await seam.client.sso.oidc.updateConnection({
      organization_id: orgId, connection_id: connId, issuer: op.url, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(res.warning ?? '', '', `discovery warning: ${res.warning}`);
    const c = res.connection;
    assert.deepEqual(
      { status: c.status, issuer: c.issuer, authorization_url: c.authorization_url, token_url: c.token_url, userinfo_url: c.userinfo_url, jwks_url: c.jwks_url },
      { status: 'active', issuer: op.url, authorization_url: `${op.url}/auth`, token_url: `${op.url}/token`, userinfo_url: `${op.url}/me`, jwks_url: `${op.url}/jwks` },
    );
    assert.notEqual(c.client_secret, CLIENT_SECRET, 'the client secret came back in the response');
  });

  after(async () => {
    await op?.close();
  });

  const lastAuthorization = async () => (await fetch(`${op.url}/test/last-authorization`)).json();

  /** A browser that stops at the application, and at Seam's callback when stopAtCallback. */
  const browser = (stopAtCallback = false) =>
    new Browser({ stop: (u) => atApp(u) || (stopAtCallback && u.origin === seam.baseURL && u.pathname === callbackPath) });

  /** Runs a login up to the OP's redirect back to Seam; returns the callback URL (with code and state). */
  const toCallback = async (b) => {
    const page = await b.get(startURL(seam, connId));
    assert.ok(page.stopped && page.url.pathname === callbackPath, `did not come back to the callback: ${page.status} ${page.url}\n${(page.body || '').slice(0, 500)}\n${b.history.join('\n')}`);
    assert.ok(page.url.searchParams.get('code'), `no code in ${page.url}`);
    return page.url;
  };

  /** Plants the login cookie Seam sets at start (seam_sso_<state>), as an attacker controlling the jar could. */
  const plantCookie = (b, state) => b.cookies.push({ name: `seam_sso_${state}`, value: '1', host: new URL(seam.baseURL).hostname, path: callbackPath });

  const withParam = (u, k, v) => {
    const c = new URL(u);
    c.searchParams.set(k, v);
    return c.toString();
  };

  it('logs in through the OP and ends in sso.authenticate with a JIT member and a session', async () => {
    const b = browser();
    const token = tokenFrom(await b.get(startURL(seam, connId)), b);

    // The authorization request as the OP received it.
    const az = await lastAuthorization();
    assert.equal(az.response_type, 'code');
    assert.equal(az.client_id, CLIENT_ID);
    assert.equal(az.redirect_uri, redirectURL);
    assert.equal(az.code_challenge_method, 'S256');
    assert.match(az.code_challenge, /^[\w-]{43}$/);
    assert.ok(az.state && az.nonce, `no state or nonce: ${JSON.stringify(az)}`);
    for (const s of ['openid', 'email', 'profile']) assert.ok(az.scope.split(' ').includes(s), `scope ${az.scope} lacks ${s}`);
    // The login cookie is cleared once the callback used it.
    assert.deepEqual(b.cookies.filter((c) => c.name.startsWith('seam_sso_')), []);

    const res = await seam.client.sso.authenticate({ sso_token: token, session_duration_minutes: 45 });
    assert.equal(res.status_code, 200);
    assert.deepEqual(sdkRequiredFields('b2b/sso', 'B2BSSOAuthenticateResponse').filter((k) => !(k in res)), []);
    assert.equal(res.member_authenticated, true);
    assert.equal(res.organization_id, orgId);
    assert.equal(res.organization.organization_id, orgId);
    assert.equal(res.member_id, res.member.member_id);
    assert.equal(res.member.organization_id, orgId);
    // oidc-provider puts email and name only in userinfo for the code flow.
    assert.equal(res.member.email_address, EMAIL);
    assert.equal(res.member.name, 'Alice Example');
    assert.equal(res.member.status, 'active');
    assert.ok(res.member.roles.some((r) => r.role_id === 'stytch_member'));
    const reg = res.member.sso_registrations?.find((r) => r.connection_id === connId);
    assert.ok(reg, `no SSO registration for ${connId}: ${JSON.stringify(res.member.sso_registrations)}`);
    assert.equal(reg.external_id, SUBJECT);

    assert.ok(res.session_token, 'no session_token');
    assert.match(res.session_jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const ms = res.member_session;
    assert.equal(ms.member_id, res.member_id);
    assert.equal(ms.organization_id, orgId);
    const minutes = (Date.parse(ms.expires_at) - Date.parse(ms.started_at)) / 60000;
    assert.ok(Math.abs(minutes - 45) < 1, `session lasts ${minutes} minutes, want 45`);
    const factor = ms.authentication_factors.find((f) => f.type === 'sso');
    assert.ok(factor, `no sso factor: ${JSON.stringify(ms.authentication_factors)}`);
    assert.equal(factor.delivery_method, 'sso_oidc');
    assert.equal(factor.saml_sso_factor, undefined);
    assert.deepEqual(sdkRequiredFields('b2c/sessions', 'OIDCSSOFactor').filter((k) => !(k in factor.oidc_sso_factor)), []);
    assert.equal(factor.oidc_sso_factor.provider_id, connId);
    assert.equal(factor.oidc_sso_factor.external_id, SUBJECT);
    assert.equal(factor.oidc_sso_factor.id, reg.registration_id);

    // The session and its JWT are real.
    const s = await seam.client.sessions.authenticate({ session_token: res.session_token });
    assert.equal(s.member.member_id, res.member_id);
    assert.equal(s.member_session.member_session_id, ms.member_session_id);
    assert.ok(s.member_session.authentication_factors.some((f) => f.oidc_sso_factor?.provider_id === connId));
    const j = await seam.client.sessions.authenticate({ session_jwt: res.session_jwt });
    assert.equal(j.member_session.member_session_id, ms.member_session_id);

    // The diagnostics saw the OP's issuer and subject.
    const [latest] = await listLogins(seam, 'oidc', orgId, connId);
    assert.equal(latest.outcome, 'success');
    assert.equal(latest.facts.issuer, op.url);
    assert.equal(latest.facts.subject, SUBJECT);
  });

  it('refuses the SSO token a second time', async () => {
    const b = browser();
    const token = tokenFrom(await b.get(startURL(seam, connId)), b);
    const first = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(first.member.email_address, EMAIL);
    await expectStytchError(seam.client.sso.authenticate({ sso_token: token }), 404, 'sso_token_not_found');
    // A second login found the member by its registration: still one member.
    const { members } = await seam.client.organizations.members.search({ organization_ids: [orgId] });
    assert.equal(members.length, 1, `members: ${members.map((m) => m.email_address)}`);
    assert.equal(members[0].member_id, first.member_id);
  });

  it('refuses a replayed callback URL', async () => {
    const b = browser(true);
    const callback = await toCallback(b);
    b.stop = atApp;
    const token = tokenFrom(await b.get(callback), b);

    // The same URL again: the login cleared its cookie...
    errorPage(await b.get(callback), 400, 'oidc_csrf_cookie_missing');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'missing_request_cookie');
    // ...and even with the cookie put back, its state was used up.
    plantCookie(b, callback.searchParams.get('state'));
    errorPage(await b.get(callback), 400, 'oidc_state_mismatch');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'state_mismatch');
    // From a fresh browser (no cookie at all) too.
    const other = browser();
    errorPage(await other.get(callback), 400, 'oidc_csrf_cookie_missing');

    // The token of the real callback still works once.
    const res = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(res.member.email_address, EMAIL);
  });

  it('refuses a forged state and keeps the real login usable', async () => {
    const b = browser(true);
    const callback = await toCallback(b);
    b.stop = atApp;
    const forgedState = 'forged-' + randomBytes(16).toString('hex');
    const forged = withParam(callback, 'state', forgedState);

    errorPage(await b.get(forged), 400, 'oidc_csrf_cookie_missing');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'missing_request_cookie');
    plantCookie(b, forgedState);
    errorPage(await b.get(forged), 400, 'oidc_state_mismatch');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'state_mismatch');
    // Without any state.
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    errorPage(await b.get(noState.toString()), 400, 'missing_oidc_state_param');

    // The forged attempts consumed nothing: the real callback completes.
    const token = tokenFrom(await b.get(callback), b);
    const res = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(res.organization_id, orgId);
    assert.equal(res.member.email_address, EMAIL);
  });

  it('refuses the callback in a browser that did not start the login, without using the login up', async () => {
    const b = browser(true);
    const callback = await toCallback(b);
    const other = browser();
    errorPage(await other.get(callback), 400, 'oidc_csrf_cookie_missing');
    b.stop = atApp;
    const res = await seam.client.sso.authenticate({ sso_token: tokenFrom(await b.get(callback), b) });
    assert.equal(res.member.email_address, EMAIL);
  });

  it('refuses an authorization code that was already redeemed', async () => {
    const b = browser(true);
    const first = await toCallback(b);
    b.stop = atApp;
    tokenFrom(await b.get(first), b);

    b.stop = (u) => atApp(u) || (u.origin === seam.baseURL && u.pathname === callbackPath);
    const second = await toCallback(b);
    assert.notEqual(second.searchParams.get('code'), first.searchParams.get('code'));
    b.stop = atApp;
    // The fresh login's state and cookie, the old code: the OP refuses the exchange.
    errorPage(await b.get(withParam(second, 'code', first.searchParams.get('code'))), 400, 'oidc_invalid_grant');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'invalid_grant');
  });

  // RFC 9207: oidc-provider names itself in the callback's iss parameter;
  // a callback naming another provider (a mix-up attack) is refused.
  it('refuses a callback whose iss names another provider', async () => {
    const b = browser(true);
    const callback = await toCallback(b);
    assert.equal(callback.searchParams.get('iss'), op.url, 'oidc-provider sent no RFC 9207 iss');
    b.stop = atApp;
    errorPage(await b.get(withParam(callback, 'iss', 'http://127.0.0.1:9/evil')), 400, 'oidc_invalid_callback_request');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'callback_invalid');
  });

  it('refuses a login on a connection whose provider is not configured yet', async () => {
    const pending = (await seam.client.sso.oidc.createConnection({ organization_id: orgId, display_name: 'pending' })).connection;
    assert.equal(pending.status, 'pending');
    const r = await fetch(startURL(seam, pending.connection_id), { redirect: 'manual' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error_type, 'requires_active_sso_connection');
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
