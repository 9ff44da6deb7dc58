// A small SAML 2.0 IdP built on samlify, for Seam's interop (Go) and
// conformance (Node) tests. It knows one service provider (from its SP
// metadata) and one user, who is logged in without a prompt: the tests are
// about the SP, not about the IdP's login page.
//
// Endpoints (under the base URL):
//   GET /metadata          IdP metadata (entity ID = base URL + /metadata)
//   GET /sso               HTTP-Redirect AuthnRequest; the AuthnRequest's
//                          signature is verified (the SP metadata says
//                          AuthnRequestsSigned) and the request is schema-
//                          validated; answers an HTML auto-post form with the
//                          SAMLResponse
//   GET /idp-initiated     unsolicited response (optional ?RelayState=)
//   GET /last-request      JSON facts about the last AuthnRequest accepted
//
// Schema validation: samlify refuses to parse anything until a schema
// validator is set. @authenio/samlify-xmllint-wasm is the authors' validator
// compiled to WebAssembly (libxml2's xmllint), so it installs from npm with
// no Java and no native build; it validates against the SAML 2.0 XSDs.

import samlify from 'samlify';
import * as validator from '@authenio/samlify-xmllint-wasm';
import http from 'node:http';

samlify.setSchemaValidator(validator);

const { Constants } = samlify;
const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** Attribute names the IdP sends, in the style of Microsoft Entra ID. */
export const ATTRIBUTES = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  firstName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  lastName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
};

/** The attribute_mapping for a Seam connection to this IdP. */
export const ATTRIBUTE_MAPPING = {
  email: ATTRIBUTES.email,
  first_name: ATTRIBUTES.firstName,
  last_name: ATTRIBUTES.lastName,
  groups: ATTRIBUTES.groups,
};

// Up to this many group values; samlify's attribute template has one value
// per Attribute, so each group is its own Attribute with the same Name (SAML
// allows it; SPs merge them).
const MAX_GROUPS = 4;

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function postForm(action, fields) {
  const inputs = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<input type="hidden" name="${escapeHTML(k)}" value="${escapeHTML(v)}"/>`)
    .join('');
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHTML(action)}">${inputs}<noscript><input type="submit" value="Continue"/></noscript></form></body></html>`;
}

/**
 * Creates the IdP.
 *
 * options:
 *   baseURL      where the IdP is served (no trailing slash)
 *   spMetadata   the SP's metadata XML (Seam's GET .../metadata)
 *   privateKey   PEM private key for signing; certificate: its PEM certificate
 *   user         { email, firstName, lastName, groups: [] } (NameID = email)
 *   signing      'assertion' (samlify's default for an SP that wants signed
 *                assertions), 'both', or 'response'
 *   encrypt      encrypt the assertion for the SP's encryption certificate
 *                (AES-128-GCM, RSA-OAEP)
 */
export function createIdP({ baseURL, spMetadata, privateKey, certificate, user, signing = 'assertion', encrypt = false }) {
  if (!baseURL || !spMetadata || !privateKey || !certificate || !user?.email) {
    throw new Error('createIdP: baseURL, spMetadata, privateKey, certificate and user.email are required');
  }
  if (!['assertion', 'both', 'response'].includes(signing)) throw new Error(`createIdP: unknown signing ${signing}`);
  const groups = (user.groups || []).slice(0, MAX_GROUPS);

  const attributes = [
    { name: ATTRIBUTES.email, valueTag: 'email', nameFormat: BASIC, valueXsiType: 'xs:string' },
    { name: ATTRIBUTES.firstName, valueTag: 'firstName', nameFormat: BASIC, valueXsiType: 'xs:string' },
    { name: ATTRIBUTES.lastName, valueTag: 'lastName', nameFormat: BASIC, valueXsiType: 'xs:string' },
    ...groups.map((_, i) => ({ name: ATTRIBUTES.groups, valueTag: `group${i}`, nameFormat: BASIC, valueXsiType: 'xs:string' })),
  ];

  const idp = samlify.IdentityProvider({
    entityID: `${baseURL}/metadata`,
    privateKey,
    signingCert: certificate,
    nameIDFormat: [NAMEID_EMAIL],
    wantAuthnRequestsSigned: true,
    isAssertionEncrypted: encrypt,
    dataEncryptionAlgorithm: Constants.algorithms.encryption.data.AES_128_GCM,
    keyEncryptionAlgorithm: Constants.algorithms.encryption.key.RSA_OAEP_MGF1P,
    singleSignOnService: [{ Binding: Constants.namespace.binding.redirect, Location: `${baseURL}/sso` }],
    loginResponseTemplate: {
      context: samlify.SamlLib.defaultLoginResponseTemplate.context,
      attributes,
    },
  });

  // samlify signs the assertion when the SP metadata says
  // WantAssertionsSigned, and the Response when the SP entity has
  // wantMessageSigned or does not want signed assertions. 'response' is the
  // IdP operator recording that this SP does not need signed assertions.
  const meta = signing === 'response' ? spMetadata.replace(/WantAssertionsSigned="true"/, 'WantAssertionsSigned="false"') : spMetadata;
  const sp = samlify.ServiceProvider({ metadata: meta, wantMessageSigned: signing === 'both' });

  let lastRequest = null;

  // customTagReplacement is samlify's hook for filling the response
  // template; it fills the same values as its built-in default plus the
  // attribute values.
  function filler(inResponseTo, acsURL) {
    return (template) => {
      const now = new Date();
      const later = new Date(now.getTime() + 5 * 60 * 1000);
      const id = idp.entitySetting.generateID();
      const values = {
        ID: id,
        AssertionID: idp.entitySetting.generateID(),
        Destination: acsURL,
        Audience: sp.entityMeta.getEntityID(),
        EntityID: sp.entityMeta.getEntityID(),
        SubjectRecipient: acsURL,
        Issuer: idp.entityMeta.getEntityID(),
        IssueInstant: now.toISOString(),
        AssertionConsumerServiceURL: acsURL,
        StatusCode: Constants.StatusCode.Success,
        ConditionsNotBefore: now.toISOString(),
        ConditionsNotOnOrAfter: later.toISOString(),
        SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
        NameIDFormat: NAMEID_EMAIL,
        NameID: user.email,
        // undefined drops the attribute: an unsolicited response has none.
        InResponseTo: inResponseTo,
        AuthnStatement: '',
        attrEmail: user.email,
        attrFirstName: user.firstName || '',
        attrLastName: user.lastName || '',
      };
      groups.forEach((g, i) => {
        values[`attrGroup${i}`] = g;
      });
      return { id, context: samlify.SamlLib.replaceTagsByValue(template, values) };
    };
  }

  // The ACS URL to answer at: the one the AuthnRequest asked for when the
  // SP metadata lists it with the POST binding, else the metadata's POST
  // endpoint (samlify's own choice for a response).
  function acsFor(requested) {
    const all = [].concat(sp.entityMeta.getAssertionConsumerService() || []);
    const post = all.filter((e) => e.binding === Constants.namespace.binding.post).map((e) => e.location);
    if (requested && post.includes(requested)) return requested;
    return sp.entityMeta.getAssertionConsumerService(Constants.wording.binding.post);
  }

  async function respond(res, inResponseTo, requestedACS, relayState) {
    const acsURL = acsFor(requestedACS);
    if (!acsURL) throw new Error('the SP metadata has no HTTP-POST AssertionConsumerService');
    const { context } = await idp.createLoginResponse(sp, inResponseTo ? { extract: { request: { id: inResponseTo } } } : {}, 'post', { email: user.email }, {
      customTagReplacement: filler(inResponseTo, acsURL),
      relayState,
    });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(postForm(acsURL, { SAMLResponse: context, RelayState: relayState || undefined }));
  }

  async function handle(req, res) {
    const url = new URL(req.url, baseURL);
    try {
      if (req.method === 'GET' && url.pathname === '/metadata') {
        res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' });
        res.end(idp.getMetadata());
        return;
      }
      if (req.method === 'GET' && url.pathname === '/sso') {
        // The signature of the HTTP-Redirect binding covers the query
        // parameters exactly as sent, so the octet string is rebuilt from
        // the raw query, not from decoded values.
        const raw = url.search.slice(1).split('&');
        const pick = (k) => raw.find((p) => p.startsWith(k + '='));
        const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].map(pick).filter(Boolean).join('&');
        const query = Object.fromEntries(url.searchParams);
        const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
        const request = parsed.extract.request || {};
        lastRequest = {
          id: request.id,
          issuer: parsed.extract.issuer,
          acs_url: request.assertionConsumerServiceUrl,
          destination: request.destination,
          signature_verified: Boolean(parsed.sigAlg),
          sig_alg: parsed.sigAlg,
          nameid_format: parsed.extract.nameIDPolicy?.format,
        };
        await respond(res, request.id, request.assertionConsumerServiceUrl, query.RelayState);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/idp-initiated') {
        await respond(res, undefined, undefined, url.searchParams.get('RelayState') || undefined);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/last-request') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(lastRequest));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    } catch (e) {
      // samlify reports failures as Error('ERR_...'); the code is what a
      // test needs to see.
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`samlify IdP refused the request: ${e?.message || e}`);
    }
  }

  return { idp, sp, handle, metadata: () => idp.getMetadata(), lastRequest: () => lastRequest };
}

/**
 * Starts the IdP on 127.0.0.1 (port 0 picks a free port). Resolves to
 * { url, metadataURL, loopbackMetadataURL, close(), lastRequest() }.
 * publicHost names the IdP in its metadata and endpoints (e.g. 'localhost',
 * another site than Seam's 127.0.0.1 for browser tests); the server still
 * listens on 127.0.0.1, which loopbackMetadataURL reaches directly.
 */
export async function startIdP(options, { port = 0, publicHost = '127.0.0.1' } = {}) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const baseURL = `http://${publicHost}:${server.address().port}`;
  let idp;
  try {
    idp = createIdP({ ...options, baseURL });
  } catch (e) {
    server.close();
    throw e;
  }
  server.on('request', (req, res) => {
    idp.handle(req, res).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  return {
    url: baseURL,
    metadataURL: `${baseURL}/metadata`,
    loopbackMetadataURL: `http://127.0.0.1:${server.address().port}/metadata`,
    lastRequest: idp.lastRequest,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
