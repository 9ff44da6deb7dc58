// Keeps docs/sdk-coverage.md true. The table there lists every method of the
// official SDK's organizations, organizations.members, sso, sessions, rbac
// and scim namespaces (and their sub-namespaces) as "works" or "refused".
// This file
//   1. loads the SDK client and lists those methods, calling each one with a
//      fetch that records the request instead of sending it, so that it knows
//      the HTTP method and path every method uses;
//   2. fails when a method is missing from the table, or the table lists one
//      the SDK does not have, or the table's HTTP column is not what the SDK
//      sends;
//   3. against a running Seam: every "works" row's request is an operation
//      of /openapi.json, and every "refused" method, called through the SDK,
//      fails with the status and error_type the table names.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import stytch from 'stytch';
import { expectStytchError, useSeam } from './harness.mjs';

const NAMESPACES = ['organizations', 'sso', 'sessions', 'rbac', 'scim'];
const here = path.dirname(fileURLToPath(import.meta.url));
const TABLE = path.join(here, '../../docs/sdk-coverage.md');

/** Methods of obj's class and of the SDK objects it holds, as "ns.sub.method". */
function methodsOf(obj, prefix, out = []) {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(obj))) {
    if (name !== 'constructor' && typeof obj[name] === 'function') out.push({ name: `${prefix}.${name}`, call: obj[name].bind(obj) });
  }
  for (const [k, v] of Object.entries(obj)) {
    // Sub-namespaces are SDK class instances; configuration objects are plain.
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && !['fetchConfig', 'jwtConfig', 'policyCache'].includes(k)) {
      methodsOf(v, `${prefix}.${k}`, out);
    }
  }
  return out;
}

// Every parameter a method reads is "{name}", so paths come out as templates.
const placeholderArgs = () => new Proxy({}, { get: (_, k) => (typeof k === 'string' ? `{${k}}` : undefined), has: () => true });

/** Lists the methods and the request each sends (null: none, it works in the SDK). */
async function sdkMethods() {
  const client = new stytch.B2BClient({ project_id: 'project-test-00000000-0000-4000-8000-000000000000', secret: 'x', env: 'http://127.0.0.1:9/' });
  const realFetch = globalThis.fetch;
  let sent = null;
  globalThis.fetch = async (url, init) => {
    sent = `${init.method} ${decodeURIComponent(new URL(String(url)).pathname)}`;
    return { status: 200, json: async () => ({}) };
  };
  const out = new Map();
  try {
    for (const ns of NAMESPACES) {
      for (const m of methodsOf(client[ns], ns)) {
        sent = null;
        try {
          await Promise.race([m.call(placeholderArgs(), placeholderArgs()), new Promise((r) => setTimeout(r, 50))]);
        } catch {
          // Local methods reject placeholder JWTs; only the request matters.
        }
        out.set(m.name, sent);
      }
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  return out;
}

/** Rows of the table: method -> {http, status, errorType, code}. */
function tableRows() {
  const rows = new Map();
  for (const line of readFileSync(TABLE, 'utf8').split('\n')) {
    const m = line.match(/^\| `([\w.]+)` \| (.*?) \| (.*?) \| .* \|$/);
    if (!m) continue;
    assert.ok(!rows.has(m[1]), `${m[1]} is listed twice`);
    const http = m[2].startsWith('`') ? m[2].slice(1, -1) : null;
    const refused = m[3].match(/^refused: `(\w+)` \((\d{3})\)$/);
    assert.ok(m[3] === 'works' || refused, `${m[1]}: the Seam column must be "works" or "refused: \`error_type\` (status)", not ${m[3]}`);
    rows.set(m[1], { http, works: m[3] === 'works', errorType: refused?.[1], code: Number(refused?.[2]) });
  }
  return rows;
}

const template = (p) => p.replace(/\{[^}]+\}/g, '{}');

describe('docs/sdk-coverage.md lists every SDK method truly', () => {
  let methods;
  let rows;
  before(async () => {
    methods = await sdkMethods();
    rows = tableRows();
  });

  it('has one row per SDK method, with the request the SDK sends', () => {
    assert.ok(methods.size > 50, `only ${methods.size} SDK methods found: the enumeration is broken`);
    const missing = [...methods.keys()].filter((n) => !rows.has(n));
    const absent = [...rows.keys()].filter((n) => !methods.has(n));
    assert.deepEqual(missing, [], 'SDK methods missing from docs/sdk-coverage.md');
    assert.deepEqual(absent, [], 'docs/sdk-coverage.md lists methods the SDK does not have');
    for (const [name, sent] of methods) assert.equal(rows.get(name).http, sent, `${name}: HTTP column`);
  });

  describe('against seam serve', () => {
    const seam = useSeam({ backend: 'sqlite' });

    it('serves every "works" row as an operation of /openapi.json', async () => {
      const spec = await (await fetch(`${seam.baseURL}/openapi.json`)).json();
      const ops = new Set();
      for (const [p, item] of Object.entries(spec.paths)) for (const verb of Object.keys(item)) ops.add(`${verb.toUpperCase()} ${template(p)}`);
      for (const [name, row] of rows) {
        if (!row.works || row.http === null) continue;
        const [verb, p] = row.http.split(' ');
        assert.ok(ops.has(`${verb} ${template(p)}`), `${name} (${row.http}) is "works" but /openapi.json has no such operation`);
      }
    });

    it('refuses every "refused" method with the listed error', async () => {
      const client = seam.client;
      const byName = new Map(NAMESPACES.flatMap((ns) => methodsOf(client[ns], ns)).map((m) => [m.name, m.call]));
      const args = () => new Proxy({}, { get: (_, k) => (typeof k === 'string' ? `x-${k}` : undefined), has: () => true });
      let refused = 0;
      for (const [name, row] of rows) {
        if (row.works) continue;
        const err = await expectStytchError(() => byName.get(name)(args(), args()), row.code, row.errorType);
        assert.match(err.error_message, /not supported by Seam/, `${name}: ${err.error_message}`);
        refused++;
      }
      assert.ok(refused > 0);
    });
  });
});
