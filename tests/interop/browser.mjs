// A plain HTTP client that behaves like a browser in an SSO login (the Node
// twin of browser_test.go): a cookie jar, redirects followed one by one, and
// auto-post forms (a form whose inputs are all hidden) submitted by reading
// the form's action and inputs. It stops, without fetching, at the first
// URL for which stop(url) is true (the application's redirect URL).
// No dependencies: only fetch from Node 20+.

const MAX_HOPS = 20;

function decodeEntities(s) {
  return s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attrs(s) {
  const out = {};
  for (const m of s.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** Forms of an HTML page: { action (URL), method, fields: [[name, value]], hiddenOnly }. */
export function parseForms(pageURL, html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi)) {
    const fa = attrs(m[1]);
    const fields = [];
    let hiddenOnly = true;
    for (const im of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const ia = attrs(im[1]);
      const type = (ia.type || 'text').toLowerCase();
      if (['submit', 'button', 'image', 'reset'].includes(type) || !ia.name) continue;
      if (type !== 'hidden') hiddenOnly = false;
      fields.push([ia.name, ia.value ?? '']);
    }
    forms.push({
      action: new URL(fa.action || '', pageURL),
      method: (fa.method || 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
      fields,
      hiddenOnly,
    });
  }
  return forms;
}

export class Browser {
  constructor({ stop = () => false } = {}) {
    this.stop = stop;
    this.cookies = []; // { name, value, host, path }
    this.history = [];
    this.forms = [];
  }

  cookieHeader(url) {
    return this.cookies
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : c.path + '/')))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  storeCookies(url, res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...opts] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const c = { name: pair.slice(0, eq), value: pair.slice(eq + 1), host: url.hostname, path: '/' };
      let remove = false;
      for (const o of opts) {
        const [k, v = ''] = o.split('=');
        if (k.toLowerCase() === 'path' && v.startsWith('/')) c.path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) remove = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) remove = true;
      }
      this.cookies = this.cookies.filter((x) => !(x.name === c.name && x.host === c.host && x.path === c.path));
      if (!remove) this.cookies.push(c);
    }
  }

  async request(method, url, body) {
    const headers = { Accept: 'text/html,*/*' };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.Cookie = cookie;
    if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(15000) });
    this.storeCookies(url, res);
    const text = await res.text();
    this.history.push(`${method} ${url.origin}${url.pathname} -> ${res.status}`);
    return { res, text };
  }

  /** Navigates; resolves { url, stopped, status, body }. */
  async get(url) {
    return this.navigate({ method: 'GET', action: new URL(url), fields: [] });
  }

  /** Submits a form (e.g. one kept in this.forms, to replay it). */
  async submit(form) {
    return this.navigate(form);
  }

  async navigate(next) {
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (this.stop(next.action)) return { url: next.action, stopped: true };
      let url = next.action;
      let body;
      if (next.method === 'POST') {
        body = new URLSearchParams(next.fields).toString();
      } else if (next.fields.length) {
        url = new URL(url);
        url.search = new URLSearchParams(next.fields).toString();
      }
      const { res, text } = await this.request(next.method, url, body);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        next = { method: 'GET', action: new URL(location, url), fields: [] };
        continue;
      }
      if (res.status === 200 && (res.headers.get('content-type') || '').includes('html')) {
        const forms = parseForms(url, text);
        if (forms.length === 1 && forms[0].hiddenOnly) {
          next = forms[0];
          this.forms.push(next);
          continue;
        }
      }
      return { url, stopped: false, status: res.status, body: text };
    }
    throw new Error(`more than ${MAX_HOPS} hops:\n${this.history.join('\n')}`);
  }
}
