// Conformance harness: runs a real `seam serve` on a fresh database and hands
// tests an official Stytch SDK client pointed at it.
//
// Tests normally use `describeEachBackend(title, (seam, backend) => { ... })`,
// which starts one server per backend for the whole describe block, prints the
// server's log lines of any failing test, and always stops the server. The
// lower-level `startSeam()` is exported for tests that need a server with
// unusual settings (extra SEAM_* variables, several servers at once).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe } from 'node:test';
import { B2BClient, StytchError } from 'stytch';
import { checkRecorded, recordResponses, watch } from './openapi_check.mjs';
import { collectSecrets, remember, rememberObject, scanLog, watchSecrets } from './secret_scan.mjs';

recordResponses();
collectSecrets();

export { StytchError };

/** Redirect URL every harness project is created with. */
export const DEFAULT_REDIRECT_URL = 'http://localhost:3000/authenticate';

/** Backends the suite runs on: both, unless SEAM_TEST_SKIP_POSTGRES=1. */
export const backends = process.env.SEAM_TEST_SKIP_POSTGRES === '1' ? ['sqlite'] : ['sqlite', 'postgres'];

// PostgreSQL server used to create throw-away databases (trust auth).
const PG_ADMIN_URL = process.env.SEAM_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const START_TIMEOUT_MS = Number(process.env.SEAM_TEST_START_TIMEOUT_MS || 20000);
const STOP_TIMEOUT_MS = 5000;
const MAX_LOG_BYTES = 4 << 20;

// Servers not yet stopped, so that a crashing or interrupted test process
// still kills them and drops their databases.
const live = new Set();

function cleanupSync() {
  for (const h of live) {
    try {
      h.proc?.kill('SIGKILL');
    } catch {
      // already gone
    }
    h.dropStorageSync();
  }
  live.clear();
}
process.once('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    cleanupSync();
    process.exit(128 + os.constants.signals[sig]);
  });
}

function seamBin() {
  const bin = process.env.SEAM_BIN;
  if (!bin) {
    throw new Error('SEAM_BIN is not set: build the server (go build -o /tmp/seam ./cmd/seam) or use tests/conformance/run.sh');
  }
  return bin;
}

/** A free TCP port on 127.0.0.1 (the server may still lose a race for it; startSeam retries). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function psql(sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', PG_ADMIN_URL, '-c', sql], {
    encoding: 'utf8',
    timeout: 30000,
  });
  if (r.error) throw new Error(`psql: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr.trim()}`);
}

function postgresURL(dbName) {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = '/' + dbName;
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

// The child environment is built from scratch so that SEAM_* variables in the
// developer's shell cannot change what the suite tests.
function childEnv(seamEnv) {
  const env = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return { ...env, ...seamEnv };
}

/**
 * Runs a seam CLI command to completion with the given SEAM_* environment.
 * Resolves {code, stdout, stderr}; never rejects on a non-zero exit.
 */
export function runSeamCLI(args, seamEnv, { timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(seamBin(), args, { env: childEnv(seamEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (os.constants.signals[signal] || 0), stdout, stderr });
    });
  });
}

/**
 * A B2BClient for a Seam base URL. The SDK only accepts https in
 * custom_base_url, so the URL goes through `env`, which it uses verbatim; the
 * SDK warns once per client about a non-standard env, which is expected here
 * and therefore silenced (any other warning is passed through).
 */
export function newClient({ baseURL, projectId, secret, timeout }) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith("[Stytch] Warning: Using a custom 'env' value")) return;
    warn(...args);
  };
  try {
    return new B2BClient({ project_id: projectId, secret, env: baseURL + '/', ...(timeout ? { timeout } : {}) });
  } finally {
    console.warn = warn;
  }
}

/** Bounded in-memory copy of a stream, keeping the newest bytes. */
class LogBuffer {
  constructor() {
    this.text = '';
    this.dropped = 0;
  }
  append(s) {
    this.text += s;
    if (this.text.length > MAX_LOG_BYTES) {
      const cut = this.text.length - MAX_LOG_BYTES;
      this.text = this.text.slice(cut);
      this.dropped += cut;
    }
  }
  /** Position to pass to since(). */
  mark() {
    return this.dropped + this.text.length;
  }
  since(mark) {
    return this.text.slice(Math.max(0, mark - this.dropped));
  }
}

async function waitReady(baseURL, proc, deadline) {
  let lastErr = 'no answer';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      return { exited: true, lastErr };
    }
    try {
      const res = await fetch(baseURL + '/readyz', { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return { ready: true };
      lastErr = `GET /readyz answered ${res.status}`;
    } catch (e) {
      lastErr = e.cause?.code || e.message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { timedOut: true, lastErr };
}

/**
 * Starts `seam serve` ($SEAM_BIN) on a fresh database with a fresh project.
 *
 * options:
 *   backend       'sqlite' (temp dir) or 'postgres' (CREATE DATABASE seam_conf_<random>, dropped on stop)
 *   env           extra SEAM_* variables for both `project create` and `serve`
 *                 (they override the harness's own, e.g. SEAM_LOG_LEVEL)
 *   projectName   name of the project to create
 *   redirectURLs  login/signup redirect URLs of the project
 *
 * Resolves to a handle:
 *   baseURL, projectId, secret, publicToken, client (B2BClient for that project),
 *   env (the SEAM_* variables the server runs with), backend, databaseURL,
 *   stop(), createProject(), clientFor(), cli(), request(), logs, bootstrapOutput
 */
export async function startSeam({
  backend = 'sqlite',
  env = {},
  projectName = 'conformance',
  redirectURLs = [DEFAULT_REDIRECT_URL],
} = {}) {
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`unknown backend ${backend}`);
  const handle = new SeamHandle(backend);
  live.add(handle);
  try {
    await handle.start(env, projectName, redirectURLs);
  } catch (e) {
    await handle.stop();
    throw e;
  }
  return handle;
}

class SeamHandle {
  constructor(backend) {
    this.backend = backend;
    this.logs = new LogBuffer(); // server stderr (slog)
    this.fullLog = []; // every chunk of server stderr, for the secret scan
    this.stdout = new LogBuffer(); // server stdout (bootstrap output, if any)
    this.proc = null;
    this.tmpDir = null;
    this.dbName = null;
    this.stopped = false;
  }

  async start(extraEnv, projectName, redirectURLs) {
    this.tmpDir = mkdtempSync(path.join(os.tmpdir(), 'seam-conf-'));
    // No drain period: the harness stops servers with SIGTERM and waits for the exit.
    const base = { SEAM_LOG_FORMAT: 'text', SEAM_LOG_LEVEL: 'debug', SEAM_DRAIN_PERIOD: '0s' };
    if (this.backend === 'sqlite') {
      // No SEAM_SECRET_KEY: exercise the zero-setup key file beside the database.
      this.databaseURL = 'sqlite:' + path.join(this.tmpDir, 'seam.db');
    } else {
      this.dbName = 'seam_conf_' + randomBytes(8).toString('hex');
      psql(`CREATE DATABASE ${this.dbName}`);
      this.databaseURL = postgresURL(this.dbName);
      base.SEAM_SECRET_KEY = randomBytes(32).toString('base64');
    }
    base.SEAM_DATABASE_URL = this.databaseURL;
    this.baseEnv = { ...base, ...extraEnv };

    const args = ['project', 'create', '--json', '--name', projectName];
    for (const u of redirectURLs) args.push('--redirect-url', u);
    const created = await runSeamCLI(args, this.baseEnv);
    if (created.code !== 0) {
      throw new Error(`seam project create exited ${created.code}:\n${created.stderr}${created.stdout}`);
    }
    const creds = parseCreds(created.stdout);
    this.projectId = creds.project_id;
    this.secret = creds.secret;
    this.publicToken = creds.public_token;

    // Another process may take the free port between probe and bind; retry.
    let lastFailure = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const addr = `127.0.0.1:${port}`;
      this.baseURL = `http://${addr}`;
      // SEAM_BASE_URL may be overridden (issuer/ACS tests); the address may not.
      this.env = { ...this.baseEnv, SEAM_BASE_URL: this.baseURL, ...extraEnv, SEAM_ADDR: addr };
      this.spawnServer();
      watchSecrets(this.baseURL);
      remember(this.baseURL, this.secret);
      const r = await waitReady(this.baseURL, this.proc, Date.now() + START_TIMEOUT_MS);
      if (r.ready) {
        this.client = this.clientFor(this.projectId, this.secret);
        return;
      }
      const stderrText = this.logs.text;
      await this.killServer();
      lastFailure = r.timedOut
        ? `not ready after ${START_TIMEOUT_MS} ms (${r.lastErr})`
        : `exited with ${this.exitStatus}`;
      if (!(r.exited && /address already in use/i.test(stderrText))) break;
    }
    throw new Error(`seam serve (${this.backend}) failed to start: ${lastFailure}\n--- server stderr ---\n${this.logs.text}`);
  }

  spawnServer() {
    const proc = spawn(seamBin(), ['serve'], { env: childEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.exitStatus = null;
    proc.stdout.setEncoding('utf8').on('data', (d) => this.stdout.append(d));
    proc.stderr.setEncoding('utf8').on('data', (d) => {
      this.logs.append(d);
      this.fullLog.push(d);
    });
    proc.once('error', (e) => this.logs.append(`[harness] spawn error: ${e.message}\n`));
    proc.once('exit', (code, signal) => {
      this.exitStatus = signal ? `signal ${signal}` : `code ${code}`;
    });
  }

  async killServer() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  dropStorageSync() {
    if (this.dbName) {
      try {
        psql(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
      } catch (e) {
        process.stderr.write(`[harness] could not drop database ${this.dbName}: ${e.message}\n`);
      }
      this.dbName = null;
    }
    if (this.tmpDir) {
      rmSync(this.tmpDir, { recursive: true, force: true });
      this.tmpDir = null;
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its database. Idempotent. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    await this.killServer();
    this.dropStorageSync();
    live.delete(this);
    // No secret the run sent or received may appear in the server's log.
    const hits = this.baseURL ? scanLog(this.baseURL, this.fullLog.join('')) : [];
    this.fullLog = [];
    if (hits.length) {
      throw new Error(`seam serve [${this.backend}] logged ${hits.length} secret(s) of this run:\n${hits.slice(0, 10).join('\n')}`);
    }
  }

  /** Process ID of the running server (undefined once stopped). */
  get pid() {
    return this.stopped ? undefined : this.proc?.pid;
  }

  /** Name of the PostgreSQL database (postgres backend only). */
  get databaseName() {
    return this.dbName ?? undefined;
  }

  /** A B2BClient for any project on this server (e.g. a wrong secret). */
  clientFor(projectId, secret) {
    return newClient({ baseURL: this.baseURL, projectId, secret });
  }

  /** Creates another project on the same database; resolves its credentials plus a client. */
  async createProject({ name = 'other', redirectURLs = [DEFAULT_REDIRECT_URL], environment } = {}) {
    const args = ['project', 'create', '--json', '--name', name];
    if (environment) args.push('--environment', environment);
    for (const u of redirectURLs) args.push('--redirect-url', u);
    const r = await this.cli(args);
    const creds = parseCreds(r.stdout);
    return {
      projectId: creds.project_id,
      secret: creds.secret,
      publicToken: creds.public_token,
      client: this.clientFor(creds.project_id, creds.secret),
    };
  }

  /** Runs another seam command (e.g. ['session', 'create', ...]) against this database; rejects on failure. */
  async cli(args) {
    const r = await runSeamCLI(args, this.env);
    if (r.code !== 0) throw new Error(`seam ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    if (this.baseURL) {
      for (const line of r.stdout.split('\n')) {
        try {
          rememberObject(this.baseURL, JSON.parse(line)); // secrets and session tokens the CLI printed
        } catch {
          // not a JSON line
        }
      }
    }
    return r;
  }

  /**
   * Raw HTTP for what the SDK cannot express (public browser endpoints,
   * redirects, malformed requests). auth: true (this project), false (none),
   * or {projectId, secret}. body: object (JSON-encoded) or string (sent as is).
   * Resolves {status, headers, text, json}; redirects are not followed.
   */
  async request(method, urlPath, { body, auth = true, headers = {} } = {}) {
    const h = { ...headers };
    if (auth) {
      const { projectId, secret } = auth === true ? this : auth;
      h.Authorization = 'Basic ' + Buffer.from(`${projectId}:${secret}`).toString('base64');
    }
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(new URL(urlPath, this.baseURL + '/'), {
      method,
      headers: h,
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(30000),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
}

function parseCreds(stdout) {
  const line = stdout.trim().split('\n').pop();
  let creds;
  try {
    creds = JSON.parse(line);
  } catch {
    throw new Error(`seam project create --json printed no JSON: ${JSON.stringify(stdout)}`);
  }
  for (const k of ['project_id', 'secret', 'public_token']) {
    if (typeof creds[k] !== 'string' || creds[k] === '') throw new Error(`seam project create --json: missing ${k}`);
  }
  return creds;
}

/**
 * Inside a describe block: starts a server before its tests, stops it after
 * them, and prints the server log lines written during any failing test.
 * Returns a handle whose properties (client, baseURL, ...) exist once the
 * block's tests run.
 */
export function useSeam(options = {}) {
  let handle = null;
  let mark = 0;
  before(async () => {
    handle = await startSeam(options);
    watch(handle.baseURL);
  });
  after(async () => {
    try {
      if (handle?.proc?.exitCode === null) {
        // Every JSON answer of this server during the block matches its
        // operation's response schema in /openapi.json (openapi_check.mjs).
        const spec = await (await fetch(handle.baseURL + '/openapi.json')).json();
        const { problems } = checkRecorded(handle.baseURL, spec);
        if (problems.length) assert.fail(`${problems.length} responses do not match /openapi.json:\n${problems.slice(0, 20).join('\n')}`);
      }
    } finally {
      await handle?.stop();
    }
  });
  beforeEach(() => {
    mark = handle ? handle.logs.mark() : 0;
  });
  afterEach((t) => {
    if (handle && t.passed === false) {
      const lines = handle.logs.since(mark).trimEnd();
      process.stderr.write(
        `\n----- seam serve [${handle.backend}] log during failed test "${t.name}" -----\n` +
          (lines || '(nothing logged)') +
          `\n----- end of seam log (${handle.baseURL}) -----\n`,
      );
    }
  });
  return new Proxy(
    {},
    {
      get(_, prop) {
        if (prop === 'then') return undefined; // not a thenable
        if (!handle) throw new Error(`seam.${String(prop)} used before the server started (use it inside a test or hook)`);
        const v = handle[prop];
        return typeof v === 'function' ? v.bind(handle) : v;
      },
    },
  );
}

/**
 * Registers `describe("<title> [<backend>]")` for every backend in
 * `backends`, each with its own server (see useSeam). fn(seam, backend)
 * registers the tests.
 */
export function describeEachBackend(title, fn, options = {}) {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      const seam = useSeam({ ...options, backend });
      fn(seam, backend);
    });
  }
}

/**
 * Asserts that the SDK call rejected with a StytchError carrying this
 * status_code and error_type, with a request_id and an error_message.
 * errorType may be a RegExp where Stytch's exact string is not known.
 * Accepts a promise or a function returning one; resolves to the error.
 */
export async function expectStytchError(promiseOrFn, status, errorType) {
  let result;
  let err;
  try {
    result = await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    err = e;
  }
  if (err === undefined) {
    assert.fail(`expected StytchError ${status} ${errorType}, but the call succeeded: ${JSON.stringify(result)?.slice(0, 500)}`);
  }
  if (!(err instanceof StytchError)) {
    assert.fail(`expected StytchError ${status} ${errorType}, got ${err?.constructor?.name}: ${err?.message}`);
  }
  const got = `${err.status_code} ${err.error_type} (${err.error_message})`;
  assert.equal(err.status_code, status, `status_code: got ${got}, want ${status} ${errorType}`);
  if (errorType instanceof RegExp) {
    assert.match(String(err.error_type), errorType, `error_type: got ${got}, want ${status} ${errorType}`);
  } else {
    assert.equal(err.error_type, errorType, `error_type: got ${got}, want ${status} ${errorType}`);
  }
  assert.equal(typeof err.request_id, 'string', `request_id missing: ${err.message}`);
  assert.ok(err.request_id.length > 0, 'request_id is empty');
  assert.equal(typeof err.error_message, 'string', `error_message missing: ${err.message}`);
  assert.ok(err.error_message.length > 0, 'error_message is empty');
  return err;
}

const require = createRequire(import.meta.url);

// The installed stytch package's directory (its exports map hides package.json).
function sdkRoot() {
  let dir = path.dirname(require.resolve('stytch'));
  while (path.basename(dir) !== 'stytch') dir = path.dirname(dir);
  return dir;
}

/** Version of the installed stytch package. */
export function sdkVersion() {
  return JSON.parse(readFileSync(path.join(sdkRoot(), 'package.json'), 'utf8')).version;
}

/**
 * The non-optional fields of an interface in the installed SDK's type
 * declarations, e.g. sdkRequiredFields('b2b/organizations', 'Organization').
 * The SDK's generated types are Stytch's own statement of what a response
 * object always carries, so response shapes are checked against them.
 */
export function sdkRequiredFields(module, iface) {
  const file = path.join(sdkRoot(), 'types', 'lib', module + '.d.ts');
  const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const m = src.match(new RegExp(`export interface ${iface} \\{\\n([\\s\\S]*?)\\n\\}`));
  if (!m) throw new Error(`interface ${iface} not found in ${file}`);
  const required = [];
  for (const line of m[1].split('\n')) {
    const f = line.match(/^ {4}(\w+)(\??):/);
    if (f && f[2] === '') required.push(f[1]);
  }
  return required;
}
