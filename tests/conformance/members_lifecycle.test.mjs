// The member lifecycle around the core CRUD, through the official SDK:
// reactivating deleted members, dangerouslyGet, deleting external IDs,
// retired email addresses, organization metrics, and sessions.exchange.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/organizations_members.js,
// organizations.js, sessions.js):
//   members.reactivate          PUT    /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate  body {}
//   members.dangerouslyGet      GET    /v1/b2b/organizations/members/dangerously_get/{member_id}?include_deleted=  (no session headers)
//   members.deleteExternalId    DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}/external_id  body {}
//   members.unlinkRetiredEmail  POST   /v1/b2b/organizations/{organization_id}/members/{member_id}/unlink_retired_email {email_id, email_address}
//   organizations.metrics       GET    /v1/b2b/organizations/{organization_id}/metrics  (no session headers)
//   organizations.deleteExternalId DELETE /v1/b2b/organizations/{organization_id}/external_id  body {}
//   sessions.exchange           POST   /v1/b2b/sessions/exchange  body as given
// reactivate, deleteExternalId (both) and unlinkRetiredEmail take options.authorization, sent as
// X-Stytch-Member-Session; Seam enforces stytch.member create, "*", update.info.unlink.retired-email and
// stytch.organization "*" for them (docs/member-lifecycle.md).
//
// sessions.exchange needs a session with an SSO factor: a real OIDC login through the oidc-provider
// OpenID Provider of tests/interop/oidc-op (run tests/interop/setup.sh first).

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';
import { Browser } from '../interop/browser.mjs';
import { atApp, startInteropHelper, startURL, tokenFrom } from './login_helpers.mjs';
import { mintSession } from './session_cli.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const CLIENT_ID = 'seam-lifecycle';
const CLIENT_SECRET = 'lifecycle-client-secret-' + randomBytes(16).toString('hex');

describeEachBackend('member lifecycle', (seam) => {
  const email = `${uid('ada')}@lifecycle.example`;
  let alpha; // organization with the OIDC connection Ada logs in through
  let beta; // trusts alpha's IdP through an External connection; Ada is a member too
  let alphaConn;
  let betaConn;
  let login; // sso.authenticate's answer for Ada in alpha
  let adaBeta;
  let op;
  const members = () => seam.client.organizations.members;
  const org = async (name, extra = {}) =>
    (await seam.client.organizations.create({ organization_name: name, organization_slug: uid(name.toLowerCase()), ...extra })).organization.organization_id;
  const admin = async (orgId) => {
    const m = await members().create({ organization_id: orgId, email_address: `${uid('admin')}@lifecycle.example`, roles: ['stytch_admin'] });
    return mintSession(seam, { org: orgId, member: m.member_id });
  };

  before(async () => {
    alpha = await org('Alpha');
    beta = await org('Beta');
    const created = await seam.client.sso.oidc.createConnection({ organization_id: alpha, display_name: 'oidc-provider' });
    alphaConn = created.connection.connection_id;
    op = await startInteropHelper('oidc-op', {
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectURIs: [created.connection.redirect_url],
      account: { sub: 'ada-0001', email, name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
    });
    const up = await seam.client.sso.oidc.updateConnection({ organization_id: alpha, connection_id: alphaConn, issuer: op.url, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    assert.equal(up.connection.status, 'active', JSON.stringify(up));
    const b = new Browser({ stop: atApp });
    login = await seam.client.sso.authenticate({ sso_token: tokenFrom(await b.get(startURL(seam, alphaConn)), b) });
    assert.equal(login.member.email_address_verified, true, 'the OP vouches for the email address');
    betaConn = (await seam.client.sso.external.createConnection({
      organization_id: beta, external_organization_id: alpha, external_connection_id: alphaConn, display_name: 'Alpha IdP',
    })).connection.connection_id;
    adaBeta = (await members().create({ organization_id: beta, email_address: email.toUpperCase(), name: 'Ada in Beta' })).member_id;
  });

  after(async () => {
    await op?.close();
  });

  it('sessions.exchange switches Ada to beta, which trusts the IdP she logged in with', async () => {
    const res = await seam.client.sessions.exchange({ organization_id: beta, session_token: login.session_token, session_duration_minutes: 20 });
    assert.deepEqual(sdkRequiredFields('b2b/sessions', 'B2BSessionsExchangeResponse').filter((k) => !(k in res)), []);
    assert.equal(res.member_authenticated, true);
    assert.equal(res.intermediate_session_token, '');
    assert.equal(res.member_id, adaBeta);
    assert.equal(res.organization.organization_id, beta);
    assert.equal(res.member_session.organization_id, beta);
    const f = res.member_session.authentication_factors[0];
    assert.deepEqual([f.type, f.delivery_method, f.oidc_sso_factor.provider_id, f.oidc_sso_factor.external_id], ['sso', 'sso_oidc', betaConn, 'ada-0001']);
    const minutes = (Date.parse(res.member_session.expires_at) - Date.parse(res.member_session.started_at)) / 60000;
    assert.ok(Math.abs(minutes - 20) < 1, `session lasts ${minutes} minutes`);
    const auth = await seam.client.sessions.authenticate({ session_jwt: res.session_jwt });
    assert.equal(auth.organization.organization_id, beta);
    // The original session is untouched.
    assert.equal((await seam.client.sessions.authenticate({ session_token: login.session_token })).organization.organization_id, alpha);
  });

  it('sessions.exchange refuses what the target does not accept', async () => {
    const ex = (organization_id, extra = {}) => seam.client.sessions.exchange({ organization_id, session_token: login.session_token, ...extra });
    await expectStytchError(ex('no-such-org'), 404, 'organization_not_found');
    const gamma = await org('Gamma'); // trusts nothing Ada used
    await expectStytchError(ex(gamma), 404, 'member_not_found');
    await members().create({ organization_id: gamma, email_address: email });
    await expectStytchError(ex(gamma), 400, 'insufficient_factors_for_session_exchange');
    await seam.client.organizations.update({ organization_id: beta, auth_methods: 'RESTRICTED', allowed_auth_methods: ['magic_link'] });
    await expectStytchError(ex(beta), 403, 'operation_restricted_by_organization_auth_methods');
    await seam.client.organizations.update({ organization_id: beta, mfa_policy: 'REQUIRED_FOR_ALL', allowed_auth_methods: ['sso'] });
    await expectStytchError(ex(beta), 400, 'insufficient_factors_for_session_exchange');
    await seam.client.organizations.update({ organization_id: beta, mfa_policy: 'OPTIONAL', auth_methods: 'ALL_ALLOWED' });
    await expectStytchError(ex(beta, { session_jwt: login.session_jwt }), 400, 'too_many_session_arguments');
    await expectStytchError(seam.client.sessions.exchange({ organization_id: beta }), 400, 'no_session_arguments');
    const op = await mintSession(seam, { org: alpha, member: login.member_id }); // an operator session has no SSO factor
    await expectStytchError(seam.client.sessions.exchange({ organization_id: beta, session_token: op.session_token }), 400, 'insufficient_factors_for_session_exchange');
  });

  it('deletes a member, finds it with dangerouslyGet include_deleted, and reactivates it', async () => {
    const id = login.member_id;
    const adminA = await admin(alpha);
    assert.equal((await seam.client.organizations.metrics({ organization_id: alpha })).member_count, 2);
    await members().delete({ organization_id: alpha, member_id: id });
    await expectStytchError(members().get({ organization_id: alpha, member_id: id }), 404, 'member_not_found');
    await expectStytchError(members().dangerouslyGet({ member_id: id }), 404, 'member_not_found');
    const gone = await members().dangerouslyGet({ member_id: id, include_deleted: true });
    assert.equal(gone.member.status, 'deleted');
    assert.equal(gone.organization.organization_id, alpha);
    assert.equal((await seam.client.organizations.metrics({ organization_id: alpha })).member_count, 1);
    await expectStytchError(seam.client.sessions.authenticate({ session_token: login.session_token }), 404, 'session_not_found');
    // A deleted member keeps its email address: the duplicate error names reactivation as the fix.
    const dup = await expectStytchError(members().create({ organization_id: alpha, email_address: email }), 400, 'duplicate_member_email');
    assert.match(dup.error_message, /reactivate/i);

    const plain = await members().create({ organization_id: alpha, email_address: `${uid('plain')}@lifecycle.example` });
    const plainSession = await mintSession(seam, { org: alpha, member: plain.member_id });
    await expectStytchError(members().reactivate({ organization_id: alpha, member_id: id }, { authorization: { session_token: plainSession.session_token } }),
      403, 'session_authorization_error');
    await expectStytchError(members().reactivate({ organization_id: beta, member_id: id }), 404, 'no_deleted_member_found_for_reactivation');
    const res = await members().reactivate({ organization_id: alpha, member_id: id }, { authorization: { session_token: adminA.session_token } });
    assert.equal(res.member_id, id);
    assert.equal(res.member.status, 'active');
    assert.equal(res.member.email_address, email);
    assert.equal(res.member.sso_registrations.length, gone.member.sso_registrations.length, 'registrations are kept through the deletion');
    assert.ok(res.member.sso_registrations.length > 0, 'the member logged in through OIDC');
    assert.equal(res.organization.organization_id, alpha);
    assert.equal((await members().dangerouslyGet({ member_id: id })).member.status, 'active');
    await expectStytchError(members().reactivate({ organization_id: alpha, member_id: id }), 404, 'no_deleted_member_found_for_reactivation');

    // A member whose email address was never verified cannot come back.
    await members().delete({ organization_id: beta, member_id: adaBeta });
    await expectStytchError(members().reactivate({ organization_id: beta, member_id: adaBeta }), 400, 'email_unverified_for_reactivation');
  });

  it('deletes member and organization external IDs', async () => {
    const orgExt = uid('org-ext');
    await seam.client.organizations.update({ organization_id: alpha, organization_external_id: orgExt });
    const m = await members().create({ organization_id: alpha, email_address: `${uid('ext')}@lifecycle.example`, external_id: uid('ext') });
    const plainSession = await mintSession(seam, { org: alpha, member: m.member_id });
    await expectStytchError(members().deleteExternalId({ organization_id: alpha, member_id: m.member.external_id }, { authorization: { session_token: plainSession.session_token } }),
      403, 'session_authorization_error');
    const res = await members().deleteExternalId({ organization_id: orgExt, member_id: m.member.external_id });
    assert.equal(res.member_id, m.member_id);
    assert.equal(res.member.external_id, '');
    await expectStytchError(members().deleteExternalId({ organization_id: alpha, member_id: m.member.external_id }), 404, 'member_not_found');

    const otherAdmin = await admin(beta);
    await expectStytchError(seam.client.organizations.deleteExternalId({ organization_id: orgExt }, { authorization: { session_token: otherAdmin.session_token } }),
      403, 'session_authorization_tenancy_error');
    const adminA = await admin(alpha);
    const o = await seam.client.organizations.deleteExternalId({ organization_id: orgExt }, { authorization: { session_token: adminA.session_token } });
    assert.equal(o.organization.organization_id, alpha);
    assert.equal(o.organization.organization_external_id, '');
    await expectStytchError(seam.client.organizations.get({ organization_id: orgExt }), 404, 'organization_not_found');
  });

  it('retires a replaced email address until unlinkRetiredEmail frees it', async () => {
    const old = `${uid('old')}@lifecycle.example`;
    const m = await members().create({ organization_id: alpha, email_address: old });
    const up = await members().update({ organization_id: alpha, member_id: m.member_id, email_address: `${uid('new')}@lifecycle.example` });
    assert.deepEqual(up.member.retired_email_addresses.map((r) => r.email_address), [old]);
    const emailId = up.member.retired_email_addresses[0].email_id;
    await expectStytchError(members().create({ organization_id: alpha, email_address: old }), 400, 'retired_member_email');
    await expectStytchError(members().unlinkRetiredEmail({ organization_id: alpha, member_id: m.member_id }), 400, 'retired_email_missing_email_identifiers');
    await expectStytchError(members().unlinkRetiredEmail({ organization_id: alpha, member_id: m.member_id, email_address: 'nope@lifecycle.example' }), 404, 'email_not_found');
    const self = await mintSession(seam, { org: alpha, member: m.member_id });
    const res = await members().unlinkRetiredEmail({ organization_id: alpha, member_id: m.member_id, email_id: emailId, email_address: old },
      { authorization: { session_token: self.session_token } });
    assert.equal(res.member_id, m.member_id);
    assert.equal(res.organization_id, alpha);
    assert.deepEqual(res.member.retired_email_addresses, []);
    await members().create({ organization_id: alpha, email_address: old });
  });

  it('counts members with organizations.metrics', async () => {
    const fresh = await org('Metrics');
    assert.equal((await seam.client.organizations.metrics({ organization_id: fresh })).member_count, 0);
    for (let i = 0; i < 3; i++) await members().create({ organization_id: fresh, email_address: `${uid('m')}@lifecycle.example` });
    const res = await seam.client.organizations.metrics({ organization_id: fresh });
    assert.equal(res.status_code, 200);
    assert.equal(res.member_count, 3);
    await expectStytchError(seam.client.organizations.metrics({ organization_id: 'no-such-org' }), 404, 'organization_not_found');
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
