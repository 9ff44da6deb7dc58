// A fresh RSA key and self-signed certificate for the IdP, made with the
// openssl command (Node can make keys but not X.509 certificates).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function generateKeyPair(commonName = 'samlify IdP') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'samlify-idp-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
        '-days', '2', '-subj', `/CN=${commonName}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`generating the IdP key with openssl failed (is openssl installed?): ${e.stderr || e.message}`);
    }
    return { privateKey: readFileSync(key, 'utf8'), certificate: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
