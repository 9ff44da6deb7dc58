// RFC 7643/7644 compliance of Seam's SCIM service provider, driven over HTTP
// against a live `seam serve`, with every resource, list and error checked
// against an independent implementation's definitions: the npm package
// `scimmy` (its User, Group, EnterpriseUser, ServiceProviderConfig and
// ResourceType schemas coerce what Seam returns and throw on a wrong type or
// a missing required attribute; its Error and ListResponse messages refuse
// malformed ones). Then the Okta and Entra ID provisioning sequences in
// fixtures/scim/ are replayed end to end.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import SCIMMY from 'scimmy';
import { describeEachBackend, expectStytchError } from './harness.mjs';
import { scimClient } from './scim.test.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser, false);

/** Validates a User resource with scimmy and checks what coercion must keep. */
function validUser(u) {
  const out = SCIMMY.Schemas.User.definition.coerce(u, 'out');
  assert.equal(out.id, u.id);
  assert.equal(out.userName, u.userName);
  assert.equal(typeof u.active, 'boolean');
  assert.equal(u.meta.resourceType, 'User');
  assert.match(u.meta.location, /\/Users\/member-test-/);
  return out;
}

function validGroup(g) {
  const out = SCIMMY.Schemas.Group.definition.coerce(g, 'out');
  assert.equal(out.displayName, g.displayName);
  assert.equal(g.meta.resourceType, 'Group');
  return out;
}

function validList(body, validate) {
  const list = new SCIMMY.Messages.ListResponse(body);
  assert.equal(list.totalResults, body.totalResults);
  assert.equal(body.itemsPerPage, body.Resources.length);
  for (const r of body.Resources) validate(r);
  return body;
}

/** An RFC 7644 error response: scimmy accepts its status and scimType. */
function validError(r, status, scimType) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.type, 'application/scim+json');
  assert.deepEqual(r.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(r.body.status, String(status));
  assert.equal(r.body.scimType, scimType);
  // scimmy throws on a status or scimType combination RFC 7644's table
  // (section 3.12) does not list. 415 is plain HTTP (RFC 9110) for a body
  // that is not application/scim+json, outside that table.
  if (status !== 415) new SCIMMY.Messages.Error({ status, scimType, detail: r.body.detail });
}

const user = (userName, extra = {}) => ({
  schemas: [CORE_USER, ENTERPRISE],
  userName,
  externalId: uid('ext'),
  displayName: `Display ${userName}`,
  name: { givenName: 'Given', familyName: 'Family' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  [ENTERPRISE]: { employeeNumber: '7', department: 'QA' },
  ...extra,
});

describeEachBackend('scim RFC 7643/7644 compliance', (seam) => {
  const connect = async (identity_provider = 'generic') => {
    const { organization } = await seam.client.organizations.create({ organization_name: 'SCIM RFC', organization_slug: uid('rfc') });
    const { connection } = await seam.client.scim.connection.create({ organization_id: organization.organization_id, identity_provider });
    return { org: organization, conn: connection, scim: scimClient(connection.base_url, connection.bearer_token) };
  };

  it('discovery: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const { scim } = await connect();
    const spc = await scim('GET', '/ServiceProviderConfig');
    assert.equal(spc.status, 200);
    assert.equal(spc.type, 'application/scim+json');
    const cfg = SCIMMY.Schemas.ServiceProviderConfig.definition.coerce(spc.body, 'out');
    assert.equal(cfg.patch.supported, true);
    assert.equal(cfg.filter.supported, true);
    assert.equal(cfg.bulk.supported, false);

    const rts = (await scim('GET', '/ResourceTypes')).body;
    validList(rts, (rt) => SCIMMY.Schemas.ResourceType.definition.coerce(rt, 'out'));
    assert.deepEqual(rts.Resources.map((r) => r.endpoint).sort(), ['/Groups', '/Users']);
    assert.equal((await scim('GET', '/ResourceTypes/User')).body.schema, CORE_USER);

    const schemas = (await scim('GET', '/Schemas')).body;
    validList(schemas, () => {});
    const byId = Object.fromEntries(schemas.Resources.map((s) => [s.id, s]));
    // Every attribute Seam declares is one the independent definition has,
    // with the same multi-valuedness.
    for (const [id, def] of [[CORE_USER, SCIMMY.Schemas.User.definition], [CORE_GROUP, SCIMMY.Schemas.Group.definition], [ENTERPRISE, SCIMMY.Schemas.EnterpriseUser.definition]]) {
      assert.ok(byId[id], `schema ${id} listed`);
      for (const a of byId[id].attributes) {
        const theirs = def.attribute(a.name);
        assert.ok(theirs, `${id}: ${a.name} is not in scimmy's definition`);
        assert.equal(a.multiValued, theirs.config.multiValued, `${id}: ${a.name} multiValued`);
      }
    }
    assert.equal((await scim('GET', `/Schemas/${ENTERPRISE}`)).status, 200);
    validError(await scim('GET', '/Schemas/urn:nope'), 404, undefined);
  });

  it('CRUD of users and groups', async () => {
    const { scim } = await connect();
    const created = await scim('POST', '/Users', user('crud@rfc.test'));
    assert.equal(created.status, 201);
    validUser(created.body);
    assert.deepEqual(created.body.schemas, [CORE_USER, ENTERPRISE]);
    assert.equal(created.body[ENTERPRISE].department, 'QA');
    assert.equal(created.body.password, undefined, 'password is never returned');
    const id = created.body.id;

    const got = await scim('GET', `/Users/${id}`);
    validUser(got.body);
    assert.deepEqual(got.body.groups, []);

    const put = await scim('PUT', `/Users/${id}`, user('crud@rfc.test', { displayName: 'Replaced', externalId: 'ext-put' }));
    assert.equal(put.status, 200);
    validUser(put.body);
    assert.equal(put.body.displayName, 'Replaced');
    assert.equal(put.body.externalId, 'ext-put');

    const g = await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Readers', members: [{ value: id }] });
    assert.equal(g.status, 201);
    validGroup(g.body);
    assert.deepEqual(g.body.members.map((m) => m.value), [id]);
    const withGroup = (await scim('GET', `/Users/${id}`)).body;
    assert.deepEqual(withGroup.groups.map((x) => [x.value, x.display]), [[g.body.id, 'Readers']]);

    const gput = await scim('PUT', `/Groups/${g.body.id}`, { schemas: [CORE_GROUP], displayName: 'Writers', members: [] });
    validGroup(gput.body);
    assert.deepEqual(gput.body.members, []);
    assert.equal((await scim('DELETE', `/Groups/${g.body.id}`)).status, 204);
    validError(await scim('GET', `/Groups/${g.body.id}`), 404, undefined);

    assert.equal((await scim('DELETE', `/Users/${id}`)).status, 204);
    validError(await scim('GET', `/Users/${id}`), 404, undefined);
    validError(await scim('DELETE', `/Users/${id}`), 404, undefined);
  });

  it('filters and paging', async () => {
    const { scim } = await connect();
    const names = ['amy', 'ben', 'cleo', 'dan', 'eve'].map((n) => `${n}@filter.test`);
    const ids = {};
    for (const n of names) ids[n] = (await scim('POST', '/Users', user(n, { externalId: `x-${n}`, active: n !== 'dan@filter.test' }))).body.id;
    const q = async (filter, extra = '') => {
      const r = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return validList(r.body, validUser);
    };
    const userNames = (l) => l.Resources.map((u) => u.userName);
    assert.deepEqual(userNames(await q('userName eq "BEN@filter.test"')), ['ben@filter.test']);
    assert.deepEqual(userNames(await q('externalId eq "x-cleo@filter.test"')), ['cleo@filter.test']);
    assert.deepEqual(userNames(await q('emails.value eq "eve@filter.test"')), ['eve@filter.test']);
    assert.deepEqual(userNames(await q('emails[value co "amy"]')), ['amy@filter.test']);
    assert.deepEqual(userNames(await q('userName sw "c" or userName sw "e"')), ['cleo@filter.test', 'eve@filter.test']);
    assert.deepEqual(userNames(await q('displayName co "dan" and active eq false')), ['dan@filter.test']);
    assert.equal((await q('externalId pr')).totalResults, 5);
    assert.equal((await q('not (active eq true)')).totalResults, 1);

    const page = (await scim('GET', '/Users?startIndex=2&count=2')).body;
    validList(page, validUser);
    assert.equal(page.totalResults, 5);
    assert.equal(page.startIndex, 2);
    assert.deepEqual(userNames(page), ['ben@filter.test', 'cleo@filter.test']);
    const none = (await scim('GET', '/Users?count=0')).body;
    assert.equal(none.totalResults, 5);
    assert.deepEqual(none.Resources, []);
    assert.equal((await scim('GET', '/Users?startIndex=9')).body.Resources.length, 0);

    for (const bad of ['userName eq', 'userName xx "a"', 'title eq "x"', '((userName eq "a")', 'userName gt "a"']) {
      validError(await scim('GET', `/Users?filter=${encodeURIComponent(bad)}`), 400, 'invalidFilter');
    }
    const groups = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "none"')}`);
    validList(groups.body, validGroup);
  });

  it('PATCH forms: RFC paths, value filters, path-less objects, string booleans, member removal', async () => {
    const { scim } = await connect();
    const u = (await scim('POST', '/Users', user('patch@rfc.test'))).body;
    const patch = (ops, path = `/Users/${u.id}`) => scim('PATCH', path, { schemas: [PATCH], Operations: ops });
    let r = await patch([{ op: 'replace', path: 'name.givenName', value: 'Ada' }, { op: 'add', path: 'nickName', value: 'A' }]);
    assert.equal(r.status, 200);
    validUser(r.body);
    assert.equal(r.body.name.givenName, 'Ada');
    r = await patch([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'patch2@rfc.test' }]);
    assert.equal(r.body.emails[0].value, 'patch2@rfc.test');
    r = await patch([{ op: 'Replace', value: { displayName: 'Path-less', [`${ENTERPRISE}:department`]: 'Ops', active: 'False' } }]);
    validUser(r.body);
    assert.equal(r.body.displayName, 'Path-less');
    assert.equal(r.body[ENTERPRISE].department, 'Ops');
    assert.equal(r.body.active, false);
    r = await patch([{ op: 'replace', path: 'active', value: true }, { op: 'remove', path: 'nickName' }]);
    assert.equal(r.body.active, true);
    assert.equal(r.body.nickName, undefined);

    const g = (await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Patchers' })).body;
    r = await patch([{ op: 'add', path: 'members', value: [{ value: u.id }] }], `/Groups/${g.id}`);
    validGroup(r.body);
    assert.deepEqual(r.body.members.map((m) => m.value), [u.id]);
    r = await patch([{ op: 'remove', path: `members[value eq "${u.id}"]` }], `/Groups/${g.id}`);
    assert.deepEqual(r.body.members, []);

    validError(await patch([{ op: 'remove' }]), 400, 'noTarget');
    validError(await patch([{ op: 'jump', path: 'title', value: 'x' }]), 400, 'invalidSyntax');
    validError(await patch([{ op: 'replace', path: 'shoeSize', value: 'x' }]), 400, 'invalidPath');
    validError(await patch([{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
    validError(await patch([{ op: 'add', path: 'members', value: [{ value: 'member-test-nobody' }] }], `/Groups/${g.id}`), 400, 'invalidValue');
    validError(await scim('PATCH', `/Users/${u.id}`, { Operations: [] }), 400, 'invalidSyntax');
  });

  it('errors: bad input changes nothing', async () => {
    const { scim, conn } = await connect();
    const other = await connect();
    const before = (await scim('GET', '/Users')).body.totalResults;
    const raw = async (body, type = 'application/scim+json') => {
      const res = await fetch(conn.base_url + '/Users', { method: 'POST', headers: { authorization: `Bearer ${conn.bearer_token}`, 'content-type': type }, body });
      return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(await res.text()) };
    };
    validError(await raw('{"userName": '), 400, 'invalidSyntax');
    validError(await raw('["not an object"]'), 400, 'invalidSyntax');
    validError(await raw(JSON.stringify({ ...user('s@rfc.test'), schemas: ['urn:example:custom'] })), 400, 'invalidSyntax');
    validError(await raw(JSON.stringify({ ...user('s@rfc.test'), schemas: [CORE_USER, 'urn:example:custom'] })), 400, 'invalidValue');
    validError(await raw(JSON.stringify(user('s@rfc.test')), 'text/plain'), 415, undefined);
    validError(await raw(JSON.stringify({ ...user('s@rfc.test'), displayName: 'x'.repeat(2 << 20) })), 413, undefined);
    validError(await raw(JSON.stringify({ ...user('s@rfc.test'), active: 'maybe' })), 400, 'invalidValue');
    validError(await raw(JSON.stringify({ schemas: [CORE_USER], userName: 'no-email' })), 400, 'invalidValue');
    assert.equal((await scim('POST', '/Users', user('dup@rfc.test'))).status, 201);
    validError(await scim('POST', '/Users', user('DUP@rfc.test')), 409, 'uniqueness');
    // Organization B's token on A's base URL, a wrong token, no token.
    const cross = scimClient(conn.base_url, other.conn.bearer_token);
    validError(await cross('GET', '/Users'), 401, undefined);
    validError(await cross('POST', '/Users', user('cross@rfc.test')), 401, undefined);
    validError(await scimClient(conn.base_url, 'x'.repeat(48))('GET', '/Users'), 401, undefined);
    assert.equal((await scim('GET', '/Users')).body.totalResults, before + 1);
    assert.equal((await other.scim('GET', '/Users')).body.totalResults, 0);
  });

  for (const idp of ['okta', 'entra']) {
    it(`${idp} provisioning sequence replayed end to end`, async () => {
      const fixture = JSON.parse(readFileSync(new URL(`./fixtures/scim/${idp}.json`, import.meta.url), 'utf8'));
      const { scim, org } = await connect(idp === 'entra' ? 'microsoft-entra' : 'okta');
      const vars = {};
      const fill = (v) => JSON.parse(JSON.stringify(v ?? null).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m)));
      for (const step of fixture.steps) {
        const r = await scim(step.method, fill(step.path), step.body ? fill(step.body) : undefined);
        assert.equal(r.status, step.status, `${step.name}: ${JSON.stringify(r.body)}`);
        if (r.status >= 400) {
          validError(r, r.status, r.body.scimType);
          continue;
        }
        if (r.body?.Resources) validList(r.body, (x) => (x.userName !== undefined ? validUser(x) : validGroup(x)));
        else if (r.body?.userName !== undefined) validUser(r.body);
        else if (r.body?.displayName !== undefined && r.body?.meta?.resourceType === 'Group') validGroup(r.body);
        for (const [k, v] of Object.entries(step.expect ?? {})) assert.deepEqual(r.body[k], v, `${step.name}: ${k}`);
        for (const [k, field] of Object.entries(step.capture ?? {})) vars[k] = r.body[field];
      }
      // dangerouslyGet with include_deleted: a deprovisioned member is deleted, which members.get does not show.
      const { member } = await seam.client.organizations.members.dangerouslyGet({ member_id: vars[fixture.final.member], include_deleted: true });
      assert.equal(member.organization_id, org.organization_id);
      assert.equal(member.status, fixture.final.status);
      if (fixture.final.status === 'deleted') {
        await expectStytchError(seam.client.organizations.members.get({ organization_id: org.organization_id, member_id: member.member_id }), 404, 'member_not_found');
      }
    });
  }
});
