// No silent guesses, through the official SDK and raw HTTP:
//
// - SAML and OIDC connection objects carry `missing_settings` (Seam
//   extension): the settings a pending connection still needs;
//   docs/sso-connections.md.
// - GET /v1/public/sso/start on a pending connection lists them in
//   requires_active_sso_connection; no_match_for_provided_sso_url echoes the
//   URL received and lists the registered ones; docs/login.md.
// - A connection keeps the acs_url / audience_uri / redirect_url it was
//   created with when `seam serve` restarts with another SEAM_BASE_URL, and
//   the server warns with the count; docs/sso-connections.md ("Changing
//   SEAM_BASE_URL").

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEFAULT_REDIRECT_URL, describeEachBackend } from './harness.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

async function waitReady(baseURL) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(baseURL + '/readyz', { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${baseURL} not ready`);
}

describeEachBackend('no silent guesses', (seam) => {
  let orgId;
  let samlId;
  let oidcId;

  const start = (query) => fetch(`${seam.baseURL}/v1/public/sso/start?${new URLSearchParams({ public_token: seam.publicToken, ...query })}`, { redirect: 'manual' });

  it('pending connections list their missing settings', async () => {
    const { organization } = await seam.client.organizations.create({ organization_name: 'Guesses', organization_slug: uid('guesses') });
    orgId = organization.organization_id;
    const saml = (await seam.client.sso.saml.createConnection({ organization_id: orgId, display_name: 'IdP' })).connection;
    samlId = saml.connection_id;
    assert.equal(saml.status, 'pending');
    assert.deepEqual(saml.missing_settings, ['idp_sso_url', 'idp_entity_id', 'attribute_mapping', 'x509_certificate']);
    const updated = (await seam.client.sso.saml.updateConnection({
      organization_id: orgId, connection_id: samlId, idp_entity_id: 'https://idp.example/entity', idp_sso_url: 'https://idp.example/sso',
    })).connection;
    assert.deepEqual(updated.missing_settings, ['attribute_mapping', 'x509_certificate']);

    const oidc = (await seam.client.sso.oidc.createConnection({ organization_id: orgId, display_name: 'OP' })).connection;
    oidcId = oidc.connection_id;
    assert.deepEqual(oidc.missing_settings, ['issuer', 'client_id', 'client_secret', 'authorization_url', 'token_url', 'userinfo_url', 'jwks_url']);

    const listed = await seam.client.sso.getConnections({ organization_id: orgId });
    assert.deepEqual(listed.saml_connections.find((c) => c.connection_id === samlId).missing_settings, ['attribute_mapping', 'x509_certificate']);

    const r = await start({ connection_id: samlId });
    const body = await r.json();
    assert.equal(r.status, 400);
    assert.equal(body.error_type, 'requires_active_sso_connection');
    assert.match(body.error_message, /attribute_mapping, x509_certificate/);
  });

  it('a SEAM_BASE_URL change keeps existing connections where their IdPs were told', async () => {
    const acs = `${seam.baseURL}/v1/b2b/sso/callback/${samlId}`;
    const redirect = `${seam.baseURL}/v1/b2b/sso/callback/${oidcId}`;
    const mark = seam.logs.mark();
    await seam.killServer();
    seam.env.SEAM_BASE_URL = 'https://sso.example.com';
    seam.spawnServer();
    await waitReady(seam.baseURL);

    const after = await seam.client.sso.getConnections({ organization_id: orgId });
    const saml = after.saml_connections.find((c) => c.connection_id === samlId);
    const oidc = after.oidc_connections.find((c) => c.connection_id === oidcId);
    assert.equal(saml.acs_url, acs);
    assert.equal(saml.audience_uri, acs);
    assert.equal(oidc.redirect_url, redirect);
    const md = await seam.request('GET', `/v1/b2b/sso/saml/${orgId}/connections/${samlId}/metadata`);
    assert.equal(md.status, 200, md.text);
    assert.ok(md.text.includes(`entityID="${acs}"`), md.text);

    // New connections use the new base URL.
    const fresh = (await seam.client.sso.saml.createConnection({ organization_id: orgId, display_name: 'new' })).connection;
    assert.equal(fresh.acs_url, `https://sso.example.com/v1/b2b/sso/callback/${fresh.connection_id}`);

    const log = seam.logs.since(mark);
    assert.match(log, /another base URL than SEAM_BASE_URL/);
    assert.match(log, /connections=2\b/);
    assert.match(log, /alternative_acs_url/);
  });
});

describeEachBackend('redirect URL refusal', (seam) => {
  it('echoes the URL received and lists the registered ones', async () => {
    // The check runs after the connection is found active, so make one.
    const { organization } = await seam.client.organizations.create({ organization_name: 'Redirects', organization_slug: uid('redirects') });
    const { generateKeyPair } = await import('../interop/samlify-idp/keys.mjs');
    const keys = generateKeyPair('redirect refusal');
    const conn = (await seam.client.sso.saml.createConnection({ organization_id: organization.organization_id })).connection;
    const active = (await seam.client.sso.saml.updateConnection({
      organization_id: organization.organization_id, connection_id: conn.connection_id,
      idp_entity_id: 'https://idp.example/entity', idp_sso_url: 'https://idp.example/sso', x509_certificate: keys.certificate,
      attribute_mapping: { email: 'email', full_name: 'name' },
    })).connection;
    assert.equal(active.status, 'active');
    assert.deepEqual(active.missing_settings, []);
    const r = await fetch(`${seam.baseURL}/v1/public/sso/start?${new URLSearchParams({
      public_token: seam.publicToken, connection_id: conn.connection_id, login_redirect_url: 'https://evil.example/cb',
    })}`, { redirect: 'manual' });
    const body = await r.json();
    assert.equal(r.status, 400);
    assert.equal(body.error_type, 'no_match_for_provided_sso_url');
    assert.ok(body.error_message.includes('"https://evil.example/cb"'), body.error_message);
    assert.ok(body.error_message.includes(`"${DEFAULT_REDIRECT_URL}", "http://localhost:3000/signup"`), body.error_message);
  });
}, { redirectURLs: [DEFAULT_REDIRECT_URL, 'http://localhost:3000/signup'] });
