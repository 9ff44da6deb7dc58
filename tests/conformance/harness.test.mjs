// Tests of the harness itself: its assertions must be able to fail, and the
// server and its database must not outlive a test process, however it ends.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  StytchError,
  backends,
  describeEachBackend,
  expectStytchError,
  sdkRequiredFields,
  sdkVersion,
  startSeam,
} from './harness.mjs';

const stytchError = (status, type) =>
  new StytchError({ status_code: status, request_id: 'request-id-test-x', error_type: type, error_message: 'msg' });

describe('expectStytchError', () => {
  it('accepts the matching error and returns it', async () => {
    const err = await expectStytchError(Promise.reject(stytchError(404, 'organization_not_found')), 404, 'organization_not_found');
    assert.equal(err.error_type, 'organization_not_found');
    await expectStytchError(() => Promise.reject(stytchError(400, 'organization_search_invalid_limit')), 400, /^organization_search_/);
  });

  it('fails when the call succeeds', async () => {
    await assert.rejects(expectStytchError(Promise.resolve({ ok: 1 }), 404, 'x'), /call succeeded/);
  });

  it('fails on another status, another type, or a missing request_id/error_message', async () => {
    await assert.rejects(expectStytchError(Promise.reject(stytchError(400, 'x')), 404, 'x'), /status_code/);
    await assert.rejects(expectStytchError(Promise.reject(stytchError(404, 'y')), 404, 'x'), /error_type/);
    await assert.rejects(expectStytchError(Promise.reject(stytchError(404, 'y')), 404, /^x/), /error_type/);
    const noID = new StytchError({ status_code: 404, error_type: 'x', error_message: 'm' });
    await assert.rejects(expectStytchError(Promise.reject(noID), 404, 'x'), /request_id/);
    const noMsg = new StytchError({ status_code: 404, request_id: 'r', error_type: 'x' });
    await assert.rejects(expectStytchError(Promise.reject(noMsg), 404, 'x'), /error_message/);
  });

  it('fails on an error that is not a StytchError', async () => {
    await assert.rejects(expectStytchError(Promise.reject(new TypeError('fetch failed')), 404, 'x'), /got TypeError/);
  });
});

describe('SDK', () => {
  it('is the pinned stytch version', () => {
    assert.equal(sdkVersion(), '14.2.0');
  });

  it('sdkRequiredFields reads required and skips optional fields', () => {
    const f = sdkRequiredFields('b2b/organizations', 'Organization');
    assert.ok(f.includes('organization_id'));
    assert.ok(f.includes('custom_roles'));
    assert.ok(!f.includes('trusted_metadata'), 'trusted_metadata is optional in the SDK type');
    assert.throws(() => sdkRequiredFields('b2b/organizations', 'NoSuchInterface'), /not found/);
  });
});

function processGone(pid) {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return e.code === 'ESRCH';
  }
}

async function eventually(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

function databaseExists(name) {
  const url = process.env.SEAM_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const r = spawnSync('psql', ['-X', '-At', '-d', url, '-c', `SELECT 1 FROM pg_database WHERE datname = '${name}'`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === '1';
}

// Starts a server in a separate node process that then ends abruptly.
function orphanRun(backend, ending) {
  const harness = fileURLToPath(new URL('./harness.mjs', import.meta.url));
  const script = `
    import { startSeam } from ${JSON.stringify(harness)};
    const s = await startSeam({ backend: ${JSON.stringify(backend)} });
    console.log(JSON.stringify({ pid: s.pid, db: s.databaseName, url: s.databaseURL }));
    ${ending === 'throw' ? "setTimeout(() => { throw new Error('test process crashed'); }, 10);" : 'setInterval(() => {}, 1000);'}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let info;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (!info && out.includes('\n')) {
        info = JSON.parse(out.split('\n')[0]);
        if (ending === 'SIGTERM') child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (!info) reject(new Error(`child printed nothing (exit ${code ?? signal}): ${err}`));
      else resolve({ ...info, code, signal, stderr: err });
    });
  });
}

for (const backend of backends) {
  describe(`server lifecycle [${backend}]`, () => {
    it('stop() kills the server and removes its database', async () => {
      const s = await startSeam({ backend, env: { SEAM_LOG_LEVEL: 'warn' } });
      const { pid, databaseURL, databaseName } = s;
      assert.equal(s.env.SEAM_LOG_LEVEL, 'warn', 'extra env reaches the server');
      const ready = await s.request('GET', '/readyz', { auth: false });
      assert.equal(ready.status, 200);
      await s.stop();
      assert.ok(processGone(pid), 'server process is gone');
      if (backend === 'sqlite') assert.ok(!existsSync(databaseURL.slice('sqlite:'.length)), 'SQLite file removed');
      else assert.ok(!databaseExists(databaseName), 'PostgreSQL database dropped');
      await s.stop(); // idempotent
    });

    for (const ending of ['throw', 'SIGTERM']) {
      it(`a test process that ends by ${ending} takes its server and database with it`, async () => {
        const r = await orphanRun(backend, ending);
        assert.ok(r.code !== 0 || r.signal, 'the child failed');
        assert.ok(await eventually(() => processGone(r.pid)), `server ${r.pid} was left running`);
        if (backend === 'postgres') assert.ok(!databaseExists(r.db), `database ${r.db} was left behind`);
        else assert.ok(!existsSync(r.url.slice('sqlite:'.length)), 'SQLite file left behind');
      });
    }

    it('a server that cannot start rejects with its stderr', async () => {
      await assert.rejects(startSeam({ backend, env: { SEAM_LOG_FORMAT: 'xml' } }), /SEAM_LOG_FORMAT="xml" \(--log-format\) must be json or text/);
    });
  });
}

describeEachBackend('transport', (seam) => {
  it('answers errors with the HTTP status repeated in the envelope, as JSON', async () => {
    const r = await seam.request('GET', '/v1/b2b/organizations/no-such-org');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.json.status_code, 404);
    assert.equal(r.json.error_type, 'organization_not_found');
    assert.equal(typeof r.json.error_url, 'string');
  });

  it('answers 401 unauthorized_credentials without or with malformed Basic auth', async () => {
    for (const headers of [{}, { Authorization: 'Bearer abc' }, { Authorization: 'Basic !!!' }]) {
      const r = await seam.request('POST', '/v1/b2b/organizations/search', { auth: false, headers, body: {} });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.json.error_type, 'unauthorized_credentials');
    }
  });
});
