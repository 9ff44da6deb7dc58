// SP-initiated SAML in a real browser, across sites: Debian's chromium
// (/usr/bin/chromium, headless) driven by playwright-core (installed by
// tests/interop/setup.sh into tests/interop/chromium), Seam on 127.0.0.1 and
// the samlify IdP on localhost. Browsers treat 127.0.0.1 and localhost as
// different sites, so the IdP's auto-posted SAMLResponse is a cross-site POST
// to the ACS: the login cookie set at /v1/public/sso/start travels with it
// only as `SameSite=None; Secure`, which browsers accept on http only on
// loopback hosts (secure contexts). With a Lax cookie this test fails at the
// ACS with missing_saml_csrf_cookie.
//
// The second case runs Seam with a plain-http base URL on a host that is not
// loopback (seam.test, mapped to 127.0.0.1 by chromium's host resolver
// rules): there the login cannot work, `seam serve` warns at start, and the
// failure page names the cause and the fix.
//
// Screenshots are written to tests/conformance/artifacts/ (gitignored); the
// paths are printed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { useSeam } from './harness.mjs';
import { generateKeyPair } from '../interop/samlify-idp/keys.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const CHROMIUM = process.env.SEAM_TEST_CHROMIUM || '/usr/bin/chromium';

let chromium;
let samlifyIdP;
try {
  ({ chromium } = createRequire(new URL('../interop/chromium/package.json', import.meta.url))('playwright-core'));
  samlifyIdP = await import('../interop/samlify-idp/idp.mjs');
} catch (e) {
  throw new Error(`playwright-core or the samlify IdP could not be loaded (run tests/interop/setup.sh): ${e.message}`);
}
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
}

const EMAIL = 'dana@browser.example.com';

// The application: a page on localhost that the login ends at (a redirect
// target cannot be answered by playwright's request routing). It records
// the URLs it was opened with.
const appHits = [];
const appServer = http.createServer((req, res) => {
  const u = new URL(req.url, APP_URL);
  if (u.pathname === '/authenticate') appHits.push(u);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>App</title><h1>Signed in to the application</h1><p>The SSO token is in the address bar.</p>');
});
await new Promise((resolve) => appServer.listen(0, '127.0.0.1', resolve));
const APP_URL = `http://localhost:${appServer.address().port}/authenticate`;
const APP = new URL(APP_URL);
after(() => new Promise((resolve) => appServer.close(() => resolve())));
const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

async function launch(extraArgs = []) {
  const args = [...extraArgs];
  // Chromium's sandbox needs user namespaces, which root in a container lacks.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`# screenshot: ${file}\n`);
  return file;
}

/**
 * Creates an organization and a SAML connection on seam, starts the samlify
 * IdP named by publicHost, and configures the connection from its metadata.
 */
async function samlSetup(seam, publicHost) {
  const { organization } = await seam.client.organizations.create({
    organization_name: 'Browser Co', organization_slug: uid('browser'), sso_jit_provisioning: 'ALL_ALLOWED',
  });
  const orgId = organization.organization_id;
  let conn = (await seam.client.sso.saml.createConnection({ organization_id: orgId, display_name: 'samlify' })).connection;
  const md = await seam.request('GET', `/v1/b2b/sso/saml/${orgId}/connections/${conn.connection_id}/metadata`);
  assert.equal(md.status, 200, md.text);
  const keys = generateKeyPair('samlify browser IdP');
  const idp = await samlifyIdP.startIdP(
    { spMetadata: md.text, privateKey: keys.privateKey, certificate: keys.certificate, user: { email: EMAIL, firstName: 'Dana', lastName: 'Browser', groups: [] } },
    { publicHost },
  );
  // Seam fetches the metadata over 127.0.0.1 (its outbound allow-list); the
  // metadata names the IdP at publicHost, where the browser goes.
  await seam.client.sso.saml.updateByURL({ organization_id: orgId, connection_id: conn.connection_id, metadata_url: idp.loopbackMetadataURL });
  conn = (await seam.client.sso.saml.updateConnection({
    organization_id: orgId, connection_id: conn.connection_id, attribute_mapping: samlifyIdP.ATTRIBUTE_MAPPING,
  })).connection;
  assert.equal(conn.status, 'active');
  assert.equal(conn.idp_sso_url, `${idp.url}/sso`);
  return { orgId, conn, idp };
}

/**
 * Opens startURL in a fresh browser context and follows the login. The
 * application is appServer, on localhost.
 * Resolves { page, landed (URL or null), startCookie (Set-Cookie of start) }.
 */
async function browse(browser, startURL) {
  const context = await browser.newContext();
  const page = await context.newPage();
  appHits.length = 0;
  let startCookie = null;
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname === '/v1/public/sso/start') startCookie = (await r.headerValue('set-cookie')) || '';
  });
  await page.goto(startURL);
  // start -> IdP /sso -> auto-post form -> ACS -> application (or Seam's error page).
  await page.waitForURL((u) => u.host === APP.host || u.pathname.startsWith('/v1/b2b/sso/callback/'), { timeout: 30000 });
  await page.waitForLoadState('load');
  return { context, page, landed: appHits.at(-1) ?? null, startCookie };
}

describe('SP-initiated SAML in chromium, Seam on 127.0.0.1 and the IdP on localhost', () => {
  const seam = useSeam({ backend: 'sqlite', redirectURLs: [APP_URL], env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
  let browser;
  let setup;

  before(async () => {
    browser = await launch();
    setup = await samlSetup(seam, 'localhost');
  });
  after(async () => {
    await browser?.close();
    await setup?.idp.close();
  });

  it('ends at the application with a token that sso.authenticate accepts', async () => {
    assert.match(seam.baseURL, /^http:\/\/127\.0\.0\.1:/);
    assert.match(setup.idp.url, /^http:\/\/localhost:/);
    const start = `${seam.baseURL}/v1/public/sso/start?${new URLSearchParams({ connection_id: setup.conn.connection_id, public_token: seam.publicToken })}`;
    const { context, page, landed, startCookie } = await browse(browser, start);
    const shot = await screenshot(page, 'saml-cross-site-login.png');

    assert.ok(landed, `the login did not reach the application; the browser shows ${page.url()}:\n${(await page.content()).slice(0, 1500)}\n(screenshot ${shot})`);
    // The cookie Seam set, and the browser kept, is SameSite=None; Secure.
    assert.match(startCookie, /seam_sso_[^=]+=1/);
    assert.match(startCookie, /SameSite=None/i);
    assert.match(startCookie, /;\s*Secure/i);
    assert.equal(landed.origin + landed.pathname, APP_URL);
    assert.equal(landed.searchParams.get('stytch_token_type'), 'sso');
    const token = landed.searchParams.get('token');
    assert.ok(token);
    assert.match(await page.textContent('h1'), /Signed in to the application/);
    // The ACS deleted the login cookie after use.
    assert.equal((await context.cookies(seam.baseURL + '/v1/b2b/sso/callback/' + setup.conn.connection_id)).filter((c) => c.name.startsWith('seam_sso_')).length, 0);
    await context.close();

    const r = await seam.client.sso.authenticate({ sso_token: token, session_duration_minutes: 60 });
    assert.equal(r.member.email_address, EMAIL);
    assert.equal(r.organization_id, setup.orgId);
    assert.ok(r.session_token);
  });
});

describe('SP-initiated SAML in chromium with a plain-http base URL on a non-loopback host', () => {
  // Seam's base URL is http://seam.test (port 80); chromium maps seam.test:80
  // to Seam's real loopback address, so the browser sees a plain-http site
  // that is not a secure context.
  const seam = useSeam({ backend: 'sqlite', redirectURLs: [APP_URL], env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8', SEAM_BASE_URL: 'http://seam.test' } });
  let browser;
  let setup;

  before(async () => {
    browser = await launch([`--host-resolver-rules=MAP seam.test:80 ${new URL(seam.baseURL).host}`]);
    setup = await samlSetup(seam, 'localhost');
  });
  after(async () => {
    await browser?.close();
    await setup?.idp.close();
  });

  it('warns at start, and the failure page names the cause and the fix', async () => {
    assert.match(seam.logs.text, /plain http on a host browsers do not treat as secure/);
    const start = `http://seam.test/v1/public/sso/start?${new URLSearchParams({ connection_id: setup.conn.connection_id, public_token: seam.publicToken })}`;
    const { context, page, landed, startCookie } = await browse(browser, start);
    await screenshot(page, 'saml-plain-http-failure.png');
    assert.equal(landed, null, 'a cross-site POST cannot carry a Lax cookie: this login should have failed');
    assert.match(startCookie, /SameSite=Lax/i);
    const body = await page.textContent('body');
    assert.match(body, /missing_saml_csrf_cookie/);
    assert.match(body, /SEAM_BASE_URL/);
    assert.match(body, /https/);
    assert.match(body, /localhost/);
    await context.close();
  });
});
