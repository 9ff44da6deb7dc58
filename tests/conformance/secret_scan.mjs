// No secret in the logs: every secret, token, webhook signing secret,
// private key and SAML/OIDC payload that crosses the wire to a watched Seam server during the
// conformance run (request bodies, forms, query strings, credentials
// headers, JSON answers and redirect URLs) is remembered, and the server's
// whole log is searched for each of them when the server stops. One hit
// fails the run (harness.mjs, SeamHandle.stop).
//
// collectSecrets() wraps globalThis.fetch once per process, like
// openapi_check.mjs's recorder; remember(baseURL, value) adds values the
// harness knows without fetch (the project secret printed by the CLI).

const SENSITIVE = new Set([
  'secret', 'session_token', 'session_jwt', 'intermediate_session_token', 'sso_token', 'token',
  'client_secret', 'signing_private_key', 'saml_encryption_private_key', 'private_key',
  'SAMLResponse', 'code', 'access_token', 'id_token', 'refresh_token', 'bearer_token', 'next_bearer_token',
  'signing_secret', // webhook endpoints' (docs/events.md), shown once on create and rotate_secret
]);
// A webhook signing secret is "whsec_" and the base64 of its HMAC key; any
// string of that shape is remembered wherever it appears, and searched for
// by its key, which a log might hold without the prefix.
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/;
const MIN_LENGTH = 16; // shorter values (test placeholders) would match by chance
const MAX_VALUES = 20000;

const seen = new Map(); // origin -> Set of needles

let installed = false;

export function collectSecrets() {
  if (installed) return;
  installed = true;
  const inner = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    let origin = null;
    try {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      origin = url.origin;
      if (seen.has(origin)) {
        for (const [k, v] of url.searchParams) if (SENSITIVE.has(k)) remember(origin, v);
        fromHeaders(origin, new Headers(init?.headers || (typeof input === 'object' && input.headers) || {}));
        fromBody(origin, init?.body);
      }
    } catch {
      // collecting must never break a test
    }
    const res = await inner(input, init);
    try {
      if (origin && seen.has(origin)) {
        const loc = res.headers.get('location');
        if (loc) {
          for (const [k, v] of new URL(loc, origin).searchParams) if (SENSITIVE.has(k)) remember(origin, v);
        }
        if ((res.headers.get('content-type') || '').startsWith('application/json')) {
          const text = await res.clone().text();
          try {
            walk(origin, JSON.parse(text));
          } catch {
            // not JSON after all
          }
        }
      }
    } catch {
      // as above
    }
    return res;
  };
}

/** Starts collecting for a server (call before its first request). */
export function watchSecrets(baseURL) {
  const origin = new URL(baseURL).origin;
  if (!seen.has(origin)) seen.set(origin, new Set());
}

/** Adds a value that must never appear in the server's log. */
export function remember(baseURLOrOrigin, value) {
  const set = seen.get(new URL(baseURLOrOrigin).origin);
  if (!set || typeof value !== 'string' || value.length < MIN_LENGTH || set.size >= MAX_VALUES) return;
  for (const n of needles(value)) set.add(n);
}

/** Remembers the sensitive fields of a JSON value (CLI output). */
export function rememberObject(baseURL, v) {
  const origin = new URL(baseURL).origin;
  if (seen.has(origin)) walk(origin, v);
}

/**
 * Searches log for every remembered value of baseURL; returns the hits
 * (each a short description, never the whole secret) and forgets them.
 */
export function scanLog(baseURL, log) {
  const origin = new URL(baseURL).origin;
  const set = seen.get(origin) || new Set();
  seen.delete(origin);
  const hits = [];
  for (const n of set) {
    const at = log.indexOf(n);
    if (at >= 0) {
      const lineStart = log.lastIndexOf('\n', at) + 1;
      hits.push(`${n.slice(0, 8)}... at log offset ${at}: ${log.slice(lineStart, lineStart + 160).replaceAll(n, '<SECRET>')}`);
    }
  }
  return hits;
}

// needles are the strings searched for: the whole value, or for long
// values (keys, SAML responses, JWTs) a few slices, any of which in a log
// line means the value leaked.
export function needles(value) {
  if (WEBHOOK_SECRET.test(value)) return [value.slice('whsec_'.length)];
  if (value.includes('PRIVATE KEY')) {
    return value.split(/\r?\n/).filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l.trim())).slice(0, 3).map((l) => l.trim());
  }
  if (value.length <= 120) return [value];
  const mid = Math.floor(value.length / 2) - 24;
  return [value.slice(0, 48), value.slice(mid, mid + 48), value.slice(-48)];
}

function fromHeaders(origin, h) {
  const auth = h.get('authorization') || '';
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    remember(origin, decoded.slice(decoded.indexOf(':') + 1));
  } else if (auth.startsWith('Bearer ')) {
    remember(origin, auth.slice(7));
  }
  for (const k of ['x-stytch-member-session', 'x-stytch-member-sessionjwt']) remember(origin, h.get(k) || '');
}

function fromBody(origin, body) {
  if (body == null) return;
  if (body instanceof URLSearchParams) {
    for (const [k, v] of body) if (SENSITIVE.has(k)) remember(origin, v);
    return;
  }
  if (typeof body !== 'string') return;
  try {
    walk(origin, JSON.parse(body));
    return;
  } catch {
    // a form body
  }
  for (const [k, v] of new URLSearchParams(body)) if (SENSITIVE.has(k)) remember(origin, v);
}

function walk(origin, v, key = '') {
  if (typeof v === 'string') {
    if (SENSITIVE.has(key) || WEBHOOK_SECRET.test(v)) remember(origin, v);
  } else if (Array.isArray(v)) {
    for (const e of v) walk(origin, e, key);
  } else if (v && typeof v === 'object') {
    for (const [k, e] of Object.entries(v)) walk(origin, e, k);
  }
}
