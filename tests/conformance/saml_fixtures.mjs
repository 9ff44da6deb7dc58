// Key material and a local IdP metadata server for sso_saml.test.mjs.
//
// Node can generate keys but not X.509 certificates, so every certificate
// (and every private key whose PEM flavour matters) is made by the openssl
// command line: `openssl req -x509` for certificates, `openssl genrsa
// -traditional` for PKCS#1 ("BEGIN RSA PRIVATE KEY", what Stytch accepts) and
// `openssl genpkey` for PKCS#8 ("BEGIN PRIVATE KEY", what it refuses).

import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** A temporary directory of openssl outputs; remove() deletes it. */
export class KeyShop {
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'seam-saml-conf-'));
    this.n = 0;
  }

  file(name) {
    return path.join(this.dir, `${this.n++}-${name}`);
  }

  run(args) {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** PKCS#1 RSA private key PEM ("-----BEGIN RSA PRIVATE KEY-----"). */
  pkcs1Key(bits = 2048) {
    const f = this.file('pkcs1.pem');
    this.run(['genrsa', '-traditional', '-out', f, String(bits)]);
    return { path: f, pem: readFileSync(f, 'utf8') };
  }

  /** PKCS#8 RSA private key PEM ("-----BEGIN PRIVATE KEY-----"). */
  pkcs8Key() {
    const f = this.file('pkcs8.pem');
    this.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f]);
    return { path: f, pem: readFileSync(f, 'utf8') };
  }

  /** SEC 1 EC private key PEM ("-----BEGIN EC PRIVATE KEY-----"). */
  ecKey() {
    const f = this.file('ec.pem');
    this.run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f]);
    return { path: f, pem: readFileSync(f, 'utf8') };
  }

  /**
   * A self-signed certificate. keyPath reuses a key (certificates of one key
   * still differ by serial and subject); otherwise a new RSA key is made.
   * san adds a subjectAltName (e.g. 'IP:127.0.0.1' for a TLS server).
   */
  cert({ cn, keyPath, days = 30, san } = {}) {
    const certPath = this.file('cert.pem');
    const args = ['req', '-x509', '-days', String(days), '-subj', `/CN=${cn}`, '-out', certPath];
    if (keyPath) {
      args.push('-key', keyPath);
    } else {
      keyPath = this.file('key.pem');
      args.push('-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath);
    }
    if (san) args.push('-addext', `subjectAltName=${san}`);
    this.run(args);
    const pem = readFileSync(certPath, 'utf8');
    return { path: certPath, keyPath, pem, b64: certBase64(pem), key: readFileSync(keyPath, 'utf8') };
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The base64 DER body of a PEM certificate (what metadata's X509Certificate holds). */
export function certBase64(pem) {
  return pem.replace(/-----[A-Z ]+-----|\s/g, '');
}

/** DER bytes of a PEM certificate, to compare certificates whatever their PEM line breaks. */
export function certDER(pem) {
  return new X509Certificate(pem).raw;
}

/** SPKI DER of a certificate's public key. */
export function certSPKI(pem) {
  return new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
}

/** SPKI DER of a private key's public half. */
export function keySPKI(privatePem) {
  return createPublicKey(privatePem).export({ type: 'spki', format: 'der' });
}

/** The base64 lines of a PEM private key body, any of which must never appear in a response. */
export function keyFragments(privatePem) {
  return privatePem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .filter((l) => l.length >= 40);
}

/** IdP metadata (an EntityDescriptor with one IDPSSODescriptor). */
export function idpMetadata({ entityID, redirectURL, postURL, certs = [] }) {
  const kd = certs
    .map((c) => `    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('\n');
  const sso = [];
  if (postURL) sso.push(`    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${postURL}"/>`);
  if (redirectURL) sso.push(`    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${redirectURL}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityID}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
${kd}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
${sso.join('\n')}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/**
 * An https server on 127.0.0.1 (port 0 = any) answering from a route table:
 * routes.set(path, (req, res) => ...). Unknown paths answer 404. It counts
 * the requests that reached it, per path and in total.
 */
export async function startHTTPS({ key, cert }) {
  const routes = new Map();
  const hits = new Map();
  let total = 0;
  const sockets = new Set();
  const server = https.createServer({ key, cert }, (req, res) => {
    total++;
    const p = new URL(req.url, 'https://x').pathname;
    hits.set(p, (hits.get(p) || 0) + 1);
    const h = routes.get(p);
    if (!h) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    h(req, res);
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    routes,
    hits: (p) => (p === undefined ? total : hits.get(p) || 0),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const require = createRequire(import.meta.url);

/**
 * The declared JS types of an interface's fields in the installed SDK's
 * .d.ts: {field: 'string' | 'boolean' | 'number' | 'array' | 'object'};
 * fields of other types (unions, named objects) are left out.
 */
export function sdkFieldTypes(module, iface) {
  let dir = path.dirname(require.resolve('stytch'));
  while (path.basename(dir) !== 'stytch') dir = path.dirname(dir);
  const src = readFileSync(path.join(dir, 'types', 'lib', module + '.d.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const m = src.match(new RegExp(`export interface ${iface} \\{\\n([\\s\\S]*?)\\n\\}`));
  if (!m) throw new Error(`interface ${iface} not found in ${module}.d.ts`);
  const out = {};
  for (const line of m[1].split('\n')) {
    const f = line.match(/^ {4}(\w+)\??: (.+);$/);
    if (!f) continue;
    const t = f[2];
    if (t === 'string' || t === 'boolean' || t === 'number') out[f[1]] = t;
    else if (t.endsWith('[]')) out[f[1]] = 'array';
    else if (t.startsWith('Record<')) out[f[1]] = 'object';
  }
  return out;
}
