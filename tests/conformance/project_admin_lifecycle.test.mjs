// Changing and deleting projects and environments on Stytch's Programmatic
// Workspace Actions API v3 (PATCH and DELETE /pwa/v3/projects/{slug}[/environments/{env}],
// GET .../metrics) and with `seam project rename|delete`, against a running
// `seam serve`: a deleted environment's credentials stop working at once for
// the official SDK. See docs/project-administration.md.

import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachBackend, expectStytchError, newClient } from './harness.mjs';

describeEachBackend('project administration: update and delete (PWA v3)', (seam) => {
  let key;
  const pwa = (method, path, body) => seam.request(method, path, { body, auth: key });
  const ok = (r) => {
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const cliJSON = async (args) => JSON.parse((await seam.cli(args)).stdout);

  before(async () => {
    const created = await cliJSON(['workspace-key', 'create', '--json']);
    key = { projectId: created.key_id, secret: created.secret };
  });

  it('renames projects and environments, refuses settings of features Seam lacks', async () => {
    const slug = `shop-${randomBytes(3).toString('hex')}`;
    ok(await pwa('POST', '/pwa/v3/projects', { name: 'Shop', vertical: 'B2B', project_slug: slug }));
    ok(await pwa('POST', `/pwa/v3/projects/${slug}/environments`, { name: 'Staging', type: 'TEST', environment_slug: 'staging' }));
    const p = ok(await pwa('PATCH', `/pwa/v3/projects/${slug}`, { name: 'Shop Two' })).project;
    assert.deepEqual([p.project_slug, p.name, p.vertical], [slug, 'Shop Two', 'B2B']);
    const names = Object.fromEntries(ok(await pwa('GET', `/pwa/v3/projects/${slug}/environments`)).environments.map((e) => [e.environment_slug, e.name]));
    assert.deepEqual(names, { test: 'Shop Two', live: 'Shop Two', staging: 'Staging' });

    const env = `/pwa/v3/projects/${slug}/environments/staging`;
    const e = ok(await pwa('PATCH', env, { name: 'QA', cross_org_passwords_enabled: false, user_impersonation_enabled: false })).environment;
    assert.deepEqual([e.environment_slug, e.name, e.type], ['staging', 'QA', 'TEST']);
    const refused = await pwa('PATCH', env, { user_lock_threshold: 5 });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error_type, 'feature_not_supported_by_seam');
    assert.equal((await pwa('PATCH', '/pwa/v3/projects/no-such-project', { name: 'x' })).json.error_type, 'project_not_found');
    ok(await pwa('DELETE', `/pwa/v3/projects/${slug}`));
  });

  it('deletes an environment: its credentials stop working for the SDK at once', async () => {
    const slug = `doomed-${randomBytes(3).toString('hex')}`;
    ok(await pwa('POST', '/pwa/v3/projects', { name: 'Doomed', vertical: 'B2B', project_slug: slug }));
    const env = `/pwa/v3/projects/${slug}/environments/test`;
    const projectId = ok(await pwa('GET', env)).environment.project_id;
    const { secret } = ok(await pwa('POST', `${env}/secrets`, {})).secret;
    const client = newClient({ baseURL: seam.baseURL, projectId, secret });
    const { organization } = await client.organizations.create({ organization_name: 'Doomed Org', organization_slug: 'doomed-org' });
    await client.organizations.members.create({ organization_id: organization.organization_id, email_address: 'a@doomed.example' });
    assert.deepEqual(ok(await pwa('GET', `${env}/metrics`)).metrics, { user_count: 0, organization_count: 1, member_count: 1, m2m_client_count: 0 });

    ok(await pwa('DELETE', env));
    await expectStytchError(client.organizations.get({ organization_id: organization.organization_id }), 401, 'unauthorized_credentials');
    assert.equal((await pwa('GET', env)).json.error_type, 'environment_not_found');
    ok(await pwa('DELETE', `/pwa/v3/projects/${slug}`)); // the live environment
    assert.equal((await pwa('GET', `/pwa/v3/projects/${slug}`)).json.error_type, 'project_not_found');
  });

  it('seam project rename and delete work while the server runs', async () => {
    const created = await cliJSON(['project', 'create', '--name', 'CLI app', '--json']);
    const renamed = await cliJSON(['project', 'rename', '--project', created.project_id, '--name', 'CLI app 2', '--json']);
    assert.equal(renamed.name, 'CLI app 2');
    assert.equal(ok(await pwa('GET', `/pwa/v3/projects/${created.project_id}`)).project.name, 'CLI app 2');
    const client = newClient({ baseURL: seam.baseURL, projectId: created.project_id, secret: created.secret });
    await client.organizations.search({});
    assert.deepEqual(await cliJSON(['project', 'delete', '--project', created.project_id, '--yes', '--json']), { project_id: created.project_id, deleted: true });
    await expectStytchError(client.organizations.search({}), 401, 'unauthorized_credentials');
  });
});
