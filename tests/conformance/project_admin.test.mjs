// Project administration on Stytch's Programmatic Workspace Actions API v3
// (/pwa/v3/...), against a running `seam serve`: changes apply at once,
// secrets rotate without downtime, and workspace keys are the only
// credentials the API accepts. See docs/project-administration.md.

import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachBackend, DEFAULT_REDIRECT_URL } from './harness.mjs';
import { generateKeyPair } from '../interop/samlify-idp/keys.mjs';

describeEachBackend('project administration (PWA v3)', (seam) => {
  let key; // { projectId: key_id, secret } so that seam.request sends it as Basic auth
  let env; // /pwa/v3/projects/{project_slug}/environments/{environment_slug}
  let connId;

  const cliJSON = async (args) => JSON.parse((await seam.cli(args)).stdout);

  before(async () => {
    const created = await cliJSON(['workspace-key', 'create', '--json']);
    assert.deepEqual(Object.keys(created).sort(), ['key_id', 'secret']);
    key = { projectId: created.key_id, secret: created.secret };
    // A project made with `seam project create` is its own Stytch project,
    // slugged by its project_id, with one environment slugged by its type.
    env = `/pwa/v3/projects/${seam.projectId}/environments/test`;

    const { organization } = await seam.client.organizations.create({ organization_name: 'Admin Org', organization_slug: 'admin-org' });
    const conn = await seam.client.sso.saml.createConnection({ organization_id: organization.organization_id, display_name: 'idp' });
    connId = conn.connection.connection_id;
    const { certificate } = generateKeyPair('admin conformance IdP');
    const updated = await seam.client.sso.saml.updateConnection({
      organization_id: organization.organization_id, connection_id: connId,
      idp_entity_id: 'https://idp.example/metadata', idp_sso_url: 'https://idp.example/sso', x509_certificate: certificate,
      attribute_mapping: { email: 'email', full_name: 'name' },
    });
    assert.equal(updated.connection.status, 'active');
  });

  const pwa = (method, path, body) => seam.request(method, path, { body, auth: key });
  const start = (params) =>
    seam.request('GET', `/v1/public/sso/start?${new URLSearchParams({ connection_id: connId, public_token: seam.publicToken, ...params })}`, { auth: false });

  it('a redirect URL added through the API is usable by the next login start', async () => {
    const url = 'https://app.example/after-login?tenant=1';
    const refused = await start({ login_redirect_url: url });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error_type, 'no_match_for_provided_sso_url');

    const added = await pwa('POST', `${env}/redirect_urls`, { url, valid_types: [{ type: 'LOGIN', is_default: true }, { type: 'SIGNUP', is_default: false }] });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json.redirect_url, { url, valid_types: [{ type: 'LOGIN', is_default: true }, { type: 'SIGNUP', is_default: false }] });
    assert.match(added.json.request_id, /^request-id-/);

    const ok = await start({ login_redirect_url: url });
    assert.equal(ok.status, 302, ok.text);
    assert.match(ok.headers.get('location'), /^https:\/\/idp\.example\/sso\?/);

    const all = await pwa('GET', `${env}/redirect_urls/all`);
    assert.equal(all.status, 200, all.text);
    const byURL = Object.fromEntries(all.json.redirect_urls.map((u) => [u.url, u.valid_types]));
    // The new URL took LOGIN's default from the one the project was created with; SIGNUP stayed.
    assert.deepEqual(byURL[DEFAULT_REDIRECT_URL], [{ type: 'LOGIN', is_default: false }, { type: 'SIGNUP', is_default: true }]);

    const got = await pwa('GET', `${env}/redirect_urls?url=${encodeURIComponent(url)}`);
    assert.equal(got.status, 200, got.text);
    const removed = await pwa('DELETE', `${env}/redirect_urls?url=${encodeURIComponent(url)}`);
    assert.equal(removed.status, 200, removed.text);
    const after = await start({ login_redirect_url: url });
    assert.equal(after.status, 400, 'a removed URL must be refused at once');
    // Its LOGIN default went back to the remaining URL.
    assert.equal((await start({})).status, 302);
  });

  it('rotates a secret without downtime, and the last one cannot be deleted', async () => {
    const old = { projectId: seam.projectId, secret: seam.secret };
    const listed = await pwa('GET', `${env}/secrets`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.secrets.length, 1);
    const oldID = listed.json.secrets[0].secret_id;

    const last = await pwa('DELETE', `${env}/secrets/${oldID}`);
    assert.equal(last.status, 400);
    assert.equal(last.json.error_type, 'cannot_delete_last_secret');

    const created = await pwa('POST', `${env}/secrets`);
    assert.equal(created.status, 200, created.text);
    const { secret_id: newID, secret } = created.json.secret;
    assert.match(newID, /^secret-test-/);
    const fresh = { projectId: seam.projectId, secret };

    // Both work at once, through the official SDK too.
    for (const creds of [old, fresh]) {
      const r = await seam.request('POST', '/v1/b2b/organizations/search', { body: {}, auth: creds });
      assert.equal(r.status, 200, r.text);
    }
    const viaSDK = await seam.clientFor(seam.projectId, secret).organizations.search({});
    assert.equal(viaSDK.status_code, 200);

    const masked = await pwa('GET', `${env}/secrets/${newID}`);
    assert.equal(masked.json.secret.last_four, secret.slice(-4));
    assert.equal(masked.json.secret.secret, undefined);

    const del = await pwa('DELETE', `${env}/secrets/${oldID}`);
    assert.equal(del.status, 200, del.text);
    const refused = await seam.request('POST', '/v1/b2b/organizations/search', { body: {}, auth: old });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error_type, 'unauthorized_credentials');
    const still = await seam.request('POST', '/v1/b2b/organizations/search', { body: {}, auth: fresh });
    assert.equal(still.status, 200);
    seam.secret = secret; // later tests use the surviving secret
  });

  it('refuses anything but a valid workspace key', async () => {
    const revokedKey = await cliJSON(['workspace-key', 'create', '--json']);
    await cliJSON(['workspace-key', 'revoke', '--key-id', revokedKey.key_id, '--json']);
    const cases = [
      ['no credentials', false],
      ['a project secret', { projectId: seam.projectId, secret: seam.secret }],
      ['a wrong secret', { projectId: key.projectId, secret: 'workspace-secret-prod-0000' }],
      ['an unknown key', { projectId: 'workspace-key-prod-00000000-0000-4000-8000-000000000000', secret: key.secret }],
      ['a revoked key', { projectId: revokedKey.key_id, secret: revokedKey.secret }],
    ];
    for (const [what, auth] of cases) {
      const r = await seam.request('GET', '/pwa/v3/projects', { auth });
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.equal(r.json.error_type, 'unauthorized_credentials', what);
      assert.equal(r.json.status_code, 401);
      assert.match(r.json.request_id, /^request-id-/);
    }
    const wrongWay = await seam.request('POST', '/v1/b2b/organizations/search', { body: {}, auth: key });
    assert.equal(wrongWay.status, 401, 'a workspace key is not a project secret');
    const ok = await pwa('GET', '/pwa/v3/projects');
    assert.equal(ok.status, 200);
    assert.ok(ok.json.projects.some((p) => p.project_slug === seam.projectId && p.vertical === 'B2B'));
  });

  it('answers bad input with 4xx and Stytch error types', async () => {
    const cases = [
      ['GET', '/pwa/v3/projects/no-such-project', undefined, 404, 'project_not_found'],
      ['GET', `/pwa/v3/projects/${seam.projectId}/environments/staging/secrets`, undefined, 404, 'environment_not_found'],
      ['POST', `${env}/redirect_urls`, { url: 'javascript:alert(1)' }, 400, 'invalid_redirect_url'],
      ['POST', `${env}/redirect_urls`, { url: 'https://a.example/', valid_types: [{ type: 'RESET' }] }, 400, 'invalid_redirect_url_type'],
      ['POST', `${env}/redirect_urls`, '{"url": ', 400, 'invalid_request_body'],
      ['PUT', `${env}/redirect_urls?url=${encodeURIComponent('https://nope.example/')}`, {}, 404, 'redirect_url_not_found'],
      ['DELETE', `${env}/secrets/secret-test-nope`, undefined, 404, 'secret_not_found'],
      ['POST', '/pwa/v3/projects', { name: 'x', vertical: 'CONSUMER' }, 400, 'invalid_vertical'],
    ];
    for (const [method, path, body, status, type] of cases) {
      const r = await pwa(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.error_type, type, `${method} ${path}`);
    }
  });

  it('creates a Stytch project with test and live environments, each its own Seam project', async () => {
    const p = await pwa('POST', '/pwa/v3/projects', { name: 'Made by PWA', vertical: 'B2B', project_slug: 'made-by-pwa' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.project.project_slug, 'made-by-pwa');
    const envs = await pwa('GET', '/pwa/v3/projects/made-by-pwa/environments');
    assert.deepEqual(envs.json.environments.map((e) => e.type).sort(), ['LIVE', 'TEST']);
    const live = envs.json.environments.find((e) => e.type === 'LIVE');
    assert.match(live.project_id, /^project-live-/);
    const secret = await pwa('POST', `/pwa/v3/projects/made-by-pwa/environments/${live.environment_slug}/secrets`);
    const client = seam.clientFor(live.project_id, secret.json.secret.secret);
    const org = await client.organizations.create({ organization_name: 'Live Org', organization_slug: 'live-org' });
    assert.match(org.organization.organization_id, /^organization-live-/);
  });
});
