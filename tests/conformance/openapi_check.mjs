// Every JSON answer (application/json, or application/scim+json from the
// SCIM service provider) Seam gives during the conformance suites is checked
// against the response schema of its operation in Seam's own
// /openapi.json (JSON Schema 2020-12, validated with Ajv): the document is
// generated from the route table's Go types, and this proves the answers
// the SDK really gets match what it says.
//
// recordResponses() wraps globalThis.fetch (which the official SDK and the
// harness use) once per process and keeps the JSON answers, with their media type, of the servers
// registered with watch(baseURL). checkRecorded(baseURL) validates them and
// returns the problems.
//
// Each operation's error responses enumerate the error_types the route
// declares (internal/httpapi/route_errors*.go), so an undeclared one fails
// here. SEAM_ERRTYPES_LOG=file appends each such answer as
// "METHOD /template status error_type" (and lifts the recording cap), to
// collect what a route must declare from a run of the suites.

import { appendFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const errTypesLog = process.env.SEAM_ERRTYPES_LOG;
const MAX_RECORDED = errTypesLog ? Infinity : 5000;
const watched = new Map(); // baseURL -> [{method, path, status, mediaType, body}]

// The media types of the answers checked: each is looked up under its own
// name in the operation's response content.
const JSON_TYPES = ['application/json', 'application/scim+json'];

let installed = false;

export function recordResponses() {
  if (installed) return;
  installed = true;
  const inner = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await inner(input, init);
    try {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const list = watched.get(url.origin);
      const mediaType = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
      if (list && list.length < MAX_RECORDED && JSON_TYPES.includes(mediaType) && url.pathname !== '/openapi.json') {
        const method = (init?.method || (typeof input === 'object' && input.method) || 'GET').toUpperCase();
        const text = await res.clone().text();
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        list.push({ method, path: url.pathname, status: res.status, mediaType, body, text });
      }
    } catch {
      // recording must never break a test
    }
    return res;
  };
}

export function watch(baseURL) {
  watched.set(new URL(baseURL).origin, []);
}

/** Finds the operation of a concrete path: [template, operation] or null. */
function operationOf(spec, method, path) {
  for (const [template, ops] of Object.entries(spec.paths)) {
    const re = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+') + '$');
    const op = ops[method.toLowerCase()];
    if (op && re.test(path)) return [template, op];
  }
  return null;
}

const pointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Validates what was recorded for baseURL against spec; returns
 * { checked, problems: [string] } and forgets the recordings.
 */
export function checkRecorded(baseURL, spec) {
  const origin = new URL(baseURL).origin;
  const list = watched.get(origin) || [];
  watched.delete(origin);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(spec, 'openapi');
  const compiled = new Map();
  const problems = [];
  let checked = 0;
  for (const r of list) {
    const found = operationOf(spec, r.method, r.path);
    if (!found) continue; // a deliberate probe of an unknown path or method (answered by the 404/405 envelope)
    const [template, op] = found;
    const code = op.responses?.[String(r.status)] ? String(r.status) : null;
    const logUndeclared = () => {
      if (errTypesLog && r.body?.error_type) appendFileSync(errTypesLog, `${r.method} ${template} ${r.status} ${r.body.error_type}\n`);
    };
    if (!code) {
      logUndeclared();
      problems.push(`${r.method} ${template}: status ${r.status} is not documented`);
      continue;
    }
    if (!op.responses[code].content?.[r.mediaType]) {
      problems.push(`${r.method} ${template}: ${r.status} answered ${r.mediaType}, documented as ${Object.keys(op.responses[code].content || {}).join(', ') || 'no body'}`);
      continue;
    }
    const ref = `openapi#/paths/${pointer(template)}/${r.method.toLowerCase()}/responses/${code}/content/${pointer(r.mediaType)}/schema`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    checked++;
    if (!validate(r.body)) {
      logUndeclared();
      problems.push(`${r.method} ${template} ${r.status}: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n  body: ${r.text.slice(0, 400)}`);
    }
  }
  return { checked, problems };
}
