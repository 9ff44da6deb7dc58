// Organizations API (/v1/b2b/organizations) through the official SDK's
// client.organizations.* methods.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/organizations.js):
//   create  POST   /v1/b2b/organizations                 body = the params object as given
//   get     GET    /v1/b2b/organizations/{id}            no body; id through encodeURIComponent
//   update  PUT    /v1/b2b/organizations/{id}            body = an explicit field list WITHOUT
//                                                        organization_id; undefined fields vanish
//                                                        in JSON.stringify, false/""/[] are sent
//   delete  DELETE /v1/b2b/organizations/{id}            body "{}"
//   search  POST   /v1/b2b/organizations/search          body = the params object as given
// Every request carries Basic project_id:secret and Content-Type: application/json.
// The SDK throws StytchError for any HTTP status >= 400.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ORG_ID = new RegExp(`^organization-test-${UUID}$`);
const REQUEST_ID = new RegExp(`^request-id-test-${UUID}$`);

let seq = 0;
/** A slug/external ID unique within this file's databases. */
const uid = (prefix = 'org') => `${prefix}-${++seq}-${randomBytes(3).toString('hex')}`;

/** Everything except the fields an update is expected to touch. */
function without(org, ...keys) {
  const copy = { ...org };
  for (const k of ['updated_at', ...keys]) delete copy[k];
  return copy;
}

function assertOK(res) {
  assert.equal(res.status_code, 200);
  assert.match(res.request_id, REQUEST_ID);
}

describeEachBackend('organizations', (seam) => {
  const create = (fields = {}) =>
    seam.client.organizations.create({ organization_name: 'Acme Corp', organization_slug: uid('acme'), ...fields });

  describe('create', () => {
    it('returns the organization with Stytch defaults', async () => {
      const slug = uid('defaults');
      const res = await seam.client.organizations.create({ organization_name: 'Defaults Inc', organization_slug: slug });
      assertOK(res);
      const org = res.organization;
      assert.match(org.organization_id, ORG_ID);
      assert.equal(org.organization_name, 'Defaults Inc');
      assert.equal(org.organization_slug, slug);
      assert.equal(org.organization_logo_url, '');
      assert.deepEqual(org.trusted_metadata, {});
      assert.equal(org.sso_jit_provisioning, 'ALL_ALLOWED');
      assert.equal(org.email_jit_provisioning, 'NOT_ALLOWED');
      assert.equal(org.email_invites, 'ALL_ALLOWED');
      assert.equal(org.auth_methods, 'ALL_ALLOWED');
      assert.equal(org.mfa_policy, 'OPTIONAL');
      assert.equal(org.mfa_methods, 'ALL_ALLOWED');
      assert.equal(org.oauth_tenant_jit_provisioning, 'NOT_ALLOWED');
      for (const k of [
        'sso_jit_provisioning_allowed_connections',
        'sso_active_connections',
        'email_allowed_domains',
        'allowed_auth_methods',
        'allowed_mfa_methods',
        'rbac_email_implicit_role_assignments',
        'claimed_email_domains',
        'custom_roles',
      ]) {
        assert.deepEqual(org[k], [], k);
      }
      assert.ok(!org.organization_external_id, 'no external ID was given');
      assert.ok(!org.sso_default_connection_id, 'a new organization has no default connection');
      for (const k of ['created_at', 'updated_at']) {
        assert.equal(typeof org[k], 'string', k);
        assert.ok(!Number.isNaN(Date.parse(org[k])), `${k} ${org[k]} is a timestamp`);
      }
    });

    it('carries every field the SDK Organization type declares as always present', async () => {
      const { organization } = await create();
      const missing = sdkRequiredFields('b2b/organizations', 'Organization').filter((k) => !(k in organization));
      assert.deepEqual(missing, [], `fields missing from the organization object: ${missing.join(', ')}`);
    });

    it('stores every settable field and get returns the same object', async () => {
      const slug = uid('full');
      const ext = uid('ext');
      const res = await seam.client.organizations.create({
        organization_name: 'Full Settings Ltd',
        organization_slug: slug,
        organization_logo_url: 'https://cdn.example.com/logo.png',
        organization_external_id: ext,
        trusted_metadata: { tier: 'gold', seats: 25, nested: { a: [1, 2] } },
        sso_jit_provisioning: 'NOT_ALLOWED',
        email_allowed_domains: ['example.com', 'example.org'],
        email_jit_provisioning: 'RESTRICTED',
        email_invites: 'RESTRICTED',
        auth_methods: 'RESTRICTED',
        allowed_auth_methods: ['sso', 'magic_link'],
        mfa_policy: 'REQUIRED_FOR_ALL',
        mfa_methods: 'RESTRICTED',
        allowed_mfa_methods: ['totp'],
        oauth_tenant_jit_provisioning: 'NOT_ALLOWED',
        claimed_email_domains: ['example.com'],
      });
      assertOK(res);
      const org = res.organization;
      assert.equal(org.organization_name, 'Full Settings Ltd');
      assert.equal(org.organization_slug, slug);
      assert.equal(org.organization_logo_url, 'https://cdn.example.com/logo.png');
      assert.equal(org.organization_external_id, ext);
      assert.deepEqual(org.trusted_metadata, { tier: 'gold', seats: 25, nested: { a: [1, 2] } });
      assert.equal(org.sso_jit_provisioning, 'NOT_ALLOWED');
      assert.deepEqual(org.email_allowed_domains, ['example.com', 'example.org']);
      assert.equal(org.email_jit_provisioning, 'RESTRICTED');
      assert.equal(org.email_invites, 'RESTRICTED');
      assert.equal(org.auth_methods, 'RESTRICTED');
      assert.deepEqual(org.allowed_auth_methods, ['sso', 'magic_link']);
      assert.equal(org.mfa_policy, 'REQUIRED_FOR_ALL');
      assert.equal(org.mfa_methods, 'RESTRICTED');
      assert.deepEqual(org.allowed_mfa_methods, ['totp']);
      assert.equal(org.oauth_tenant_jit_provisioning, 'NOT_ALLOWED');
      assert.deepEqual(org.claimed_email_domains, ['example.com']);

      const got = await seam.client.organizations.get({ organization_id: org.organization_id });
      assertOK(got);
      assert.deepEqual(got.organization, org);
    });

    it('requires organization_name', async () => {
      await expectStytchError(
        seam.client.organizations.create({ organization_slug: uid() }),
        400,
        'organization_name_missing',
      );
      await expectStytchError(
        seam.client.organizations.create({ organization_name: '   ', organization_slug: uid() }),
        400,
        'organization_name_missing',
      );
    });

    it('requires a valid organization_slug', async () => {
      // Stytch's docs: "An organization_name and a unique organization_slug are required."
      await expectStytchError(
        seam.client.organizations.create({ organization_name: 'No Slug' }),
        400,
        'invalid_organization_slug',
      );
      for (const bad of ['', 'a', 'has space', 'slash/slug', 'ünïcode', 'x'.repeat(129), 'semi;colon']) {
        await expectStytchError(
          seam.client.organizations.create({ organization_name: 'Bad Slug', organization_slug: bad }),
          400,
          'invalid_organization_slug',
        );
      }
      // The documented alphabet (alphanumerics and - . _ ~) and the length bounds 2..128 are accepted.
      for (const good of ['ab', `A-b.c_d~${seq}`, 'z'.repeat(128)]) {
        const res = await seam.client.organizations.create({ organization_name: 'Good Slug', organization_slug: good });
        assert.equal(res.organization.organization_slug, good);
      }
    });

    it('rejects a slug already used in the project', async () => {
      const slug = uid('taken');
      await create({ organization_slug: slug });
      await expectStytchError(create({ organization_slug: slug }), 400, 'organization_slug_already_used');
    });

    it('rejects an external ID already used in the project', async () => {
      const ext = uid('ext');
      await create({ organization_external_id: ext });
      // Stytch's exact error_type for this case is not in our sources; require a 400 naming the external ID.
      await expectStytchError(create({ organization_external_id: ext }), 400, /external_id/);
    });
  });

  describe('get', () => {
    it('resolves the organization by ID, slug and external ID', async () => {
      const slug = uid('lookup');
      const ext = uid('lookup-ext');
      const { organization } = await create({ organization_slug: slug, organization_external_id: ext });
      for (const ref of [organization.organization_id, slug, ext]) {
        const res = await seam.client.organizations.get({ organization_id: ref });
        assertOK(res);
        assert.deepEqual(res.organization, organization, `lookup by ${ref}`);
      }
    });

    it('answers 404 organization_not_found for an unknown reference', async () => {
      for (const ref of [
        'organization-test-00000000-0000-4000-8000-000000000000',
        'no-such-slug',
        'a/b', // sent as a%2Fb: must reach the organizations route, not fall through to a routing 404
        'x'.repeat(300),
      ]) {
        await expectStytchError(seam.client.organizations.get({ organization_id: ref }), 404, 'organization_not_found');
      }
    });
  });

  describe('update', () => {
    const fullFields = () => ({
      organization_name: 'Partial Update Co',
      organization_slug: uid('partial'),
      organization_external_id: uid('partial-ext'),
      organization_logo_url: 'https://cdn.example.com/p.png',
      trusted_metadata: { plan: 'pro' },
      sso_jit_provisioning: 'RESTRICTED',
      email_allowed_domains: ['partial.example'],
      email_jit_provisioning: 'RESTRICTED',
      email_invites: 'RESTRICTED',
      auth_methods: 'RESTRICTED',
      allowed_auth_methods: ['sso'],
      mfa_policy: 'REQUIRED_FOR_ALL',
      mfa_methods: 'RESTRICTED',
      allowed_mfa_methods: ['sms_otp'],
      claimed_email_domains: ['partial.example'],
    });

    it('changes only the fields that are sent', async () => {
      const { organization: before } = await create(fullFields());
      const res = await seam.client.organizations.update({
        organization_id: before.organization_id,
        organization_name: 'Renamed Co',
      });
      assertOK(res);
      const after = res.organization;
      assert.equal(after.organization_name, 'Renamed Co');
      assert.deepEqual(without(after, 'organization_name'), without(before, 'organization_name'));
      assert.equal(after.created_at, before.created_at);
      assert.ok(Date.parse(after.updated_at) >= Date.parse(before.updated_at), 'updated_at does not go back');

      const got = await seam.client.organizations.get({ organization_id: before.organization_id });
      assert.deepEqual(got.organization, after);
    });

    it('leaves the organization unchanged when no field is sent (undefined is absent)', async () => {
      const { organization: before } = await create(fullFields());
      // Every field undefined: the SDK's JSON.stringify drops them, so the body is {}.
      const res = await seam.client.organizations.update({
        organization_id: before.organization_id,
        organization_name: undefined,
        organization_logo_url: undefined,
        email_allowed_domains: undefined,
        trusted_metadata: undefined,
      });
      assertOK(res);
      assert.deepEqual(without(res.organization), without(before));
    });

    it('treats empty strings and empty lists as values, not as absent', async () => {
      const { organization: before } = await create(fullFields());
      const res = await seam.client.organizations.update({
        organization_id: before.organization_id,
        organization_logo_url: '',
        email_allowed_domains: [],
        claimed_email_domains: [],
        allowed_mfa_methods: [],
        mfa_methods: 'ALL_ALLOWED',
      });
      const after = res.organization;
      assert.equal(after.organization_logo_url, '');
      assert.deepEqual(after.email_allowed_domains, []);
      assert.deepEqual(after.claimed_email_domains, []);
      assert.deepEqual(after.allowed_mfa_methods, []);
      assert.equal(after.mfa_methods, 'ALL_ALLOWED');
      assert.deepEqual(
        without(
          after,
          'organization_logo_url',
          'email_allowed_domains',
          'claimed_email_domains',
          'allowed_mfa_methods',
          'mfa_methods',
        ),
        without(
          before,
          'organization_logo_url',
          'email_allowed_domains',
          'claimed_email_domains',
          'allowed_mfa_methods',
          'mfa_methods',
        ),
      );
    });

    it('merges trusted_metadata at the top level and deletes keys set to null', async () => {
      // Stytch B2B "Metadata Update Behavior" (api-reference/b2b/api/resources/object-update-behavior):
      // update payloads are merged with the existing object at the top level only; nested objects
      // and arrays are replaced whole; a top-level null deletes the key.
      const { organization } = await create({ trusted_metadata: { keep: 'yes', nested: { a: 1 }, drop: true } });
      const id = organization.organization_id;
      let res = await seam.client.organizations.update({
        organization_id: id,
        trusted_metadata: { nested: { b: 2 }, added: [1] },
      });
      assert.deepEqual(res.organization.trusted_metadata, { keep: 'yes', nested: { b: 2 }, drop: true, added: [1] });
      res = await seam.client.organizations.update({ organization_id: id, trusted_metadata: { drop: null } });
      assert.deepEqual(res.organization.trusted_metadata, { keep: 'yes', nested: { b: 2 }, added: [1] });
    });

    it('addresses the organization by slug and by external ID', async () => {
      const slug = uid('by-slug');
      const ext = uid('by-ext');
      const { organization } = await create({ organization_slug: slug, organization_external_id: ext });
      let res = await seam.client.organizations.update({ organization_id: slug, organization_name: 'Via Slug' });
      assert.equal(res.organization.organization_id, organization.organization_id);
      assert.equal(res.organization.organization_name, 'Via Slug');
      res = await seam.client.organizations.update({ organization_id: ext, organization_name: 'Via External ID' });
      assert.equal(res.organization.organization_id, organization.organization_id);
      assert.equal(res.organization.organization_name, 'Via External ID');
    });

    it('moves slug and external ID lookups when they change', async () => {
      const oldSlug = uid('old');
      const oldExt = uid('old-ext');
      const { organization } = await create({ organization_slug: oldSlug, organization_external_id: oldExt });
      const newSlug = uid('new');
      const newExt = uid('new-ext');
      const res = await seam.client.organizations.update({
        organization_id: organization.organization_id,
        organization_slug: newSlug,
        organization_external_id: newExt,
      });
      assert.equal(res.organization.organization_slug, newSlug);
      assert.equal(res.organization.organization_external_id, newExt);
      for (const ref of [newSlug, newExt]) {
        const got = await seam.client.organizations.get({ organization_id: ref });
        assert.equal(got.organization.organization_id, organization.organization_id);
      }
      for (const ref of [oldSlug, oldExt]) {
        await expectStytchError(seam.client.organizations.get({ organization_id: ref }), 404, 'organization_not_found');
      }
    });

    it('rejects invalid values and writes nothing', async () => {
      const { organization: before } = await create({ organization_name: 'Atomic Co' });
      const id = before.organization_id;
      const taken = (await create()).organization.organization_slug;
      await expectStytchError(
        seam.client.organizations.update({ organization_id: id, organization_name: 'Changed', organization_slug: taken }),
        400,
        'organization_slug_already_used',
      );
      await expectStytchError(
        seam.client.organizations.update({ organization_id: id, organization_name: 'Changed', organization_slug: 'no spaces allowed' }),
        400,
        'invalid_organization_slug',
      );
      await expectStytchError(
        seam.client.organizations.update({ organization_id: id, organization_name: '' }),
        400,
        'organization_name_missing',
      );
      await expectStytchError(
        seam.client.organizations.update({ organization_id: id, organization_name: 'Changed', sso_jit_provisioning: 'SOMETIMES' }),
        400,
        /sso_jit_provisioning/,
      );
      const got = await seam.client.organizations.get({ organization_id: id });
      assert.deepEqual(got.organization, before);
    });

    it('answers 404 organization_not_found for an unknown organization', async () => {
      await expectStytchError(
        seam.client.organizations.update({ organization_id: 'no-such-org', organization_name: 'X' }),
        404,
        'organization_not_found',
      );
    });
  });

  describe('delete', () => {
    it('deletes by ID and answers organization_id; the organization is gone', async () => {
      const { organization } = await create();
      const id = organization.organization_id;
      const res = await seam.client.organizations.delete({ organization_id: id });
      assertOK(res);
      assert.equal(res.organization_id, id);
      await expectStytchError(seam.client.organizations.get({ organization_id: id }), 404, 'organization_not_found');
      await expectStytchError(seam.client.organizations.delete({ organization_id: id }), 404, 'organization_not_found');
      await expectStytchError(
        seam.client.organizations.update({ organization_id: id, organization_name: 'Ghost' }),
        404,
        'organization_not_found',
      );
    });

    it('deletes by slug and by external ID, answering the canonical ID', async () => {
      const slug = uid('del-slug');
      const a = (await create({ organization_slug: slug })).organization;
      let res = await seam.client.organizations.delete({ organization_id: slug });
      assert.equal(res.organization_id, a.organization_id);

      const ext = uid('del-ext');
      const b = (await create({ organization_external_id: ext })).organization;
      res = await seam.client.organizations.delete({ organization_id: ext });
      assert.equal(res.organization_id, b.organization_id);
      await expectStytchError(seam.client.organizations.get({ organization_id: ext }), 404, 'organization_not_found');
    });

    it('frees the slug and external ID for reuse', async () => {
      const slug = uid('reuse');
      const ext = uid('reuse-ext');
      const first = (await create({ organization_slug: slug, organization_external_id: ext })).organization;
      await seam.client.organizations.delete({ organization_id: first.organization_id });
      const second = (await create({ organization_slug: slug, organization_external_id: ext })).organization;
      assert.notEqual(second.organization_id, first.organization_id);
      const got = await seam.client.organizations.get({ organization_id: slug });
      assert.equal(got.organization.organization_id, second.organization_id);
    });

    it('answers 404 organization_not_found for an unknown organization', async () => {
      await expectStytchError(
        seam.client.organizations.delete({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' }),
        404,
        'organization_not_found',
      );
    });
  });

  describe('search', () => {
    // A project of its own, so totals count only this block's organizations.
    let client;
    let orgs;
    before(async () => {
      ({ client } = await seam.createProject({ name: 'search' }));
      orgs = [];
      for (const name of ['Alpha Widgets', 'Beta Gadgets', 'Gamma Widgets', 'Delta Tools', 'Epsilon WIDGETS']) {
        const { organization } = await client.organizations.create({
          organization_name: name,
          organization_slug: uid(name.split(' ')[0].toLowerCase()),
          organization_external_id: uid('search-ext'),
        });
        orgs.push(organization);
      }
    });
    const ids = (list) => list.map((o) => o.organization_id).sort();

    it('returns every organization of the project without a query', async () => {
      const res = await client.organizations.search({});
      assertOK(res);
      assert.deepEqual(ids(res.organizations), ids(orgs));
      assert.equal(res.results_metadata.total, orgs.length);
      assert.ok(!res.results_metadata.next_cursor, 'a single page has no next_cursor');
      const byId = new Map(orgs.map((o) => [o.organization_id, o]));
      for (const o of res.organizations) assert.deepEqual(o, byId.get(o.organization_id));
    });

    it('pages with limit and cursor until next_cursor is empty', async () => {
      const seen = [];
      let cursor;
      let pages = 0;
      do {
        const res = await client.organizations.search({ limit: 2, ...(cursor ? { cursor } : {}) });
        assertOK(res);
        assert.ok(res.organizations.length <= 2, 'page is at most limit long');
        assert.equal(res.results_metadata.total, orgs.length, 'total counts all matches, not the page');
        seen.push(...res.organizations);
        cursor = res.results_metadata.next_cursor;
        pages++;
        assert.ok(pages <= orgs.length, 'pagination terminates');
      } while (cursor);
      assert.equal(pages, 3);
      assert.equal(seen.length, orgs.length, 'no organization is repeated');
      assert.deepEqual(ids(seen), ids(orgs));
    });

    it('filters by organization_ids', async () => {
      const want = [orgs[0].organization_id, orgs[3].organization_id];
      const res = await client.organizations.search({
        query: { operator: 'AND', operands: [{ filter_name: 'organization_ids', filter_value: want }] },
      });
      assert.deepEqual(ids(res.organizations), [...want].sort());
      assert.equal(res.results_metadata.total, 2);
    });

    it('filters by organization_slugs', async () => {
      const res = await client.organizations.search({
        query: {
          operator: 'AND',
          operands: [{ filter_name: 'organization_slugs', filter_value: [orgs[1].organization_slug, 'no-such-slug'] }],
        },
      });
      assert.deepEqual(ids(res.organizations), [orgs[1].organization_id]);
    });

    it('filters by organization_name_fuzzy (a string, as the SDK types it)', async () => {
      // stytch 14.2.0 OrganizationSearchOperand: {filter_name: "organization_name_fuzzy"; filter_value: string}
      const res = await client.organizations.search({
        query: { operator: 'AND', operands: [{ filter_name: 'organization_name_fuzzy', filter_value: 'widget' }] },
      });
      assert.deepEqual(ids(res.organizations), ids([orgs[0], orgs[2], orgs[4]]));
      assert.equal(res.results_metadata.total, 3);
    });

    it('ANDs operands together and pages the filtered result', async () => {
      const res = await client.organizations.search({
        limit: 1,
        query: {
          operator: 'AND',
          operands: [
            { filter_name: 'organization_ids', filter_value: ids(orgs) },
            { filter_name: 'organization_slugs', filter_value: [orgs[2].organization_slug, orgs[3].organization_slug] },
          ],
        },
      });
      assert.equal(res.results_metadata.total, 2);
      assert.equal(res.organizations.length, 1);
      assert.ok(res.results_metadata.next_cursor);
      const next = await client.organizations.search({
        limit: 1,
        cursor: res.results_metadata.next_cursor,
        query: {
          operator: 'AND',
          operands: [
            { filter_name: 'organization_ids', filter_value: ids(orgs) },
            { filter_name: 'organization_slugs', filter_value: [orgs[2].organization_slug, orgs[3].organization_slug] },
          ],
        },
      });
      assert.equal(next.organizations.length, 1);
      assert.ok(!next.results_metadata.next_cursor);
      assert.deepEqual(ids([...res.organizations, ...next.organizations]), ids([orgs[2], orgs[3]]));
    });

    it('answers an empty page when nothing matches', async () => {
      const res = await client.organizations.search({
        query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: ['nothing-here'] }] },
      });
      assertOK(res);
      assert.deepEqual(res.organizations, []);
      assert.equal(res.results_metadata.total, 0);
      assert.ok(!res.results_metadata.next_cursor);
    });

    it('does not see other projects', async () => {
      const res = await seam.client.organizations.search({
        query: { operator: 'AND', operands: [{ filter_name: 'organization_ids', filter_value: ids(orgs) }] },
      });
      assert.deepEqual(res.organizations, []);
      assert.equal(res.results_metadata.total, 0);
    });

    it('rejects a limit outside 1..1000', async () => {
      // Stytch documents limit <= 1000; the error_type family is organization_search_*.
      for (const limit of [1001, -1]) {
        await expectStytchError(client.organizations.search({ limit }), 400, /^organization_search_/);
      }
      const res = await client.organizations.search({ limit: 1000 });
      assert.equal(res.organizations.length, orgs.length);
    });

    it('rejects a cursor it did not issue', async () => {
      for (const cursor of ['not-a-cursor', 'eyJ4Ijp7fX0', '%%%']) {
        await expectStytchError(client.organizations.search({ cursor }), 400, /^organization_search_/);
      }
    });

    it('rejects an unknown filter instead of ignoring it', async () => {
      await expectStytchError(
        client.organizations.search({
          query: { operator: 'AND', operands: [{ filter_name: 'no_such_filter', filter_value: ['x'] }] },
        }),
        400,
        /^organization_search_/,
      );
    });
  });

  describe('authentication and isolation', () => {
    it('answers 401 unauthorized_credentials to every method for a wrong secret', async () => {
      const bad = seam.clientFor(seam.projectId, 'secret-test-' + 'ab'.repeat(32));
      const { organization } = await create();
      const id = organization.organization_id;
      const calls = {
        create: () => bad.organizations.create({ organization_name: 'Nope', organization_slug: uid() }),
        get: () => bad.organizations.get({ organization_id: id }),
        update: () => bad.organizations.update({ organization_id: id, organization_name: 'Nope' }),
        delete: () => bad.organizations.delete({ organization_id: id }),
        search: () => bad.organizations.search({}),
      };
      for (const [name, call] of Object.entries(calls)) {
        try {
          await expectStytchError(call, 401, 'unauthorized_credentials');
        } catch (e) {
          e.message = `organizations.${name}: ${e.message}`;
          throw e;
        }
      }
      const still = await seam.client.organizations.get({ organization_id: id });
      assert.equal(still.organization.organization_name, organization.organization_name);
    });

    it('answers 401 unauthorized_credentials for an unknown project', async () => {
      const stranger = seam.clientFor('project-test-00000000-0000-4000-8000-000000000000', seam.secret);
      await expectStytchError(stranger.organizations.search({}), 401, 'unauthorized_credentials');
    });

    it("keeps one project's organizations invisible to another", async () => {
      const slug = uid('isolated');
      const ext = uid('isolated-ext');
      const { organization } = await create({ organization_slug: slug, organization_external_id: ext });
      const other = await seam.createProject({ name: 'isolation' });
      for (const ref of [organization.organization_id, slug, ext]) {
        await expectStytchError(other.client.organizations.get({ organization_id: ref }), 404, 'organization_not_found');
        await expectStytchError(
          other.client.organizations.update({ organization_id: ref, organization_name: 'Hijack' }),
          404,
          'organization_not_found',
        );
        await expectStytchError(other.client.organizations.delete({ organization_id: ref }), 404, 'organization_not_found');
      }
      // Slugs and external IDs are unique per project, not globally.
      const twin = await other.client.organizations.create({
        organization_name: 'Twin',
        organization_slug: slug,
        organization_external_id: ext,
      });
      assert.notEqual(twin.organization.organization_id, organization.organization_id);
      const mine = await seam.client.organizations.get({ organization_id: slug });
      assert.deepEqual(mine.organization, organization);
    });
  });
});
