// SCIM connection management through the official SDK (stytch 14.2.0,
// node_modules/stytch/dist/b2b/scim_connection.js), and the effects a SCIM
// client has on members as the SDK shows them.
//
// What the SDK sends:
//   scim.connection.create          POST   /v1/b2b/scim/{organization_id}/connection            {display_name, identity_provider}
//   scim.connection.get             GET    /v1/b2b/scim/{organization_id}/connection
//   scim.connection.update          PUT    /v1/b2b/scim/{organization_id}/connection/{connection_id}
//                                          {display_name, identity_provider, scim_group_implicit_role_assignments}
//   scim.connection.delete          DELETE /v1/b2b/scim/{organization_id}/connection/{connection_id}
//   scim.connection.rotateStart     POST   .../connection/{connection_id}/rotate/start
//   scim.connection.rotateComplete  POST   .../connection/{connection_id}/rotate/complete
//   scim.connection.rotateCancel    POST   .../connection/{connection_id}/rotate/cancel
//   scim.connection.getGroups       GET    .../connection/{connection_id}?cursor&limit
// Each takes options.authorization (member-session RBAC on stytch.scim).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';
import { mintSession } from './session_cli.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const SCIM_JSON = 'application/scim+json';

/** A SCIM client for one connection's base URL, as an IdP is. */
export function scimClient(baseURL, token) {
  const base = baseURL.split('?')[0];
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': SCIM_JSON } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
  };
}

const user = (userName, email, extra = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Grace', familyName: 'Hopper' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
  ...extra,
});

describeEachBackend('scim connections', (seam) => {
  const newOrg = async () => (await seam.client.organizations.create({ organization_name: 'SCIM Co', organization_slug: uid('scim') })).organization;

  it('create returns the bearer token once; get, update and delete follow Stytch', async () => {
    const org = await newOrg();
    const created = await seam.client.scim.connection.create({ organization_id: org.organization_id, display_name: 'Okta', identity_provider: 'okta' });
    assert.equal(created.status_code, 200);
    const c = created.connection;
    for (const f of sdkRequiredFields('b2b/scim', 'SCIMConnectionWithToken')) assert.ok(f in c, `create response lacks ${f}`);
    assert.match(c.connection_id, /^scim-connection-test-[0-9a-f-]{36}$/);
    assert.equal(c.status, 'active');
    assert.equal(c.base_url, `${seam.baseURL}/v1/b2b/scim/${c.connection_id}`);
    assert.equal(c.bearer_token.length, 48);
    assert.equal(c.bearer_token_last_four, c.bearer_token.slice(-4));

    const got = (await seam.client.scim.connection.get({ organization_id: org.organization_slug })).connection;
    for (const f of sdkRequiredFields('b2b/scim', 'SCIMConnection')) assert.ok(f in got, `get response lacks ${f}`);
    assert.equal(got.connection_id, c.connection_id);
    assert.equal(got.bearer_token, undefined, 'the token is shown only on create');

    const upd = await seam.client.scim.connection.update({
      organization_id: org.organization_id, connection_id: c.connection_id, display_name: 'Entra', identity_provider: 'microsoft-entra',
    });
    assert.equal(upd.connection.display_name, 'Entra');
    assert.equal(upd.connection.base_url, `${seam.baseURL}/v1/b2b/scim/${c.connection_id}?aadOptscim062020`);

    await expectStytchError(seam.client.scim.connection.create({ organization_id: org.organization_id }), 400, 'scim_connection_already_exists');
    await expectStytchError(seam.client.scim.connection.update({ organization_id: org.organization_id, connection_id: c.connection_id, identity_provider: 'ldap' }),
      400, 'invalid_identity_provider');
    await expectStytchError(seam.client.scim.connection.update({ organization_id: org.organization_id, connection_id: 'scim-connection-test-00000000-0000-4000-8000-000000000000' }),
      404, 'scim_connection_not_found');
    await expectStytchError(seam.client.scim.connection.create({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' }),
      404, 'organization_not_found');

    const del = await seam.client.scim.connection.delete({ organization_id: org.organization_id, connection_id: c.connection_id });
    assert.equal(del.connection_id, c.connection_id);
    assert.equal((await seam.client.scim.connection.get({ organization_id: org.organization_id })).connection, undefined);
    await expectStytchError(seam.client.scim.connection.delete({ organization_id: org.organization_id, connection_id: c.connection_id }), 404, 'scim_connection_not_found');
  });

  it('rotation: both tokens work until complete; cancel drops the next token', async () => {
    const org = await newOrg();
    const c = (await seam.client.scim.connection.create({ organization_id: org.organization_id })).connection;
    const ids = { organization_id: org.organization_id, connection_id: c.connection_id };
    await expectStytchError(seam.client.scim.connection.rotateComplete(ids), 400, 'no_token_rotation_in_progress');
    await expectStytchError(seam.client.scim.connection.rotateCancel(ids), 400, 'no_token_rotation_in_progress');

    const started = (await seam.client.scim.connection.rotateStart(ids)).connection;
    for (const f of sdkRequiredFields('b2b/scim', 'SCIMConnectionWithNextToken')) assert.ok(f in started, `rotate/start lacks ${f}`);
    const next = started.next_bearer_token;
    assert.equal(started.bearer_token_last_four, c.bearer_token_last_four);
    assert.equal((await scimClient(c.base_url, c.bearer_token)('GET', '/Users')).status, 200);
    assert.equal((await scimClient(c.base_url, next)('GET', '/Users')).status, 200);

    const done = (await seam.client.scim.connection.rotateComplete(ids)).connection;
    assert.equal(done.bearer_token_last_four, next.slice(-4));
    assert.equal(done.next_bearer_token_last_four, '');
    assert.equal((await scimClient(c.base_url, c.bearer_token)('GET', '/Users')).status, 401);
    assert.equal((await scimClient(c.base_url, next)('GET', '/Users')).status, 200);

    const again = (await seam.client.scim.connection.rotateStart(ids)).connection.next_bearer_token;
    await seam.client.scim.connection.rotateCancel(ids);
    assert.equal((await scimClient(c.base_url, again)('GET', '/Users')).status, 401);
    assert.equal((await scimClient(c.base_url, next)('GET', '/Users')).status, 200);
  });

  it('groups listing pages with a cursor, and group role assignments grant roles', async () => {
    const org = await newOrg();
    const c = (await seam.client.scim.connection.create({ organization_id: org.organization_id })).connection;
    const scim = scimClient(c.base_url, c.bearer_token);
    const groups = [];
    for (const name of ['Engineering', 'Admins', 'Sales']) {
      const r = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name });
      assert.equal(r.status, 201);
      groups.push(r.body);
    }
    const page1 = await seam.client.scim.connection.getGroups({ organization_id: org.organization_id, connection_id: c.connection_id, limit: 2 });
    assert.equal(page1.scim_groups.length, 2);
    for (const f of sdkRequiredFields('b2b/scim', 'SCIMGroup')) assert.ok(f in page1.scim_groups[0], `group lacks ${f}`);
    const page2 = await seam.client.scim.connection.getGroups({ organization_id: org.organization_id, connection_id: c.connection_id, limit: 2, cursor: page1.next_cursor });
    assert.deepEqual([...page1.scim_groups, ...page2.scim_groups].map((g) => g.group_name), ['Engineering', 'Admins', 'Sales']);
    assert.equal(page2.next_cursor, null);
    await expectStytchError(seam.client.scim.connection.getGroups({ organization_id: org.organization_id, connection_id: c.connection_id, cursor: 'bogus!' }), 400, 'invalid_cursor');

    const admins = groups[1].id;
    const upd = await seam.client.scim.connection.update({
      organization_id: org.organization_id, connection_id: c.connection_id,
      scim_group_implicit_role_assignments: [{ group_id: admins, role_id: 'stytch_admin' }],
    });
    assert.deepEqual(upd.connection.scim_group_implicit_role_assignments, [{ role_id: 'stytch_admin', group_id: admins, group_name: 'Admins' }]);
    await expectStytchError(seam.client.scim.connection.update({
      organization_id: org.organization_id, connection_id: c.connection_id,
      scim_group_implicit_role_assignments: [{ group_id: admins, role_id: 'no_such_role' }],
    }), 400, 'invalid_rbac_role_id');

    const u = await scim('POST', '/Users', user('grace@scim.test', 'grace@scim.test'));
    assert.equal(u.status, 201);
    const patched = await scim('PATCH', `/Groups/${admins}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }],
    });
    assert.equal(patched.status, 200);
    const { member } = await seam.client.organizations.members.get({ organization_id: org.organization_id, member_id: u.body.id });
    const admin = member.roles.find((r) => r.role_id === 'stytch_admin');
    assert.deepEqual(admin?.sources, [{ type: 'scim_connection_group', details: { connection_id: c.connection_id, group_id: admins } }]);
    assert.equal(member.scim_registration.connection_id, c.connection_id);
    assert.equal(member.scim_registration.scim_attributes.user_name, 'grace@scim.test');
    assert.deepEqual(member.scim_registration.scim_attributes.groups, [{ value: admins, display: 'Admins' }]);
  });

  it('deprovisioning deactivates the member and its sessions stop authenticating', async () => {
    const org = await newOrg();
    const c = (await seam.client.scim.connection.create({ organization_id: org.organization_id })).connection;
    const scim = scimClient(c.base_url, c.bearer_token);
    const u = (await scim('POST', '/Users', user('linus@scim.test', 'linus@scim.test', { externalId: '00u42' }))).body;
    const s = await mintSession(seam, { org: org.organization_id, member: u.id });
    assert.equal((await seam.client.sessions.authenticate({ session_token: s.session_token })).status_code, 200);
    const r = await scim('PATCH', `/Users/${u.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.active, false);
    await expectStytchError(seam.client.sessions.authenticate({ session_token: s.session_token }), 404, 'session_not_found');
    // A deprovisioned member is a deleted member: hidden from members.get, shown by dangerouslyGet include_deleted.
    await expectStytchError(seam.client.organizations.members.get({ organization_id: org.organization_id, member_id: u.id }), 404, 'member_not_found');
    const { member } = await seam.client.organizations.members.dangerouslyGet({ member_id: u.id, include_deleted: true });
    assert.equal(member.status, 'deleted');
    assert.equal(member.scim_registration.scim_attributes.active, false);
    assert.equal(member.scim_registration.external_id, '00u42');
  });

  it('RBAC: member sessions need stytch.scim permissions in their own organization', async () => {
    const org = await newOrg();
    const other = await newOrg();
    const admin = (await seam.client.organizations.members.create({ organization_id: org.organization_id, email_address: 'admin@scim.test', roles: ['stytch_admin'] })).member;
    const plain = (await seam.client.organizations.members.create({ organization_id: org.organization_id, email_address: 'plain@scim.test' })).member;
    const adminSession = await mintSession(seam, { org: org.organization_id, member: admin.member_id });
    const plainSession = await mintSession(seam, { org: org.organization_id, member: plain.member_id });
    const created = await seam.client.scim.connection.create({ organization_id: org.organization_id }, { authorization: { session_token: adminSession.session_token } });
    assert.equal(created.status_code, 200);
    await expectStytchError(seam.client.scim.connection.get({ organization_id: org.organization_id }, { authorization: { session_jwt: plainSession.session_jwt } }),
      403, 'session_authorization_error');
    await expectStytchError(seam.client.scim.connection.create({ organization_id: other.organization_id }, { authorization: { session_token: adminSession.session_token } }),
      403, 'session_authorization_tenancy_error');
    await expectStytchError(seam.client.scim.connection.rotateStart({ organization_id: org.organization_id, connection_id: created.connection.connection_id },
      { authorization: { session_token: plainSession.session_token } }), 403, 'session_authorization_error');
    const got = await seam.client.scim.connection.get({ organization_id: org.organization_id }, { authorization: { session_jwt: adminSession.session_jwt } });
    assert.equal(got.connection.connection_id, created.connection.connection_id);
  });
});
