// Member sessions (/v1/b2b/sessions) through the official SDK's
// client.sessions.* methods, including the SDK's own local JWT validation.
//
// What stytch 14.2.0 does (node_modules/stytch/dist/b2b/sessions.js, shared/sessions.js):
//   sessions.authenticate        POST /v1/b2b/sessions/authenticate  body = the params object as given
//   sessions.revoke              POST /v1/b2b/sessions/revoke        body as given; options.authorization -> session headers
//   sessions.get                 GET  /v1/b2b/sessions?organization_id=&member_id=
//   sessions.getJWKS             GET  /v1/b2b/sessions/jwks/{project_id}
//   sessions.authenticateJwtLocal  jose.jwtVerify against createRemoteJWKSet(baseURL + /v1/b2b/sessions/jwks/{project_id})
//                                with audience project_id, issuer [stytch.com/{project_id}, baseURL without "/"],
//                                typ JWT; then reads the https://stytch.com/session and .../organization claims;
//                                authorization_check is evaluated locally against rbac.policy() and
//                                rbac.organizations.getOrgPolicy() (cached five minutes)
//   sessions.authenticateJwt     local first, remote authenticate on any local failure
// Sessions are minted with `seam session create` (the harness runs the binary).

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';
import { mintSession } from './session_cli.mjs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SESSION_ID = new RegExp(`^member-session-test-${UUID}$`);
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

describeEachBackend('sessions', (seam) => {
  let orgId;
  let slug;
  let admin;
  let plain;

  before(async () => {
    slug = uid('sessions');
    const { organization } = await seam.client.organizations.create({ organization_name: 'Sessions Co', organization_slug: slug });
    orgId = organization.organization_id;
    admin = (await seam.client.organizations.members.create({ organization_id: orgId, email_address: 'admin@sessions.example', roles: ['stytch_admin'] })).member_id;
    plain = (await seam.client.organizations.members.create({ organization_id: orgId, email_address: 'plain@sessions.example' })).member_id;
  });

  describe('seam session create', () => {
    it('prints a token, a JWT and the session ID', async () => {
      const s = await mintSession(seam, { org: slug, member: 'admin@sessions.example' });
      assert.deepEqual(Object.keys(s).sort(), ['member_session_id', 'session_jwt', 'session_token']);
      assert.match(s.member_session_id, SESSION_ID);
      assert.match(s.session_token, /^[A-Za-z0-9_-]{44,}$/);
      assert.equal(s.session_jwt.split('.').length, 3);
    });
  });

  describe('authenticate', () => {
    it('authenticates a token and returns the session, a fresh JWT, the member and the organization', async () => {
      const s = await mintSession(seam, { org: orgId, member: admin });
      const res = await seam.client.sessions.authenticate({ session_token: s.session_token });
      assert.equal(res.status_code, 200);
      for (const k of sdkRequiredFields('b2b/sessions', 'B2BSessionsAuthenticateResponse')) assert.ok(k in res, `response lacks ${k}`);
      for (const k of sdkRequiredFields('b2b/sessions', 'MemberSession')) assert.ok(k in res.member_session, `member_session lacks ${k}`);
      assert.equal(res.session_token, s.session_token);
      assert.equal(res.member_session.member_session_id, s.member_session_id);
      assert.equal(res.member_session.member_id, admin);
      assert.equal(res.member_session.organization_id, orgId);
      assert.equal(res.member_session.organization_slug, slug);
      assert.deepEqual(res.member_session.roles, ['stytch_member', 'stytch_admin']);
      assert.equal(res.member_session.authentication_factors[0].type, 'impersonated');
      assert.equal(res.member.member_id, admin);
      assert.equal(res.organization.organization_id, orgId);
      assert.equal(res.verdict, undefined);
    });

    it('authenticates a JWT, extends the session and checks a permission', async () => {
      const s = await mintSession(seam, { org: orgId, member: admin });
      const res = await seam.client.sessions.authenticate({
        session_jwt: s.session_jwt,
        session_duration_minutes: 600,
        authorization_check: { organization_id: orgId, resource_id: 'stytch.sso', action: 'update' },
      });
      assert.deepEqual(res.verdict, { authorized: true, granting_roles: ['stytch_admin'] });
      const left = Date.parse(res.member_session.expires_at) - Date.now();
      assert.ok(left > 590 * 60e3 && left <= 600 * 60e3, `expires in ${left} ms`);
      assert.notEqual(res.session_jwt, s.session_jwt);
    });

    it('refuses what Stytch refuses', async () => {
      const s = await mintSession(seam, { org: orgId, member: plain });
      await expectStytchError(seam.client.sessions.authenticate({ session_token: 'no-such-token' }), 404, 'session_not_found');
      await expectStytchError(seam.client.sessions.authenticate({ session_token: s.session_token, session_jwt: s.session_jwt }), 400, 'too_many_session_arguments');
      await expectStytchError(seam.client.sessions.authenticate({ session_token: s.session_token, session_duration_minutes: 1 }), 400, 'invalid_session_duration');
      await expectStytchError(
        seam.client.sessions.authenticate({ session_token: s.session_token, authorization_check: { organization_id: orgId, resource_id: 'stytch.sso', action: 'update' } }),
        403, 'session_authorization_error');
      await expectStytchError(
        seam.client.sessions.authenticate({ session_token: s.session_token, authorization_check: { organization_id: 'organization-test-elsewhere', resource_id: 'stytch.sso', action: 'get' } }),
        403, 'session_authorization_tenancy_error');
      await expectStytchError(seam.client.sessions.authenticate({ session_jwt: s.session_jwt.slice(0, -4) + 'AAAA' }), 401, 'unable_to_parse_session_jwt');
    });

    it('sets and deletes custom claims, ignoring reserved ones', async () => {
      const s = await mintSession(seam, { org: orgId, member: plain });
      const set = await seam.client.sessions.authenticate({ session_token: s.session_token, session_custom_claims: { plan: 'pro', iss: 'evil' } });
      assert.deepEqual(set.member_session.custom_claims, { plan: 'pro' });
      const local = await seam.client.sessions.authenticateJwtLocal({ session_jwt: set.session_jwt });
      assert.deepEqual(local.custom_claims, { plan: 'pro' });
      const del = await seam.client.sessions.authenticate({ session_token: s.session_token, session_custom_claims: { plan: null } });
      assert.deepEqual(del.member_session.custom_claims, {});
    });
  });

  describe('local JWT validation by the SDK', () => {
    it('accepts Seam JWTs against the JWKS Seam publishes', async () => {
      const s = await mintSession(seam, { org: orgId, member: admin });
      const local = await seam.client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt });
      assert.equal(local.member_session_id, s.member_session_id);
      assert.equal(local.member_id, admin);
      assert.equal(local.organization_id, orgId);
      assert.equal(local.organization_slug, slug);
      assert.deepEqual(local.roles, ['stytch_member', 'stytch_admin']);
      for (const k of ['started_at', 'last_accessed_at', 'expires_at']) assert.ok(!Number.isNaN(Date.parse(local[k])), k);
      assert.deepEqual(local.custom_claims, {});
      // authenticateJwt answers locally for a fresh JWT.
      const res = await seam.client.sessions.authenticateJwt({ session_jwt: s.session_jwt });
      assert.equal(res.session_jwt, s.session_jwt);
      assert.equal(res.member_session.member_session_id, s.member_session_id);
    });

    it('evaluates authorization checks locally from the published policies', async () => {
      const s = await mintSession(seam, { org: orgId, member: admin });
      const ok = await seam.client.sessions.authenticateJwtLocal({
        session_jwt: s.session_jwt, authorization_check: { organization_id: orgId, resource_id: 'stytch.member', action: 'search' },
      });
      assert.equal(ok.member_id, admin);
      const p = await mintSession(seam, { org: orgId, member: plain });
      await assert.rejects(
        seam.client.sessions.authenticateJwtLocal({ session_jwt: p.session_jwt, authorization_check: { organization_id: orgId, resource_id: 'stytch.sso', action: 'delete' } }),
        (e) => e.code === 'invalid_permissions');
      await assert.rejects(
        seam.client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt, authorization_check: { organization_id: 'organization-test-x', resource_id: 'stytch.sso', action: 'get' } }),
        (e) => e.code === 'tenancy_mismatch');
    });

    it('falls back to the server for an expired token age and refuses another project\'s JWT', async () => {
      const s = await mintSession(seam, { org: orgId, member: admin });
      await assert.rejects(seam.client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt, max_token_age_seconds: 0 }), (e) => e.code === 'jwt_too_old');
      const remote = await seam.client.sessions.authenticateJwt({ session_jwt: s.session_jwt, max_token_age_seconds: 0 });
      assert.equal(remote.member_session.member_session_id, s.member_session_id);
      assert.equal(remote.session_jwt.split('.').length, 3); // answered by the server: a JWT for the session's current state

      const other = await seam.createProject({ name: uid('other') });
      // The other project's client validates the JWT locally against its own
      // key set and audience, then asks Seam, which names the audience.
      await assert.rejects(other.client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt }), (e) => e.code === 'jwt_invalid');
      await expectStytchError(other.client.sessions.authenticateJwt({ session_jwt: s.session_jwt }), 401, 'jwt_invalid_audience');
    });

    it('publishes public keys only', async () => {
      const res = await seam.client.sessions.getJWKS({ project_id: seam.projectId });
      assert.ok(res.keys.length >= 1);
      for (const k of res.keys) {
        assert.equal(k.kty, 'RSA');
        assert.equal(k.alg, 'RS256');
        assert.equal(k.use, 'sig');
        for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[priv], undefined, `private parameter ${priv}`);
      }
      const raw = await seam.request('GET', `/v1/b2b/sessions/jwks/${seam.projectId}`, { auth: false });
      assert.equal(raw.status, 200);
      assert.deepEqual(raw.json.keys, res.keys);
    });
  });

  describe('get and revoke', () => {
    it('lists a member\'s sessions and revokes them one way or another', async () => {
      const m = (await seam.client.organizations.members.create({ organization_id: orgId, email_address: `${uid('r')}@sessions.example` })).member_id;
      const a = await mintSession(seam, { org: orgId, member: m });
      const b = await mintSession(seam, { org: orgId, member: m });
      const c = await mintSession(seam, { org: orgId, member: m });
      const list = await seam.client.sessions.get({ organization_id: orgId, member_id: m });
      assert.deepEqual(list.member_sessions.map((s) => s.member_session_id).sort(), [a, b, c].map((s) => s.member_session_id).sort());

      await seam.client.sessions.revoke({ session_token: a.session_token });
      await expectStytchError(seam.client.sessions.authenticate({ session_token: a.session_token }), 404, 'session_not_found');
      await seam.client.sessions.revoke({ session_jwt: b.session_jwt });
      await expectStytchError(seam.client.sessions.authenticate({ session_jwt: b.session_jwt }), 404, 'session_not_found');
      await seam.client.sessions.revoke({ member_id: m });
      await expectStytchError(seam.client.sessions.authenticate({ session_token: c.session_token }), 404, 'session_not_found');
      assert.deepEqual((await seam.client.sessions.get({ organization_id: orgId, member_id: m })).member_sessions, []);
      await expectStytchError(seam.client.sessions.revoke({ member_session_id: c.member_session_id }), 404, 'session_not_found');
    });

    it('enforces revoke-sessions with the authorization option', async () => {
      const victim = await mintSession(seam, { org: orgId, member: admin });
      const p = await mintSession(seam, { org: orgId, member: plain });
      await expectStytchError(
        seam.client.sessions.revoke({ member_session_id: victim.member_session_id }, { authorization: { session_token: p.session_token } }),
        403, 'session_authorization_error');
      await seam.client.sessions.authenticate({ session_token: victim.session_token });
      // A member may revoke its own sessions (stytch.self).
      const own = await mintSession(seam, { org: orgId, member: plain });
      await seam.client.sessions.revoke({ member_session_id: own.member_session_id }, { authorization: { session_jwt: p.session_jwt } });
      await expectStytchError(seam.client.sessions.authenticate({ session_token: own.session_token }), 404, 'session_not_found');
      const adminSession = await mintSession(seam, { org: orgId, member: admin });
      await seam.client.sessions.revoke({ member_session_id: victim.member_session_id }, { authorization: { session_token: adminSession.session_token } });
    });
  });
});
