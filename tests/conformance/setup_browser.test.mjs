// The setup page (docs/setup-portal.md) in a real browser, as an IT admin
// holding only the link uses it: Debian's chromium (/usr/bin/chromium,
// headless) driven by playwright-core, Seam on 127.0.0.1 and the IdPs on
// localhost (another site, as a real IdP is).
//
// SAML, against the samlify IdP (tests/interop/samlify-idp): open the link,
// create a connection with the Microsoft Entra ID guide (samlify sends
// Entra-style claim names), give the IdP Seam's SP metadata, load the IdP's
// metadata from its URL, save the guide's default attribute mapping, see
// "active", run the test sign-in in a new tab and see it succeed with the
// attributes received; then the IdP's signing key changes (a rollover Seam
// was not told about) and the next test shows the typed certificate
// mismatch, the value seen against the value expected, and a link to the
// guide step that fixes it.
//
// OIDC, against oidc-provider (tests/interop/oidc-op): create the
// connection, register Seam's redirect URL at the provider, enter issuer,
// client ID and secret (discovery fills the endpoints), test: success; a
// wrong client secret: the typed refusal of the token endpoint.
//
// Every page load is checked for Content-Security-Policy violations, and a
// connection page is read again with JavaScript switched off.
// Screenshots go to tests/conformance/artifacts/ (gitignored); docs/img/
// holds copies for docs/setup-portal.md.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { backends, useSeam } from './harness.mjs';
import { generateKeyPair } from '../interop/samlify-idp/keys.mjs';
import { remember } from './secret_scan.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const CHROMIUM = process.env.SEAM_TEST_CHROMIUM || '/usr/bin/chromium';

let chromium;
let samlifyIdP;
let oidcOP;
try {
  ({ chromium } = createRequire(new URL('../interop/chromium/package.json', import.meta.url))('playwright-core'));
  samlifyIdP = await import('../interop/samlify-idp/idp.mjs');
  oidcOP = await import('../interop/oidc-op/op.mjs');
} catch (e) {
  throw new Error(`playwright-core or an interop IdP could not be loaded (run tests/interop/setup.sh): ${e.message}`);
}
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
}

const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

async function launch() {
  const args = [];
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

/** Records CSP violations and page errors of every page of a context. */
function watchViolations(context) {
  const problems = [];
  const attach = (page) => {
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  };
  context.pages().forEach(attach);
  context.on('page', attach);
  return problems;
}

async function newSetupLink(seam, orgId) {
  const r = await seam.request('POST', `/v1/b2b/sso/setup_links/${orgId}`, { body: { expires_in_minutes: 60 } });
  assert.equal(r.status, 200, r.text);
  // The link's secret joins the secrets the harness looks for in the
  // server's whole log at stop (secret_scan.mjs): it must never be logged.
  remember(seam.baseURL, new URL(r.json.url).pathname.split('/')[2]);
  return r.json.url;
}

/** Clicks the test button; the outcome opens in a new tab. */
async function runTest(context, page) {
  const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#run-test')]);
  await tab.waitForURL(/\/tests\/sso-login-attempt-/, { timeout: 30000 });
  await tab.waitForLoadState('load');
  return tab;
}

async function status(page) {
  return (await page.textContent('#status')).trim();
}

for (const backend of backends) {
  describe(`setup page in chromium [${backend}]`, () => {
    const seam = useSeam({ backend, env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } });
    let browser;
    const closers = [];
    before(async () => {
      browser = await launch();
    });
    after(async () => {
      for (const c of closers.reverse()) await c();
      await browser?.close();
    });

    it('takes a SAML connection from nothing to a successful test, then shows a certificate mismatch', async () => {
      const { organization } = await seam.client.organizations.create({ organization_name: 'Setup Co', organization_slug: uid('setup') });
      const link = await newSetupLink(seam, organization.organization_id);
      assert.match(seam.baseURL, /^http:\/\/127\.0\.0\.1:/);

      const context = await browser.newContext();
      const problems = watchViolations(context);
      const page = await context.newPage();
      await page.goto(link);
      assert.match(await page.textContent('h1'), /Set up single sign-on for Setup Co/);
      await screenshot(page, `setup-home-${backend}.png`);

      await page.check('input[name=kind][value=saml]');
      await page.selectOption('#guide', 'entra');
      await Promise.all([page.waitForURL(/\/connections\/saml-connection-/), page.click('form.start button[type=submit]')]);
      assert.equal(await status(page), 'pending');
      assert.match(await page.textContent('#missing'), /idp_sso_url/);
      assert.match(await page.textContent('.guide h2'), /Microsoft Entra ID/);
      assert.match(await page.textContent('.values'), /Reply URL \(Assertion Consumer Service URL\)/);
      await screenshot(page, `setup-saml-pending-${backend}.png`);

      // The copy button works (clipboard permission granted to this origin).
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: seam.baseURL });
      await page.click('button[data-copy="v-acs-url"]');
      const acs = await page.inputValue('#v-acs-url');
      assert.match(acs, /\/v1\/b2b\/sso\/callback\/saml-connection-/);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), acs);

      // The IdP is given Seam's SP metadata from its public URL.
      const mdURL = await page.inputValue('#v-metadata-url');
      const spMetadata = await (await fetch(mdURL)).text();
      assert.match(spMetadata, /EntityDescriptor/);
      const user = { email: 'ines@setup.example.com', firstName: 'Ines', lastName: 'Admin', groups: ['it'] };
      let keys = generateKeyPair('samlify setup IdP');
      let idp = await samlifyIdP.startIdP({ spMetadata, privateKey: keys.privateKey, certificate: keys.certificate, user }, { publicHost: 'localhost' });
      closers.push(() => idp.close());
      const port = new URL(idp.url).port;

      // Seam fetches the metadata over 127.0.0.1 (its outbound allow-list);
      // it names the IdP at localhost, where the browser goes.
      await page.fill('#metadata_url', idp.loopbackMetadataURL);
      await Promise.all([page.waitForURL(/saved=metadata/), page.click('form[action$="/metadata_url"] button')]);
      assert.match(await page.textContent('.notice'), /metadata was loaded/);
      assert.equal(await page.textContent('#idp-sso-url'), `${idp.url}/sso`);
      assert.equal(await status(page), 'pending');
      assert.equal(await page.inputValue('#map_email'), samlifyIdP.ATTRIBUTES.email); // Entra's default claim
      await Promise.all([page.waitForURL(/saved=attributes/), page.click('form[action$="/attributes"] button')]);
      assert.equal(await status(page), 'active');
      await screenshot(page, `setup-saml-active-${backend}.png`);

      let tab = await runTest(context, page);
      assert.equal((await tab.textContent('#outcome')).trim(), 'The test sign-in worked');
      assert.equal(await tab.textContent('#test-email'), user.email);
      assert.match(await tab.textContent('.attrs'), /givenname[\s\S]*Ines/);
      await screenshot(tab, `setup-saml-test-success-${backend}.png`);
      await tab.close();

      // No member came out of it.
      const members = await seam.client.organizations.members.search({ organization_ids: [organization.organization_id] });
      assert.equal(members.members.length, 0);

      // The IdP rolls its signing key over without telling Seam.
      await idp.close();
      keys = generateKeyPair('samlify setup IdP, new key');
      idp = await samlifyIdP.startIdP({ spMetadata, privateKey: keys.privateKey, certificate: keys.certificate, user }, { port: Number(port), publicHost: 'localhost' });
      closers.push(() => idp.close());
      tab = await runTest(context, page);
      assert.equal((await tab.textContent('#outcome')).trim(), 'Certificate mismatch');
      assert.match(await tab.textContent('#seen'), /certificate SHA-256 [0-9a-f:]+/i);
      assert.match(await tab.textContent('#want'), /one of: SHA-256/);
      assert.equal(await tab.textContent('#reason'), 'unknown_certificate');
      await screenshot(tab, `setup-saml-test-cert-mismatch-${backend}.png`);
      await Promise.all([tab.waitForURL(/#step-idp-values$/), tab.click('#fix-link')]);
      assert.ok(await tab.isVisible('#step-idp-values'));
      await tab.close();

      // Without JavaScript the page still reads: status, values to copy,
      // certificates (the copy buttons, which need script, are hidden).
      const noJS = await browser.newContext({ javaScriptEnabled: false });
      const plain = await noJS.newPage();
      await plain.goto(page.url().split('#')[0]);
      assert.equal(await status(plain), 'active');
      assert.equal(await plain.inputValue('#v-acs-url'), acs);
      assert.equal(await plain.isVisible('button[data-copy="v-acs-url"]'), false);
      assert.match(await plain.textContent('.certs'), /samlify setup IdP/);
      await noJS.close();
      await context.close();
      assert.deepEqual(problems, [], 'CSP violations or script errors');
    });

    it('takes an OIDC connection to a successful test, then shows a refused client secret', async () => {
      const { organization } = await seam.client.organizations.create({ organization_name: 'OIDC Co', organization_slug: uid('oidc') });
      const link = await newSetupLink(seam, organization.organization_id);
      const context = await browser.newContext();
      const problems = watchViolations(context);
      const page = await context.newPage();
      await page.goto(link);
      await page.check('input[name=kind][value=oidc]');
      await page.selectOption('#guide', 'generic-oidc');
      await Promise.all([page.waitForURL(/\/connections\/oidc-connection-/), page.click('form.start button[type=submit]')]);
      assert.equal(await status(page), 'pending');
      const redirectURL = await page.inputValue('#v-redirect-url');

      const secret = randomBytes(16).toString('hex');
      const op = await oidcOP.startOP({
        clientId: 'seam-setup', clientSecret: secret, redirectURIs: [redirectURL],
        account: { sub: 'u-1', email: 'omar@oidc.example.com', name: 'Omar OIDC', givenName: 'Omar', familyName: 'OIDC' },
      }, { publicHost: 'localhost' });
      closers.push(() => op.close());
      assert.match(op.url, /^http:\/\/localhost:/);

      await page.fill('#issuer', op.url);
      await page.fill('#client_id', 'seam-setup');
      await page.fill('#client_secret', secret);
      await Promise.all([page.waitForURL(/saved=oidc/), page.click('#oidc-form button')]);
      assert.equal(await status(page), 'active');
      assert.doesNotMatch(await page.content(), new RegExp(secret));
      await screenshot(page, `setup-oidc-active-${backend}.png`);

      let tab = await runTest(context, page);
      assert.equal((await tab.textContent('#outcome')).trim(), 'The test sign-in worked');
      assert.equal(await tab.textContent('#test-email'), 'omar@oidc.example.com');
      await screenshot(tab, `setup-oidc-test-success-${backend}.png`);
      await tab.close();

      await page.fill('#client_secret', 'not-the-secret');
      await Promise.all([page.waitForURL(/saved=oidc/), page.click('#oidc-form button')]);
      tab = await runTest(context, page);
      assert.equal((await tab.textContent('#outcome')).trim(), 'Client ID or secret refused');
      assert.equal(await tab.textContent('#reason'), 'token_exchange_invalid_client');
      await screenshot(tab, `setup-oidc-test-bad-secret-${backend}.png`);
      await tab.close();
      await context.close();
      assert.deepEqual(problems, [], 'CSP violations or script errors');
    });

    it('reads an uploaded metadata file into the form (Google Workspace has no metadata URL)', async () => {
      const { organization } = await seam.client.organizations.create({ organization_name: 'Upload Co', organization_slug: uid('upload') });
      const link = await newSetupLink(seam, organization.organization_id);
      const context = await browser.newContext();
      const problems = watchViolations(context);
      const page = await context.newPage();
      await page.goto(link);
      await page.selectOption('#guide', 'google');
      await Promise.all([page.waitForURL(/\/connections\/saml-connection-/), page.click('form.start button[type=submit]')]);
      assert.match(await page.textContent('.guide h2'), /Google Workspace/);
      const spMetadata = await (await fetch(await page.inputValue('#v-metadata-url'))).text();
      const keys = generateKeyPair('samlify upload IdP');
      const idp = await samlifyIdP.startIdP({ spMetadata, privateKey: keys.privateKey, certificate: keys.certificate, user: { email: 'u@upload.example.com' } }, { publicHost: 'localhost' });
      closers.push(() => idp.close());
      const xml = await (await fetch(idp.loopbackMetadataURL)).text();
      await page.click('summary:has-text("Option 2")');
      await page.setInputFiles('#metadata_file', { name: 'GoogleIDPMetadata.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
      await page.waitForFunction(() => document.getElementById('metadata_xml').value.includes('EntityDescriptor'));
      await Promise.all([page.waitForURL(/saved=metadata/), page.click('form[action$="/metadata_xml"] button')]);
      assert.equal(await page.textContent('#idp-entity-id'), `${idp.url}/metadata`);
      assert.equal(await status(page), 'pending');
      assert.match(await page.textContent('#missing'), /attribute_mapping/);
      await context.close();
      assert.deepEqual(problems, [], 'CSP violations or script errors');
    });

    it('refuses a revoked link in plain words', async () => {
      const { organization } = await seam.client.organizations.create({ organization_name: 'Gone Co', organization_slug: uid('gone') });
      const r = await seam.request('POST', `/v1/b2b/sso/setup_links/${organization.organization_id}`, { body: {} });
      await seam.request('DELETE', `/v1/b2b/sso/setup_links/${organization.organization_id}/links/${r.json.setup_link_id}`);
      const context = await browser.newContext();
      const page = await context.newPage();
      const res = await page.goto(r.json.url);
      assert.equal(res.status(), 410);
      assert.match(await page.textContent('body'), /switched off by the company that sent it/);
      assert.equal(res.headers()['x-frame-options'], 'DENY');
      await screenshot(page, `setup-revoked-${backend}.png`);
      await context.close();
    });
  });
}
