// Events and webhooks (docs/events.md): a Node receiver verifies every
// delivery with the real `svix` and `standardwebhooks` packages, as an
// application that verifies Stytch's webhooks does, and keeps a log
// deduplicated by message ID. Changes go through the official SDK and the
// seam CLI; the receiver is down for a while and Seam restarts in between,
// and every event still arrives, once in the deduplicated log. Changes made
// by an identity provider over SCIM HTTP and by an IT admin posting the
// setup page's forms arrive the same way, with their own sources.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Webhook as SvixWebhook } from 'svix';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describeEachBackend } from './harness.mjs';
import { remember } from './secret_scan.mjs';

/** A webhook receiver on loopback; status() is what it answers. */
function startReceiver() {
  const r = {
    secrets: [],
    status: 204,
    log: new Map(), // webhook-id -> parsed payload (first receipt)
    hits: new Map(), // webhook-id -> deliveries seen
    failures: [],
    server: null,
    url: '',
  };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload = null;
      let verified = false;
      for (const secret of r.secrets) {
        try {
          // svix throws when the signature does not verify (its 2.x
          // verify returns nothing); standardwebhooks returns the payload.
          new SvixWebhook(secret).verify(body, {
            'svix-id': req.headers['svix-id'],
            'svix-timestamp': req.headers['svix-timestamp'],
            'svix-signature': req.headers['svix-signature'],
          });
          const std = new StandardWebhook(secret).verify(body, {
            'webhook-id': req.headers['webhook-id'],
            'webhook-timestamp': req.headers['webhook-timestamp'],
            'webhook-signature': req.headers['webhook-signature'],
          });
          payload = std;
          verified = true;
          break;
        } catch (e) {
          // try the next secret
        }
      }
      if (!verified) {
        r.failures.push(`${req.headers['svix-id']}: no secret verifies`);
        res.writeHead(400).end();
        return;
      }
      if (r.status >= 300) {
        res.writeHead(r.status).end();
        return;
      }
      const id = req.headers['webhook-id'];
      r.hits.set(id, (r.hits.get(id) ?? 0) + 1);
      if (!r.log.has(id)) r.log.set(id, payload);
      res.writeHead(r.status).end();
    });
  });
  return new Promise((resolve) => {
    r.server.listen(0, '127.0.0.1', () => {
      r.url = `http://127.0.0.1:${r.server.address().port}/stytch-webhooks`;
      resolve(r);
    });
  });
}

async function waitFor(what, cond, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function restart(seam) {
  await seam.killServer();
  seam.spawnServer();
  await waitFor('seam serve to be ready again', async () => {
    try {
      return (await fetch(seam.baseURL + '/readyz')).status === 200;
    } catch {
      return false;
    }
  }, 30000);
}

describeEachBackend(
  'events and webhooks',
  (seam) => {
    let rcv;
    let endpointId;
    const uid = (p) => `${p}-${randomBytes(4).toString('hex')}`;

    before(async () => {
      rcv = await startReceiver();
    });
    after(() => rcv?.server.close());

    /** Every event of the project, through GET /v1/events and its cursors. */
    async function allEvents() {
      const out = [];
      let cursor = '';
      for (;;) {
        const r = await seam.request('GET', `/v1/events?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        out.push(...r.json.events);
        if (!r.json.next_cursor) return out;
        cursor = r.json.next_cursor;
      }
    }

    it('creates an endpoint: the signing secret is shown once, never listed', async () => {
      const r = await seam.request('POST', '/v1/webhooks/endpoints', { body: { url: rcv.url } });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.signing_secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      assert.equal(r.json.endpoint.enabled, true);
      endpointId = r.json.endpoint.endpoint_id;
      rcv.secrets = [r.json.signing_secret];
      const list = await seam.request('GET', '/v1/webhooks/endpoints');
      assert.equal(list.status, 200);
      assert.ok(!list.text.includes('whsec_'));
      // Member sessions are refused on the webhook and events routes; a
      // private destination is refused when saved.
      const bad = await seam.request('POST', '/v1/webhooks/endpoints', { body: { url: 'https://10.0.0.1/hook' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error_type, 'invalid_webhook_url');
    });

    it('delivers every change made through the SDK and the CLI, across a receiver outage and a Seam restart', async () => {
      rcv.status = 503; // the application is down
      const c = seam.client;
      const org = (await c.organizations.create({ organization_name: 'Hooked', organization_slug: uid('hooked') })).organization;
      await c.organizations.update({ organization_id: org.organization_id, organization_name: 'Hooked Inc' });
      const m = (await c.organizations.members.create({ organization_id: org.organization_id, email_address: `${uid('ada')}@hooked.example`, name: 'Ada' })).member;
      await c.organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, name: 'Ada L.' });
      const saml = (await c.sso.saml.createConnection({ organization_id: org.organization_id, display_name: 'Okta' })).connection;
      await c.sso.saml.updateConnection({ organization_id: org.organization_id, connection_id: saml.connection_id, display_name: 'Okta SAML' });
      const oidc = (await c.sso.oidc.createConnection({ organization_id: org.organization_id, display_name: 'Entra' })).connection;
      await c.sso.deleteConnection({ organization_id: org.organization_id, connection_id: oidc.connection_id });
      await c.organizations.members.delete({ organization_id: org.organization_id, member_id: m.member_id });
      await seam.cli(['project', 'redirect-url', 'add', '--project', seam.projectId, '--url', `https://${uid('app')}.example/cb`]);

      // Attempts are visible with the receiver's status.
      await waitFor('a failed attempt', async () => {
        const d = await seam.request('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries`);
        return d.json.attempts.some((a) => a.status_code === 503 && a.outcome === 'http_error');
      }, 20000);

      await restart(seam);
      rcv.status = 204; // the application is back

      const events = await allEvents();
      const types = events.map((e) => e.event_type);
      for (const t of [
        'direct.organization.create', 'direct.organization.update', 'direct.member.create', 'direct.member.update',
        'direct.saml_connection.create', 'direct.saml_connection.update', 'direct.oidc_connection.create',
        'direct.oidc_connection.delete', 'direct.member.delete', 'operator.redirect_url.create', 'direct.webhook_endpoint.create',
      ]) {
        assert.ok(types.includes(t), `${t} in ${types}`);
      }
      // Events from before the endpoint existed (the project's creation) are not sent to it.
      const created = events.find((e) => e.event_type === 'direct.webhook_endpoint.create');
      const expected = events.filter((e) => e.created_at >= created.created_at);
      await waitFor('every event at the receiver', () => expected.every((e) => rcv.log.has(e.event_id)), 90000);

      assert.deepEqual(rcv.failures, []);
      for (const e of expected) {
        const body = rcv.log.get(e.event_id);
        assert.deepEqual(body, e.payload, `payload of ${e.event_type}`);
        assert.equal(body.event_id, e.event_id);
        assert.equal(body.project_id, seam.projectId);
        assert.equal(body.vertical, 'B2B');
        assert.equal(`${body.source.toLowerCase()}.${body.object_type}.${body.action.toLowerCase()}`, e.event_type);
      }
      const orgCreate = rcv.log.get(events.find((e) => e.event_type === 'direct.organization.create').event_id);
      assert.equal(orgCreate.organization.organization_id, org.organization_id);
      assert.equal(orgCreate.id, org.organization_id);
      const samlCreate = rcv.log.get(events.find((e) => e.event_type === 'direct.saml_connection.create').event_id);
      assert.equal(samlCreate.saml_connection.connection_id, saml.connection_id);
      assert.ok(!JSON.stringify(samlCreate).includes('PRIVATE KEY'), 'no private key in an event');
      const del = rcv.log.get(events.find((e) => e.event_type === 'direct.member.delete').event_id);
      assert.equal(del.member, undefined, 'a DELETE carries no object');
      const cli = events.find((e) => e.event_type === 'operator.redirect_url.create');
      assert.equal(cli.actor.type, 'cli');
    });

    it('delivers the changes made over SCIM and through the setup page, verified, with their sources', async () => {
      const c = seam.client;
      const org = (await c.organizations.create({ organization_name: 'Provisioned', organization_slug: uid('prov') })).organization;
      const orgId = org.organization_id;

      // SCIM, as an identity provider: the connection's base URL and bearer token.
      const conn = (await c.scim.connection.create({ organization_id: orgId, display_name: 'Okta SCIM', identity_provider: 'okta' })).connection;
      const scim = async (method, path, body) => {
        const res = await fetch(conn.base_url.split('?')[0] + path, {
          method,
          headers: { authorization: `Bearer ${conn.bearer_token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      };
      const email = `${uid('grace')}@provisioned.example`;
      const created = await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        name: { givenName: 'Grace', familyName: 'Hopper' },
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const patch = (value) => scim('PATCH', `/Users/${created.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value }],
      });
      const renamed = await patch({ displayName: 'Grace B. Hopper' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      const deactivated = await patch({ active: false });
      assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));

      // The setup page, as a browser posts its forms: the page's CSRF token
      // in each form, same origin.
      const link = await seam.request('POST', `/v1/b2b/sso/setup_links/${orgId}`, { body: { expires_in_minutes: 60 } });
      assert.equal(link.status, 200, link.text);
      const pageURL = link.json.url;
      remember(seam.baseURL, new URL(pageURL).pathname.split('/')[2]); // the link's secret must never be logged
      const home = await fetch(pageURL);
      assert.equal(home.status, 200);
      const csrf = (await home.text()).match(/name="csrf_token" value="([0-9a-f]+)"/)?.[1];
      assert.ok(csrf, 'the page carries a CSRF token');
      const post = async (path, fields) => {
        const res = await fetch(pageURL + path, {
          method: 'POST',
          redirect: 'manual',
          headers: { origin: new URL(seam.baseURL).origin, 'sec-fetch-site': 'same-origin' },
          body: new URLSearchParams({ ...fields, csrf_token: csrf }),
        });
        assert.equal(res.status, 303, `${path}: ${await res.text()}`);
        return res.headers.get('location');
      };
      const at = await post('/connections', { kind: 'saml', guide: 'okta', display_name: 'Okta via setup' });
      const samlId = at.match(/\/connections\/(saml-connection-[^/?]+)/)?.[1];
      assert.ok(samlId, at);
      await post(`/connections/${samlId}/attributes`, { email: 'mail', first_name: 'given', last_name: 'sn', guide: 'okta' });

      const events = (await allEvents()).filter((e) => e.organization_id === orgId);
      const byType = (t) => events.filter((e) => e.event_type === t);
      for (const t of [
        'direct.scim_connection.create', 'scim.member.create', 'scim.member.update', 'scim.member.delete',
        'direct.setup_link.create', 'setup_link.saml_connection.create', 'setup_link.saml_connection.update',
      ]) {
        assert.ok(byType(t).length > 0, `${t} in ${events.map((e) => e.event_type)}`);
      }
      await waitFor('the SCIM and setup page events at the receiver', () => events.every((e) => rcv.log.has(e.event_id)), 60000);
      assert.deepEqual(rcv.failures, []);
      for (const e of events) {
        const body = rcv.log.get(e.event_id);
        assert.deepEqual(body, e.payload, `payload of ${e.event_type}`);
        assert.equal(`${body.source.toLowerCase()}.${body.object_type}.${body.action.toLowerCase()}`, e.event_type);
      }
      const scimCreate = rcv.log.get(byType('scim.member.create')[0].event_id);
      assert.equal(scimCreate.source, 'SCIM');
      assert.equal(scimCreate.member.email_address, email);
      assert.equal(byType('scim.member.create')[0].actor.type, 'scim_token');
      assert.equal(byType('scim.member.create')[0].actor.id, conn.connection_id);
      const gone = rcv.log.get(byType('scim.member.delete')[0].event_id);
      assert.equal(gone.id, scimCreate.id, 'the deactivated member');
      assert.equal(gone.member, undefined, 'a DELETE carries no object');
      const scimConn = rcv.log.get(byType('direct.scim_connection.create')[0].event_id);
      assert.ok(!JSON.stringify(scimConn).includes(conn.bearer_token), 'no bearer token in an event');
      const viaPage = byType('setup_link.saml_connection.update');
      const pageUpdate = rcv.log.get(viaPage[viaPage.length - 1].event_id);
      assert.equal(pageUpdate.source, 'SETUP_LINK');
      assert.equal(pageUpdate.saml_connection.connection_id, samlId);
      assert.equal(pageUpdate.saml_connection.attribute_mapping.email, 'mail');
      assert.equal(viaPage[0].actor.type, 'setup_link');
    });

    it('rotates the secret: both secrets sign during the overlap', async () => {
      const r = await seam.request('POST', `/v1/webhooks/endpoints/${endpointId}/rotate_secret`);
      assert.equal(r.status, 200, r.text);
      // Each secret alone verifies.
      for (const secret of [rcv.secrets[0], r.json.signing_secret]) {
        rcv.secrets = [secret];
        const org = (await seam.client.organizations.create({ organization_name: 'Rotated', organization_slug: uid('rot') })).organization;
        const ev = (await seam.request('GET', `/v1/events?object_id=${org.organization_id}`)).json.events[0];
        await waitFor('the delivery', () => rcv.log.has(ev.event_id), 30000);
      }
      assert.deepEqual(rcv.failures, []);
    });

    it('replays one event with its ID, which a deduplicating receiver already has', async () => {
      const ev = (await seam.request('GET', '/v1/events?event_type=direct.organization.create&limit=1')).json.events[0];
      const seen = rcv.hits.get(ev.event_id) ?? 0;
      const r = await seam.request('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, { body: { event_id: ev.event_id } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.replayed, 1);
      await waitFor('the replayed delivery', () => (rcv.hits.get(ev.event_id) ?? 0) > seen, 30000);
      const bad = await seam.request('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, { body: {} });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error_type, 'invalid_replay');
    });

    it('deletes the endpoint', async () => {
      const r = await seam.request('DELETE', `/v1/webhooks/endpoints/${endpointId}`);
      assert.equal(r.status, 200, r.text);
      const gone = await seam.request('GET', `/v1/webhooks/endpoints/${endpointId}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.json.error_type, 'webhook_endpoint_not_found');
    });
  },
  { env: { SEAM_OUTBOUND_ALLOW: '127.0.0.0/8' } },
);

