// A project's RBAC policy on Stytch's Programmatic Workspace Actions API v3
// (GET/PUT /pwa/v3/projects/{project_slug}/environments/{environment_slug}/rbac_policy),
// against a running `seam serve`: the official SDK's rbac.policy() and its
// session authorization checks see a change at once, another project keeps
// the deployment's policy, and invalid policies are refused with Stytch's
// error types and change nothing. See docs/project-administration.md.

import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachBackend, expectStytchError } from './harness.mjs';
import { mintSession } from './session_cli.mjs';

const editorPolicy = (current) => ({
  // Stytch's default roles keep their role_id and description; tools send back what GET gave.
  stytch_member: { ...current.stytch_member },
  stytch_admin: { ...current.stytch_admin,
    permissions: [...current.stytch_admin.permissions, { resource_id: 'documents', actions: ['*'] }] },
  stytch_resources: current.stytch_resources,
  custom_resources: [{ resource_id: 'documents', description: 'Shared documents', available_actions: ['read', 'write', 'delete'] }],
  custom_roles: [{ role_id: 'editor', description: 'Edits documents', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] }],
  custom_scopes: [],
});

describeEachBackend('project administration: RBAC policy (PWA v3)', (seam) => {
  let key;
  let env;
  let orgId;
  const pwa = (method, path, body) => seam.request(method, path, { body, auth: key });

  before(async () => {
    const created = JSON.parse((await seam.cli(['workspace-key', 'create', '--json'])).stdout);
    key = { projectId: created.key_id, secret: created.secret };
    env = `/pwa/v3/projects/${seam.projectId}/environments/test`;
    orgId = (await seam.client.organizations.create({ organization_name: 'Docs Co', organization_slug: 'docs-co' })).organization.organization_id;
  });

  it('replaces the policy; the SDK, member roles and authorization checks follow at once', async () => {
    const got = await pwa('GET', `${env}/rbac_policy`);
    assert.equal(got.status, 200, got.text);
    const current = got.json.policy;
    assert.equal(current.stytch_member.role_id, 'stytch_member');
    assert.equal(current.stytch_admin.role_id, 'stytch_admin');
    assert.ok(current.stytch_resources.some((r) => r.resource_id === 'stytch.member' && r.available_actions.includes('search')));
    assert.deepEqual(current.custom_roles, []);
    assert.deepEqual(current.custom_resources, []);
    await expectStytchError(seam.client.organizations.members.create({ organization_id: orgId, email_address: 'early@docs.example', roles: ['editor'] }),
      400, 'invalid_rbac_role_id');

    const set = await pwa('PUT', `${env}/rbac_policy`, { policy: editorPolicy(current) });
    assert.equal(set.status, 200, set.text);
    assert.match(set.json.request_id, /^request-id-/);
    assert.deepEqual(set.json.policy.custom_roles.map((r) => r.role_id), ['editor']);
    assert.deepEqual(set.json.policy.stytch_member, current.stytch_member);
    assert.deepEqual((await pwa('GET', `${env}/rbac_policy`)).json.policy, set.json.policy);

    // The B2B API (and so the SDK's local RBAC) publishes the new policy.
    const { policy } = await seam.client.rbac.policy();
    assert.deepEqual(policy.roles.map((r) => r.role_id), ['stytch_member', 'stytch_admin', 'editor']);
    assert.deepEqual(policy.resources.find((r) => r.resource_id === 'documents').actions, ['read', 'write', 'delete']);

    const ed = (await seam.client.organizations.members.create({ organization_id: orgId, email_address: 'ed@docs.example', roles: ['editor'] })).member_id;
    const pat = (await seam.client.organizations.members.create({ organization_id: orgId, email_address: 'pat@docs.example' })).member_id;
    const eds = await mintSession(seam, { org: orgId, member: ed });
    const pats = await mintSession(seam, { org: orgId, member: pat });
    const check = (s, action) => seam.client.sessions.authenticate({ session_token: s.session_token,
      authorization_check: { organization_id: orgId, resource_id: 'documents', action } });
    const ok = await check(eds, 'write');
    assert.deepEqual(ok.verdict.granting_roles, ['editor']);
    await expectStytchError(check(eds, 'delete'), 403, 'session_authorization_error');
    await expectStytchError(check(pats, 'read'), 403, 'session_authorization_error');

    // Invalid policies are refused with Stytch's error types; nothing changes.
    const bad = [
      [{ ...editorPolicy(current), custom_roles: [{ role_id: 'x', description: '', permissions: [{ resource_id: 'images', actions: ['read'] }] }] }, 'invalid_permission_resource'],
      [{ ...editorPolicy(current), custom_roles: [...editorPolicy(current).custom_roles, ...editorPolicy(current).custom_roles] }, 'rbac_role_duplicate'],
      [{ ...editorPolicy(current), stytch_admin: { ...current.stytch_admin, role_id: 'owner' } }, 'invalid_rbac_stytch_role_edit'],
      [{ ...editorPolicy(current), custom_resources: [{ resource_id: 'stytch.documents', description: '', available_actions: ['read'] }] }, 'invalid_stytch_prefixed_resource'],
    ];
    for (const [body, errorType] of bad) {
      const r = await pwa('PUT', `${env}/rbac_policy`, { policy: body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error_type, errorType);
    }
    assert.deepEqual((await pwa('GET', `${env}/rbac_policy`)).json.policy, set.json.policy);
    await check(eds, 'read');

    // Taking the role out applies to live sessions at once.
    const without = await pwa('PUT', `${env}/rbac_policy`, { policy: { ...editorPolicy(current), custom_roles: [] } });
    assert.equal(without.status, 200, without.text);
    await expectStytchError(check(eds, 'read'), 403, 'session_authorization_error');
    assert.deepEqual((await seam.client.rbac.policy()).policy.roles.map((r) => r.role_id), ['stytch_member', 'stytch_admin']);
  });

  it('another project keeps the deployment policy', async () => {
    const other = await seam.createProject({ name: 'Other RBAC' });
    const { policy } = await other.client.rbac.policy();
    assert.deepEqual(policy.roles.map((r) => r.role_id), ['stytch_member', 'stytch_admin']);
    assert.ok(!policy.resources.some((r) => r.resource_id === 'documents'));
    const got = await pwa('GET', `/pwa/v3/projects/${other.projectId}/environments/test/rbac_policy`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json.policy.custom_resources, []);
  });

  it('takes workspace keys only', async () => {
    const r = await seam.request('GET', `${env}/rbac_policy`);
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error_type, 'unauthorized_credentials');
    const missing = await pwa('GET', '/pwa/v3/projects/nope/environments/test/rbac_policy');
    assert.equal(missing.status, 404, missing.text);
  });
});
