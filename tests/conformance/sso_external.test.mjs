// External connection management through the official SDK's
// client.sso.external.{createConnection, updateConnection},
// client.sso.getConnections and client.sso.deleteConnection.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/sso_external.js, sso.js):
//   sso.external.createConnection  POST /v1/b2b/sso/external/{organization_id}
//       body {external_organization_id, external_connection_id, display_name,
//             connection_implicit_role_assignments, group_implicit_role_assignments}
//   sso.external.updateConnection  PUT  /v1/b2b/sso/external/{organization_id}/connections/{connection_id}
//       body {display_name, external_connection_implicit_role_assignments,
//             external_group_implicit_role_assignments}       (seed 000)
//   sso.getConnections             GET  /v1/b2b/sso/{organization_id}   -> external_connections
//   sso.deleteConnection           DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}
// Response type: Connection in types/lib/b2b/sso.d.ts ("External connections
// are always active").

import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEachBackend, expectStytchError, sdkRequiredFields } from './harness.mjs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const EXTERNAL_ID = new RegExp(`^external-connection-test-${UUID}$`);
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

/** A self-signed IdP certificate (Node cannot make X.509 certificates; openssl can). */
function idpCertificate() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seam-ext-idp-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
      '-days', '2', '-subj', '/CN=External test IdP'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return readFileSync(cert, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const CERT = idpCertificate();

describeEachBackend('sso external connections', (seam) => {
  const org = async (name) => {
    const { organization } = await seam.client.organizations.create({ organization_name: name, organization_slug: uid(name.toLowerCase()) });
    return organization;
  };

  /** An active SAML connection in organizationId; withGroups maps a "groups" attribute. */
  const activeSAML = async (organizationId, withGroups = true) => {
    const id = (await seam.client.sso.saml.createConnection({ organization_id: organizationId, display_name: 'IdP' })).connection.connection_id;
    const mapping = { email: 'mail', full_name: 'cn', ...(withGroups ? { groups: 'memberOf' } : {}) };
    const { connection } = await seam.client.sso.saml.updateConnection({
      organization_id: organizationId, connection_id: id, idp_entity_id: `https://idp.example.com/${id}`,
      idp_sso_url: 'https://idp.example.com/sso', attribute_mapping: mapping, x509_certificate: CERT,
    });
    assert.equal(connection.status, 'active');
    return id;
  };

  /** An active OIDC connection; its issuer is unreachable, so the endpoints are explicit. */
  const activeOIDC = async (organizationId) => {
    const id = (await seam.client.sso.oidc.createConnection({ organization_id: organizationId })).connection.connection_id;
    const res = await seam.client.sso.oidc.updateConnection({
      organization_id: organizationId, connection_id: id, issuer: 'https://10.255.255.1/oidc', client_id: 'cid',
      client_secret: 'secret', authorization_url: 'https://idp.example.com/authorize', token_url: 'https://idp.example.com/token',
      userinfo_url: 'https://idp.example.com/userinfo', jwks_url: 'https://idp.example.com/jwks',
    });
    assert.equal(res.connection.status, 'active');
    return id;
  };

  let idp;
  let acme;
  let samlSource;
  before(async () => {
    idp = await org('IdP');
    acme = await org('Acme');
    samlSource = await activeSAML(idp.organization_id);
  });

  it('creates, lists, updates (seed 000) and deletes an external connection', async () => {
    const res = await seam.client.sso.external.createConnection({
      organization_id: acme.organization_id, external_organization_id: idp.organization_slug,
      external_connection_id: samlSource, display_name: 'Shared IdP',
      connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }],
      group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'admins' }],
    });
    assert.equal(res.status_code, 200);
    const c = res.connection;
    const missing = sdkRequiredFields('b2b/sso', 'Connection').filter((k) => !(k in c));
    assert.deepEqual(missing, []);
    assert.match(c.connection_id, EXTERNAL_ID);
    assert.equal(c.organization_id, acme.organization_id);
    assert.equal(c.external_organization_id, idp.organization_id);
    assert.equal(c.external_connection_id, samlSource);
    assert.equal(c.status, 'active');
    assert.equal(c.display_name, 'Shared IdP');
    assert.deepEqual(c.external_connection_implicit_role_assignments, [{ role_id: 'stytch_admin' }]);
    assert.deepEqual(c.external_group_implicit_role_assignments, [{ role_id: 'stytch_admin', group: 'admins' }]);

    const list = await seam.client.sso.getConnections({ organization_id: acme.organization_id });
    assert.deepEqual(list.external_connections, [c]);
    assert.deepEqual(list.saml_connections, []);

    const upd = await seam.client.sso.external.updateConnection({
      organization_id: acme.organization_slug, connection_id: c.connection_id, display_name: 'Renamed',
      external_connection_implicit_role_assignments: [],
      external_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'ops' }],
    });
    assert.equal(upd.status_code, 200);
    assert.equal(upd.connection.display_name, 'Renamed');
    assert.equal(upd.connection.status, 'active');
    assert.deepEqual(upd.connection.external_connection_implicit_role_assignments, []);
    assert.deepEqual(upd.connection.external_group_implicit_role_assignments, [{ role_id: 'stytch_admin', group: 'ops' }]);
    // Partial: only display_name; the roles stay.
    const partial = await seam.client.sso.external.updateConnection({
      organization_id: acme.organization_id, connection_id: c.connection_id, display_name: 'Again',
    });
    assert.deepEqual(partial.connection.external_group_implicit_role_assignments, [{ role_id: 'stytch_admin', group: 'ops' }]);

    const del = await seam.client.sso.deleteConnection({ organization_id: acme.organization_id, connection_id: c.connection_id });
    assert.equal(del.connection_id, c.connection_id);
    assert.deepEqual((await seam.client.sso.getConnections({ organization_id: acme.organization_id })).external_connections, []);
    await expectStytchError(
      seam.client.sso.external.updateConnection({ organization_id: acme.organization_id, connection_id: c.connection_id, display_name: 'x' }),
      404, 'external_connection_not_found');
  });

  it('deletes the external connection with its source', async () => {
    const src = await activeSAML(idp.organization_id, false);
    const target = await org('Cascade');
    const c = (await seam.client.sso.external.createConnection({
      organization_id: target.organization_id, external_organization_id: idp.organization_id, external_connection_id: src,
    })).connection;
    assert.equal((await seam.client.sso.getConnections({ organization_id: target.organization_id })).external_connections.length, 1);
    await seam.client.sso.deleteConnection({ organization_id: idp.organization_id, connection_id: src });
    assert.deepEqual((await seam.client.sso.getConnections({ organization_id: target.organization_id })).external_connections, []);
    await expectStytchError(
      seam.client.sso.external.updateConnection({ organization_id: target.organization_id, connection_id: c.connection_id, display_name: 'x' }),
      404, 'external_connection_not_found');
  });

  it('refuses implicit roles when the source is an OIDC connection', async () => {
    const src = await activeOIDC(idp.organization_id);
    const target = await org('ViaOIDC');
    await expectStytchError(seam.client.sso.external.createConnection({
      organization_id: target.organization_id, external_organization_id: idp.organization_id, external_connection_id: src,
      group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'admins' }],
    }), 400, 'invalid_rbac_role_assignment');
    const c = (await seam.client.sso.external.createConnection({
      organization_id: target.organization_id, external_organization_id: idp.organization_id, external_connection_id: src,
    })).connection;
    assert.equal(c.status, 'active');
    await expectStytchError(seam.client.sso.external.updateConnection({
      organization_id: target.organization_id, connection_id: c.connection_id,
      external_group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'admins' }],
    }), 400, 'invalid_rbac_role_assignment');
  });

  it('enforces the source and role rules', async () => {
    const target = await org('Rules');
    const create = (fields) => seam.client.sso.external.createConnection({
      organization_id: target.organization_id, external_organization_id: idp.organization_id, external_connection_id: samlSource, ...fields,
    });
    await expectStytchError(create({ external_organization_id: target.organization_slug }), 400, 'external_organization_id_same_as_organization_id');
    await expectStytchError(create({ external_organization_id: 'no-such-org' }), 404, 'organization_not_found');
    await expectStytchError(create({ external_connection_id: 'saml-connection-test-00000000-0000-4000-8000-000000000000' }), 404, 'external_connection_id_not_found');
    const pending = (await seam.client.sso.saml.createConnection({ organization_id: idp.organization_id })).connection.connection_id;
    await expectStytchError(create({ external_connection_id: pending }), 400, 'external_connection_not_active');
    const noGroups = await activeSAML(idp.organization_id, false);
    await expectStytchError(create({ external_connection_id: noGroups, group_implicit_role_assignments: [{ role_id: 'stytch_admin', group: 'g' }] }),
      400, 'saml_connection_attribute_mapping_missing_groups_key');
    await expectStytchError(create({ connection_implicit_role_assignments: [{ role_id: 'no_such_role' }] }), 400, 'invalid_rbac_role_id');
    await expectStytchError(create({ connection_implicit_role_assignments: [{ role_id: 'stytch_member' }] }), 400, 'cannot_assign_default_rbac_role_id');
    assert.deepEqual((await seam.client.sso.getConnections({ organization_id: target.organization_id })).external_connections, []);

    await create({});
    await expectStytchError(create({}), 400, 'duplicate_external_sso_connection');
    const ext = (await seam.client.sso.getConnections({ organization_id: target.organization_id })).external_connections;
    assert.equal(ext.length, 1);
    // An external connection cannot be the source of another one.
    const third = await org('Third');
    await expectStytchError(seam.client.sso.external.createConnection({
      organization_id: third.organization_id, external_organization_id: target.organization_id, external_connection_id: ext[0].connection_id,
    }), 404, 'external_connection_id_not_found');
  });
});
