// RBAC through the official SDK: client.rbac.* (project policy, organization
// custom roles) and the `authorization` option of every SSO management
// method, with session tokens and session JWTs minted by `seam session create`.
//
// What stytch 14.2.0 sends (node_modules/stytch/dist/b2b/rbac.js, rbac_organizations.js,
// shared/method_options.js):
//   rbac.policy                          GET /v1/b2b/rbac/policy
//   rbac.organizations.getOrgPolicy      GET /v1/b2b/rbac/organizations/{organization_id}
//   rbac.organizations.setOrgPolicy      PUT /v1/b2b/rbac/organizations/{organization_id}  {org_policy}
//   options.authorization.session_token -> X-Stytch-Member-Session
//   options.authorization.session_jwt   -> X-Stytch-Member-SessionJWT
// on sso.getConnections, sso.deleteConnection, sso.saml.{createConnection, updateConnection, updateByURL,
// deleteVerificationCertificate, deleteEncryptionPrivateKey}, sso.oidc.{createConnection, updateConnection},
// sso.external.{createConnection, updateConnection}.
//
// The metadata URL for updateByURL is served over TLS on 127.0.0.1, so the server runs with
// SEAM_OUTBOUND_ALLOW=127.0.0.0/8 and the server's certificate in SEAM_OUTBOUND_CA_FILE.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describeEachBackend, expectStytchError } from './harness.mjs';
import { mintSession } from './session_cli.mjs';

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

// A certificate for 127.0.0.1 (Node cannot make X.509 certificates; openssl
// can). It serves the metadata and doubles as the IdP signing certificate.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'seam-rbac-'));
const keyFile = path.join(tmp, 'key.pem');
const certFile = path.join(tmp, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
  '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
const CERT = readFileSync(certFile, 'utf8');
const CERT_B64 = CERT.replace(/-----[A-Z ]+-----|\s/g, '');
// A PKCS#1 key for saml_encryption_private_key.
const ENC_KEY = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/rbac">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>${CERT_B64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/rbac/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
const mdServer = https.createServer({ key: readFileSync(keyFile), cert: CERT }, (req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' }).end(metadata);
});
await new Promise((resolve) => mdServer.listen(0, '127.0.0.1', resolve));
const METADATA_URL = `https://127.0.0.1:${mdServer.address().port}/metadata`;
after(() => {
  mdServer.close();
  rmSync(tmp, { recursive: true, force: true });
});

describeEachBackend('rbac', (seam) => {
  let org; // slug of the organization every SSO call targets
  let orgId;
  let other; // slug of another organization
  const s = {}; // sessions by principal

  before(async () => {
    org = uid('rbac');
    other = uid('rbac-other');
    orgId = (await seam.client.organizations.create({ organization_name: 'RBAC Co', organization_slug: org })).organization.organization_id;
    await seam.client.organizations.create({ organization_name: 'Other Co', organization_slug: other });
    await seam.client.rbac.organizations.setOrgPolicy({ organization_id: orgId, org_policy: { roles: [
      { role_id: 'sso-reader', description: 'Reads SSO settings', permissions: [{ resource_id: 'stytch.sso', actions: ['get'] }] },
    ] } });
    const member = async (o, email, roles) =>
      (await seam.client.organizations.members.create({ organization_id: o, email_address: email, roles })).member_id;
    const admin = await member(org, 'admin@rbac.example', ['stytch_admin']);
    s.admin = await mintSession(seam, { org, member: admin });
    s.plain = await mintSession(seam, { org, member: await member(org, 'plain@rbac.example', []) });
    s.reader = await mintSession(seam, { org, member: await member(org, 'reader@rbac.example', ['sso-reader']) });
    s.otherAdmin = await mintSession(seam, { org: other, member: await member(other, 'admin@other.example', ['stytch_admin']) });
    s.revoked = await mintSession(seam, { org, member: admin });
    await seam.client.sessions.revoke({ session_token: s.revoked.session_token });
  });

  describe('policies', () => {
    it('publishes the project policy with the reserved resources', async () => {
      const { policy } = await seam.client.rbac.policy();
      assert.deepEqual(policy.roles.map((r) => r.role_id), ['stytch_member', 'stytch_admin']);
      const sso = policy.resources.find((r) => r.resource_id === 'stytch.sso');
      assert.deepEqual(sso.actions, ['create', 'get', 'update', 'delete']);
      for (const id of ['stytch.organization', 'stytch.member', 'stytch.self']) assert.ok(policy.resources.some((r) => r.resource_id === id), id);
      assert.deepEqual(policy.scopes, []);
    });

    it('stores organization custom roles and refuses invalid ones', async () => {
      const id = (await seam.client.organizations.create({ organization_name: 'Roles Co', organization_slug: uid('roles') })).organization.organization_id;
      assert.deepEqual((await seam.client.rbac.organizations.getOrgPolicy({ organization_id: id })).org_policy, { roles: [] });
      const roles = [{ role_id: 'auditor', description: 'Reads members', permissions: [{ resource_id: 'stytch.member', actions: ['search'] }] }];
      const set = await seam.client.rbac.organizations.setOrgPolicy({ organization_id: id, org_policy: { roles } });
      assert.deepEqual(set.org_policy.roles, roles);
      assert.deepEqual((await seam.client.rbac.organizations.getOrgPolicy({ organization_id: id })).org_policy.roles, roles);
      await expectStytchError(seam.client.rbac.organizations.setOrgPolicy({ organization_id: id, org_policy: { roles: [
        { role_id: 'stytch_superuser', description: '', permissions: [{ resource_id: 'stytch.sso', actions: ['*'] }] }] } }),
      400, 'invalid_rbac_stytch_role_edit');
      await expectStytchError(seam.client.rbac.organizations.setOrgPolicy({ organization_id: id, org_policy: { roles: [
        { role_id: 'r', description: '', permissions: [{ resource_id: 'stytch.sso', actions: ['teleport'] }] }] } }),
      400, 'invalid_permission_action');
      assert.deepEqual((await seam.client.rbac.organizations.getOrgPolicy({ organization_id: id })).org_policy.roles, roles);
    });
  });

  describe('the authorization option on every SSO method', () => {
    const sso = () => seam.client.sso;
    const samlConn = async () => (await sso().saml.createConnection({ organization_id: org, display_name: 'RBAC' })).connection.connection_id;
    const oidcConn = async () => (await sso().oidc.createConnection({ organization_id: org, display_name: 'RBAC' })).connection.connection_id;
    const oidcSource = async () => {
      const id = (await sso().oidc.createConnection({ organization_id: other, display_name: 'Source' })).connection.connection_id;
      await sso().oidc.updateConnection({ organization_id: other, connection_id: id, issuer: 'https://idp.example.com', client_id: 'c',
        client_secret: 's', authorization_url: 'https://idp.example.com/a', token_url: 'https://idp.example.com/t',
        userinfo_url: 'https://idp.example.com/u', jwks_url: 'https://idp.example.com/j' });
      return id;
    };

    // Each method: the stytch.sso action it needs, and prepare() -> call(options),
    // a call that succeeds when authorized; prepare runs again for every call
    // when `consumes` is set.
    const methods = {
      'sso.getConnections': { action: 'get', prepare: async () => (o) => sso().getConnections({ organization_id: org }, o) },
      'sso.deleteConnection': { action: 'delete', consumes: true, prepare: async () => {
        const id = await oidcConn();
        return (o) => sso().deleteConnection({ organization_id: org, connection_id: id }, o);
      } },
      'sso.saml.createConnection': { action: 'create', prepare: async () => (o) => sso().saml.createConnection({ organization_id: org, display_name: 'New' }, o) },
      'sso.saml.updateConnection': { action: 'update', prepare: async () => {
        const id = await samlConn();
        return (o) => sso().saml.updateConnection({ organization_id: org, connection_id: id, display_name: 'Renamed' }, o);
      } },
      'sso.saml.updateByURL': { action: 'update', prepare: async () => {
        const id = await samlConn();
        return (o) => sso().saml.updateByURL({ organization_id: org, connection_id: id, metadata_url: METADATA_URL }, o);
      } },
      'sso.saml.deleteVerificationCertificate': { action: 'delete', consumes: true, prepare: async () => {
        const id = await samlConn();
        const c = (await sso().saml.updateConnection({ organization_id: org, connection_id: id, x509_certificate: CERT })).connection;
        const certificate_id = c.verification_certificates[0].certificate_id;
        return (o) => sso().saml.deleteVerificationCertificate({ organization_id: org, connection_id: id, certificate_id }, o);
      } },
      'sso.saml.deleteEncryptionPrivateKey': { action: 'delete', consumes: true, prepare: async () => {
        const id = await samlConn();
        const c = (await sso().saml.updateConnection({ organization_id: org, connection_id: id, saml_encryption_private_key: ENC_KEY })).connection;
        const private_key_id = c.encryption_private_keys[0].private_key_id;
        return (o) => sso().saml.deleteEncryptionPrivateKey({ organization_id: org, connection_id: id, private_key_id }, o);
      } },
      'sso.oidc.createConnection': { action: 'create', prepare: async () => (o) => sso().oidc.createConnection({ organization_id: org, display_name: 'New' }, o) },
      'sso.oidc.updateConnection': { action: 'update', prepare: async () => {
        const id = await oidcConn();
        return (o) => sso().oidc.updateConnection({ organization_id: org, connection_id: id, display_name: 'Renamed' }, o);
      } },
      'sso.external.createConnection': { action: 'create', consumes: true, prepare: async () => {
        const src = await oidcSource();
        return (o) => sso().external.createConnection({ organization_id: org, external_organization_id: other, external_connection_id: src, display_name: 'Ext' }, o);
      } },
      'sso.external.updateConnection': { action: 'update', prepare: async () => {
        const src = await oidcSource();
        const id = (await sso().external.createConnection({ organization_id: org, external_organization_id: other, external_connection_id: src, display_name: 'Ext' }))
          .connection.connection_id;
        return (o) => sso().external.updateConnection({ organization_id: org, connection_id: id, display_name: 'Renamed' }, o);
      } },
    };

    const principals = [
      { name: 'admin (session_token)', auth: () => ({ session_token: s.admin.session_token }), want: () => null },
      { name: 'admin (session_jwt)', auth: () => ({ session_jwt: s.admin.session_jwt }), want: () => null },
      { name: 'member without permission', auth: () => ({ session_token: s.plain.session_token }), want: () => [403, 'session_authorization_error'] },
      { name: 'member without permission (JWT)', auth: () => ({ session_jwt: s.plain.session_jwt }), want: () => [403, 'session_authorization_error'] },
      { name: 'custom role with only get', auth: () => ({ session_jwt: s.reader.session_jwt }),
        want: (action) => (action === 'get' ? null : [403, 'session_authorization_error']) },
      { name: 'admin of another organization', auth: () => ({ session_jwt: s.otherAdmin.session_jwt }), want: () => [403, 'session_authorization_tenancy_error'] },
      { name: 'revoked session', auth: () => ({ session_token: s.revoked.session_token }), want: () => [404, 'session_not_found'] },
      { name: 'forged JWT', auth: () => ({ session_jwt: forge(s.plain.session_jwt) }), want: () => [401, 'unable_to_parse_session_jwt'] },
    ];

    for (const [method, m] of Object.entries(methods)) {
      it(method, async () => {
        const shared = await m.prepare();
        for (const p of principals) {
          const want = p.want(m.action);
          if (want === null) {
            const call = m.consumes ? await m.prepare() : shared;
            const res = await call({ authorization: p.auth() });
            assert.equal(res.status_code, 200, `${p.name}: ${JSON.stringify(res)}`);
            continue;
          }
          const before = await snapshot();
          await expectStytchError(() => shared({ authorization: p.auth() }), ...want).catch((e) => {
            e.message = `${method} as ${p.name}: ${e.message}`;
            throw e;
          });
          assert.deepEqual(await snapshot(), before, `${method} as ${p.name} changed state`);
        }
      });
    }

    async function snapshot() {
      const strip = ({ request_id, ...rest }) => rest; // eslint-disable-line no-unused-vars
      return [strip(await seam.client.sso.getConnections({ organization_id: org })), strip(await seam.client.sso.getConnections({ organization_id: other }))];
    }
  });

  describe('the authorization option on organization methods', () => {
    it('needs the per-field stytch.organization actions', async () => {
      await expectStytchError(seam.client.organizations.update({ organization_id: orgId, organization_name: 'Renamed' },
        { authorization: { session_token: s.plain.session_token } }), 403, 'session_authorization_error');
      await expectStytchError(seam.client.organizations.update({ organization_id: orgId, organization_name: 'Renamed' },
        { authorization: { session_jwt: s.otherAdmin.session_jwt } }), 403, 'session_authorization_tenancy_error');
      await expectStytchError(seam.client.organizations.update({ organization_id: orgId, trusted_metadata: { a: 1 } },
        { authorization: { session_token: s.admin.session_token } }), 401, 'cannot_update_trusted_metadata');
      const res = await seam.client.organizations.update({ organization_id: orgId, organization_name: 'Renamed', sso_jit_provisioning: 'RESTRICTED' },
        { authorization: { session_jwt: s.admin.session_jwt } });
      assert.equal(res.organization.organization_name, 'Renamed');
      await expectStytchError(seam.client.organizations.delete({ organization_id: orgId }, { authorization: { session_token: s.plain.session_token } }),
        403, 'session_authorization_error');
      assert.equal((await seam.client.organizations.get({ organization_id: orgId })).organization.organization_name, 'Renamed');
    });
  });
}, { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8', SEAM_OUTBOUND_CA_FILE: certFile } });

/** Rewrites a JWT's payload, keeping the signature. */
function forge(jwt) {
  const [h, p, sig] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims['https://stytch.com/session'].roles = ['stytch_member', 'stytch_admin'];
  return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), sig].join('.');
}
