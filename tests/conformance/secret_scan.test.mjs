// The log scan itself: it finds a planted secret, token, private key or
// SAML response in a log, whole or by slices, and ignores what it was not
// given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needles, remember, rememberObject, scanLog, watchSecrets } from './secret_scan.mjs';

const base = 'http://127.0.0.1:1';
const key = '-----BEGIN RSA PRIVATE KEY-----\n' + 'MIIEowIBAAKCAQEAx'.padEnd(64, 'Q') + '\n' + 'Z'.repeat(64) + '\n-----END RSA PRIVATE KEY-----\n';
const saml = 'PHNhbWxwOlJlc3BvbnNl' + 'A'.repeat(400) + 'PC9zYW1scDpSZXNwb25zZT4=';

test('needles', () => {
  assert.deepEqual(needles('secret-test-0123456789abcdef'), ['secret-test-0123456789abcdef']);
  assert.equal(needles(key).length, 2);
  assert.equal(needles(saml).length, 3);
});

const cases = [
  { name: 'project secret in a line', value: 'secret-test-abcdefABCDEF0123456789', log: 'level=INFO msg=x secret=secret-test-abcdefABCDEF0123456789\n', hit: true },
  { name: 'session JWT', value: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', log: 'jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\n', hit: true },
  { name: 'private key line', value: key, log: 'key=' + 'Z'.repeat(64) + '\n', hit: true },
  { name: 'slice of a SAML response', value: saml, log: 'body ' + saml.slice(100, 300) + '\n', hit: true },
  { name: 'webhook signing secret', value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', log: 'secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n', hit: true },
  { name: 'webhook signing key without its prefix', value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', log: 'key=MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n', hit: true },
  { name: 'clean log', value: 'secret-test-abcdefABCDEF0123456789', log: 'level=INFO msg=http route=/v1/b2b/organizations status=200\n', hit: false },
  { name: 'short placeholder ignored', value: 'nope', log: 'nope nope\n', hit: false },
];

for (const c of cases) {
  test(`scan: ${c.name}`, () => {
    watchSecrets(base);
    remember(base, c.value);
    const hits = scanLog(base, c.log);
    assert.equal(hits.length > 0, c.hit, hits.join('\n'));
    for (const h of hits) assert.ok(!h.includes(c.value), 'a hit report must not print the secret');
  });
}

test('scan: fields of CLI JSON output', () => {
  watchSecrets(base);
  rememberObject(base, { session_token: 'tok_0123456789abcdefghij', member_session_id: 'member-session-test-x' });
  assert.equal(scanLog(base, 'x tok_0123456789abcdefghij\n').length, 1);
});

test('scan: webhook signing secrets, under signing_secret or any key', () => {
  watchSecrets(base);
  rememberObject(base, { signing_secret: 'whsec_AAAAbbbbCCCCddddEEEEffff', endpoint: { note: 'whsec_GGGGhhhhIIIIjjjjKKKKllll' } });
  assert.equal(scanLog(base, 'a AAAAbbbbCCCCddddEEEEffff\nb whsec_GGGGhhhhIIIIjjjjKKKKllll\n').length, 2);
});
