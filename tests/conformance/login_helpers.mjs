// Helpers shared by the login suites (sso_oidc_login, sso_external_login,
// sso_extensions): the interop IdPs run as child processes, the browser
// landing check, and Seam's login-attempt extension.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { DEFAULT_REDIRECT_URL } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.resolve(here, '../interop');
const READY_TIMEOUT_MS = 60000;

// Helpers not yet closed, killed if the test process exits without closing them.
const running = new Set();
process.once('exit', () => {
  for (const p of running) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Runs `node <script>` in tests/interop/<dir> (server.mjs of oidc-op or
 * samlify-idp): writes config as one JSON line to its stdin and waits for
 * the {"url": ...} line it prints once it listens on a free loopback port.
 * The process exits when its stdin closes (close()).
 * Resolves { url, close(), stderr() }.
 */
export async function startInteropHelper(dir, config, { script = 'server.mjs' } = {}) {
  const cwd = path.join(interop, dir);
  if (!existsSync(path.join(cwd, 'node_modules'))) {
    throw new Error(`${cwd}/node_modules is missing: run tests/interop/setup.sh first`);
  }
  // oidc-provider serves plain http only outside production.
  const proc = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(proc);
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  exited.then(() => running.delete(proc));
  proc.stdin.write(JSON.stringify(config) + '\n');

  const ready = new Promise((resolve) => {
    const rl = readline.createInterface({ input: proc.stdout });
    rl.on('line', (line) => {
      try {
        const info = JSON.parse(line);
        if (info?.url) resolve(info);
      } catch {
        // not the ready line
      }
    });
  });
  let timer;
  const outcome = await Promise.race([
    ready,
    exited.then((code) => ({ exitedWith: code })),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve({ timedOut: true }), READY_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  const close = async () => {
    proc.stdin.end();
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  if (!outcome.url) {
    await close();
    throw new Error(`node ${dir}/${script} did not start (${JSON.stringify(outcome)}):\n${stderr}`);
  }
  return { url: outcome.url, info: outcome, close, stderr: () => stderr };
}

export const APP = new URL(DEFAULT_REDIRECT_URL);

/** Stops a browser at the application (the project's redirect URL). */
export const atApp = (u) => u.host === APP.host;

/** Asserts the navigation landed on the application with an SSO token; returns the token. */
export function tokenFrom(page, browser) {
  assert.ok(page.stopped, `login did not reach the application: ${page.status} at ${page.url}\n${(page.body || '').slice(0, 800)}\n${browser.history.join('\n')}`);
  assert.equal(page.url.origin + page.url.pathname, DEFAULT_REDIRECT_URL);
  assert.equal(page.url.searchParams.get('stytch_token_type'), 'sso');
  const token = page.url.searchParams.get('token');
  assert.ok(token, 'no token in the redirect');
  return token;
}

/**
 * Asserts Seam's browser error page: the status, the error type and a
 * request ID; returns the request ID shown.
 */
export function errorPage(page, status, errorType) {
  assert.equal(page.stopped, false, `expected an error page, but the browser reached ${page.url}`);
  assert.equal(page.status, status, `status ${page.status}: ${(page.body || '').slice(0, 500)}`);
  assert.match(page.body, new RegExp(`<code>${errorType}</code>`), `error page lacks ${errorType}: ${(page.body || '').slice(0, 500)}`);
  const rid = page.body.match(/Request ID: <code>([^<]+)<\/code>/)?.[1];
  assert.ok(rid, 'error page lacks a request ID');
  return rid;
}

/** GET .../connections/{id}/logins (Seam extension); kind is 'saml' or 'oidc'. */
export async function listLogins(seam, kind, orgId, connId, query = '') {
  const r = await seam.request('GET', `/v1/b2b/sso/${kind}/${encodeURIComponent(orgId)}/connections/${encodeURIComponent(connId)}/logins${query}`);
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.json?.logins), r.text);
  return r.json.logins;
}

/** The start URL of a login on a connection, with the harness project's public token. */
export function startURL(seam, connectionId, extra = {}) {
  return `${seam.baseURL}/v1/public/sso/start?${new URLSearchParams({ connection_id: connectionId, public_token: seam.publicToken, ...extra })}`;
}
