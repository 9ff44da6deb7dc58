// Members (/v1/b2b/organizations/{organization_id}/members...) through the
// official SDK's client.organizations.members.* methods.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/organizations_members.js):
//   members.create  POST   /v1/b2b/organizations/{organization_id}/members   explicit field list without organization_id
//   members.get     GET    /v1/b2b/organizations/{organization_id}/member?member_id=&email_address=  (no session headers)
//   members.update  PUT    /v1/b2b/organizations/{organization_id}/members/{member_id}  explicit field list
//   members.delete  DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}  body "{}"
//   members.search  POST   /v1/b2b/organizations/members/search   body as given
// create/update/delete/search take options.authorization {session_token, session_jwt}, sent as
// X-Stytch-Member-Session / X-Stytch-Member-SessionJWT; Seam then enforces the stytch.member
// actions (and stytch.self for a member acting on itself) documented in the SDK types.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';
import { mintSession } from './session_cli.mjs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MEMBER_ID = new RegExp(`^member-test-${UUID}$`);
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

describeEachBackend('members', (seam) => {
  let orgId;
  let otherOrgId;
  const email = (p) => `${uid(p)}@members.example`;
  const members = () => seam.client.organizations.members;

  before(async () => {
    orgId = (await seam.client.organizations.create({ organization_name: 'Members Co', organization_slug: uid('members') })).organization.organization_id;
    otherOrgId = (await seam.client.organizations.create({ organization_name: 'Other Co', organization_slug: uid('other') })).organization.organization_id;
  });

  describe('create and get', () => {
    it('creates a member with Stytch\'s member object', async () => {
      const addr = email('ada');
      const res = await members().create({
        organization_id: orgId, email_address: addr.toUpperCase(), name: 'Ada', roles: ['stytch_admin'],
        trusted_metadata: { tier: 'gold' }, untrusted_metadata: { theme: 'dark' }, external_id: uid('ext'),
      });
      assert.equal(res.status_code, 200);
      assert.match(res.member_id, MEMBER_ID);
      for (const k of sdkRequiredFields('b2b/organizations', 'Member')) assert.ok(k in res.member, `member lacks ${k}`);
      const m = res.member;
      assert.equal(m.email_address, addr);
      assert.equal(m.status, 'active');
      assert.equal(m.is_admin, true);
      assert.deepEqual(m.roles, [
        { role_id: 'stytch_member', sources: [{ type: 'direct_assignment', details: {} }] },
        { role_id: 'stytch_admin', sources: [{ type: 'direct_assignment', details: {} }] },
      ]);
      assert.deepEqual(m.sso_registrations, []);
      assert.deepEqual(m.trusted_metadata, { tier: 'gold' });
      assert.equal(res.organization.organization_id, orgId);

      for (const query of [{ member_id: res.member_id }, { email_address: addr.toUpperCase() }, { member_id: m.external_id }]) {
        const got = await members().get({ organization_id: orgId, ...query });
        assert.equal(got.member_id, res.member_id, JSON.stringify(query));
        assert.deepEqual(got.member, m);
      }
    });

    it('refuses duplicates and invalid input with Stytch error types', async () => {
      const addr = email('dup');
      await members().create({ organization_id: orgId, email_address: addr });
      await expectStytchError(members().create({ organization_id: orgId, email_address: addr.toUpperCase() }), 400, 'duplicate_member_email');
      await members().create({ organization_id: otherOrgId, email_address: addr }); // unique per organization only
      await expectStytchError(members().create({ organization_id: orgId, email_address: 'nope' }), 400, 'invalid_email');
      await expectStytchError(members().create({ organization_id: orgId, email_address: email('r'), roles: ['no-such-role'] }), 400, 'invalid_rbac_role_id');
      await expectStytchError(members().create({ organization_id: 'organization-test-nope', email_address: email('x') }), 404, 'organization_not_found');
      await expectStytchError(members().get({ organization_id: orgId, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }), 404, 'member_not_found');
      await expectStytchError(members().get({ organization_id: orgId, email_address: 'absent@members.example' }), 404, 'member_not_found');
    });
  });

  describe('update and delete', () => {
    it('updates only the fields sent and merges metadata at the top level', async () => {
      const { member_id } = await members().create({ organization_id: orgId, email_address: email('up'), name: 'Before', untrusted_metadata: { a: 1, b: 2 } });
      const res = await members().update({ organization_id: orgId, member_id, name: 'After', untrusted_metadata: { a: null, c: 3 }, roles: ['stytch_admin'] });
      assert.equal(res.member.name, 'After');
      assert.deepEqual(res.member.untrusted_metadata, { b: 2, c: 3 });
      assert.deepEqual(res.member.roles.map((r) => r.role_id), ['stytch_member', 'stytch_admin']);
      const again = await members().update({ organization_id: orgId, member_id, is_breakglass: false });
      assert.equal(again.member.name, 'After');
      assert.equal(again.member.is_breakglass, false);
      const del = await members().delete({ organization_id: orgId, member_id });
      assert.equal(del.member_id, member_id);
      await expectStytchError(members().get({ organization_id: orgId, member_id }), 404, 'member_not_found');
      await expectStytchError(members().delete({ organization_id: orgId, member_id }), 404, 'member_not_found');
    });
  });

  describe('search', () => {
    it('filters, pages and returns the organizations', async () => {
      const slug = uid('search');
      const id = (await seam.client.organizations.create({ organization_name: 'Search Co', organization_slug: slug })).organization.organization_id;
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await members().create({ organization_id: id, email_address: `u${i}-${slug}@search.example` })).member_id);
      const all = await members().search({ organization_ids: [id] });
      assert.deepEqual(all.members.map((m) => m.member_id), ids);
      assert.equal(all.results_metadata.total, 3);
      assert.equal(all.results_metadata.next_cursor, null);
      assert.equal(all.organizations[id].organization_slug, slug);

      const page1 = await members().search({ organization_ids: [id], limit: 2 });
      assert.equal(page1.members.length, 2);
      const page2 = await members().search({ organization_ids: [id], limit: 2, cursor: page1.results_metadata.next_cursor });
      assert.deepEqual([...page1.members, ...page2.members].map((m) => m.member_id), ids);

      const fuzzy = await members().search({
        organization_ids: [id],
        query: { operator: 'AND', operands: [{ filter_name: 'member_email_fuzzy', filter_value: 'U1-' }] },
      });
      assert.deepEqual(fuzzy.members.map((m) => m.member_id), [ids[1]]);
      await expectStytchError(members().search({ organization_ids: [id], query: { operator: 'AND', operands: [{ filter_name: 'shoe_size', filter_value: ['9'] }] } }),
        400, 'member_search_invalid_filter_name');
    });
  });

  describe('RBAC with the authorization option', () => {
    let admin;
    let plain;
    let otherAdmin;

    before(async () => {
      const a = (await members().create({ organization_id: orgId, email_address: email('admin'), roles: ['stytch_admin'] })).member_id;
      const p = (await members().create({ organization_id: orgId, email_address: email('plain') })).member_id;
      const o = (await members().create({ organization_id: otherOrgId, email_address: email('oadmin'), roles: ['stytch_admin'] })).member_id;
      admin = await mintSession(seam, { org: orgId, member: a });
      plain = { ...(await mintSession(seam, { org: orgId, member: p })), member_id: p };
      otherAdmin = await mintSession(seam, { org: otherOrgId, member: o });
    });

    it('lets an admin session manage members', async () => {
      for (const authorization of [{ session_token: admin.session_token }, { session_jwt: admin.session_jwt }]) {
        const { member_id } = await members().create({ organization_id: orgId, email_address: email('by-admin') }, { authorization });
        await members().update({ organization_id: orgId, member_id, roles: ['stytch_admin'] }, { authorization });
        await members().search({ organization_ids: [orgId] }, { authorization });
        await members().delete({ organization_id: orgId, member_id }, { authorization });
      }
    });

    it('refuses a member without the permission and other organizations\' sessions, changing nothing', async () => {
      const { member_id } = await members().create({ organization_id: orgId, email_address: email('target'), name: 'Target' });
      const asPlain = { authorization: { session_token: plain.session_token } };
      const asOther = { authorization: { session_jwt: otherAdmin.session_jwt } };
      await expectStytchError(members().create({ organization_id: orgId, email_address: email('x') }, asPlain), 403, 'session_authorization_error');
      await expectStytchError(members().update({ organization_id: orgId, member_id, name: 'Hacked' }, asPlain), 403, 'session_authorization_error');
      await expectStytchError(members().delete({ organization_id: orgId, member_id }, asPlain), 403, 'session_authorization_error');
      await expectStytchError(members().search({ organization_ids: [orgId] }, asPlain), 403, 'session_authorization_error');
      await expectStytchError(members().update({ organization_id: orgId, member_id, name: 'Hacked' }, asOther), 403, 'session_authorization_tenancy_error');
      await expectStytchError(members().delete({ organization_id: orgId, member_id }, { authorization: { session_token: 'revoked-or-unknown' } }), 404, 'session_not_found');
      const got = await members().get({ organization_id: orgId, member_id });
      assert.equal(got.member.name, 'Target');
    });

    it('lets a member update its own name (stytch.self) but not its own roles', async () => {
      const asSelf = { authorization: { session_token: plain.session_token } };
      const res = await members().update({ organization_id: orgId, member_id: plain.member_id, name: 'Me' }, asSelf);
      assert.equal(res.member.name, 'Me');
      await expectStytchError(members().update({ organization_id: orgId, member_id: plain.member_id, roles: ['stytch_admin'] }, asSelf),
        403, 'session_authorization_error');
      await expectStytchError(members().update({ organization_id: orgId, member_id: plain.member_id, trusted_metadata: { a: 1 } }, asSelf),
        401, 'cannot_update_trusted_metadata');
    });
  });
});
