// Who a login becomes (docs/identity-linking.md), through the official SDK
// and the oidc-provider OpenID Provider of tests/interop/oidc-op. One
// member, invited through client.organizations.members.create, and a
// sequence of providers that each claim her address:
//   1. a new subject with email_verified false (the nOAuth class): refused
//      on the failure page and in the login diagnostics; the member is
//      unchanged (no registration, email not verified);
//   2. a subject with email_verified true: linked to her, email verified;
//   3. another subject, email verified: refused (sso_subject_changed) while
//      identity_linking.subject_change is REFUSE (the default);
//   4. the same with RELINK: her registration moves, and the move is a
//      "relinked" login attempt.
// identity_linking is a Seam extension the SDK's updateConnection does not
// send, so it is set with a raw PUT; everything else goes through the SDK.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError } from './harness.mjs';
import { Browser } from '../interop/browser.mjs';
import { atApp, errorPage, listLogins, startInteropHelper, startURL, tokenFrom } from './login_helpers.mjs';

const EMAIL = 'dana@linking.example.com';
const CLIENT_ID = 'seam-linking';
const CLIENT_SECRET = 'linking-client-secret-' + randomBytes(16).toString('hex');
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

describeEachBackend('sso identity linking', (seam) => {
  let orgId;
  let connId;
  let redirectURL;
  let memberId;
  const ops = [];

  before(async () => {
    const { organization } = await seam.client.organizations.create({
      organization_name: 'Linking Co', organization_slug: uid('linking'), sso_jit_provisioning: 'ALL_ALLOWED',
    });
    orgId = organization.organization_id;
    const created = await seam.client.sso.oidc.createConnection({ organization_id: orgId, display_name: 'oidc-provider' });
    connId = created.connection.connection_id;
    redirectURL = created.connection.redirect_url;
    const member = await seam.client.organizations.members.create({ organization_id: orgId, email_address: EMAIL, name: 'Dana' });
    memberId = member.member_id;
    assert.equal(member.member.email_address_verified, false);
  });

  after(async () => {
    for (const op of ops) await op.close();
  });

  /** Points the connection at a fresh provider whose one account is the given one. */
  const useProvider = async (account) => {
    const op = await startInteropHelper('oidc-op', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectURIs: [redirectURL], account });
    ops.push(op);
    const res = await seam.client.sso.oidc.updateConnection({
      organization_id: orgId, connection_id: connId, issuer: op.url, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(res.connection.status, 'active', res.warning);
    return res.connection;
  };
  const browser = () => new Browser({ stop: atApp });
  const getMember = async () => (await seam.client.organizations.members.get({ organization_id: orgId, member_id: memberId })).member;

  it('shows the default policy on the connection', async () => {
    const { oidc_connections: [c] } = await seam.client.sso.getConnections({ organization_id: orgId });
    assert.deepEqual(c.identity_linking, { missing_email_verified: 'UNTRUSTED', subject_change: 'REFUSE' });
  });

  it('refuses an unverified email for a new subject, changing nothing', async () => {
    await useProvider({ sub: 'attacker-0666', email: EMAIL, name: 'Mallory', emailVerified: false });
    const b = browser();
    const page = await b.get(startURL(seam, connId));
    errorPage(page, 403, 'sso_email_not_verified');
    const [attempt] = await listLogins(seam, 'oidc', orgId, connId);
    assert.equal(attempt.outcome, 'email_not_verified');
    assert.equal(attempt.error_type, 'sso_email_not_verified');
    assert.equal(attempt.facts.identity_link.email_trust, 'unverified');
    assert.equal(attempt.facts.identity_link.member_id, memberId);

    const m = await getMember();
    assert.equal(m.email_address_verified, false);
    assert.deepEqual(m.sso_registrations, []);
    assert.equal(m.name, 'Dana');
  });

  it('links a verified email to the member and marks it verified', async () => {
    await useProvider({ sub: 'dana-1', email: EMAIL, name: 'Dana', emailVerified: true });
    const b = browser();
    const token = tokenFrom(await b.get(startURL(seam, connId)), b);
    const res = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(res.member_id, memberId);
    assert.equal(res.member.email_address_verified, true);
    assert.deepEqual(res.member.sso_registrations.map((r) => [r.connection_id, r.external_id]), [[connId, 'dana-1']]);
    const [attempt] = await listLogins(seam, 'oidc', orgId, connId);
    assert.equal(attempt.facts.identity_link.action, 'linked');
  });

  it('refuses a new subject for a registered member unless the connection allows relinking', async () => {
    await useProvider({ sub: 'dana-2', email: EMAIL, name: 'Dana', emailVerified: true });
    let b = browser();
    errorPage(await b.get(startURL(seam, connId)), 403, 'sso_subject_changed');
    assert.equal((await listLogins(seam, 'oidc', orgId, connId))[0].outcome, 'subject_changed');
    assert.deepEqual((await getMember()).sso_registrations.map((r) => r.external_id), ['dana-1']);

    const bad = await seam.request('PUT', `/v1/b2b/sso/oidc/${orgId}/connections/${connId}`, { body: { identity_linking: { subject_change: 'SOMETIMES' } } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error_type, 'invalid_identity_linking');

    const put = await seam.request('PUT', `/v1/b2b/sso/oidc/${orgId}/connections/${connId}`, { body: { identity_linking: { subject_change: 'RELINK' } } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.connection.identity_linking, { missing_email_verified: 'UNTRUSTED', subject_change: 'RELINK' });

    b = browser();
    const token = tokenFrom(await b.get(startURL(seam, connId)), b);
    const res = await seam.client.sso.authenticate({ sso_token: token });
    assert.equal(res.member_id, memberId);
    assert.deepEqual(res.member.sso_registrations.map((r) => r.external_id), ['dana-2']);
    const [relinked] = await listLogins(seam, 'oidc', orgId, connId);
    assert.equal(relinked.outcome, 'relinked');
    assert.equal(relinked.facts.identity_link.previous_subject, 'dana-1');
    assert.equal(relinked.facts.identity_link.subject, 'dana-2');
    assert.equal(relinked.facts.identity_link.member_id, memberId);
    await expectStytchError(seam.client.sso.authenticate({ sso_token: token }), 404, 'sso_token_not_found');
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
