package httpapi_test

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// The setup page's own guarantees: refusals in plain words for unknown,
// expired, revoked links and deleted organizations; security headers on
// every answer; CSRF refusals; tenancy (a link reaches only its own
// organization, and only the connection kind it is pinned to); per-link
// limits; and no secret on the page. The login flow through the page is in
// tests/interop/setup_test.go and tests/conformance/setup_browser.test.mjs.

type pageResp struct {
	status int
	header http.Header
	body   string
	loc    string
}

func pageDo(t *testing.T, method, u string, form url.Values, header map[string]string) pageResp {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return pageResp{resp.StatusCode, resp.Header, string(raw), resp.Header.Get("Location")}
}

var pageCSRF = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]{64})"`)
var pageErrorType = regexp.MustCompile(`Error: <code>([^<]*)</code>`)

func newLink(e *apptest.Env, org string, body map[string]any) string {
	e.T.Helper()
	return e.MustOK(e.Call("POST", "/v1/b2b/sso/setup_links/"+org, body)).Str("url")
}

func wantRefusal(t *testing.T, r pageResp, status int, typ, words string) {
	t.Helper()
	m := pageErrorType.FindStringSubmatch(r.body)
	if r.status != status || m == nil || m[1] != typ || !strings.Contains(r.body, words) {
		t.Errorf("got %d %v, want %d %s with %q: %.600s", r.status, m, status, typ, words, r.body)
	}
	wantPageHeaders(t, r)
}

func wantPageHeaders(t *testing.T, r pageResp) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %s", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=|style="`).MatchString(r.body) {
		t.Errorf("the page has inline script or style: %.400s", r.body)
	}
}

func TestSetupPageRefusals(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		link := newLink(e, "acme", map[string]any{})
		home := pageDo(t, "GET", link, nil, nil)
		if home.status != http.StatusOK || !strings.Contains(home.body, "Set up single sign-on for Acme") {
			t.Fatalf("home: %d %.300s", home.status, home.body)
		}
		wantPageHeaders(t, home)

		wantRefusal(t, pageDo(t, "GET", e.URL+"/setup/seam-setup-test-"+strings.Repeat("0", 64), nil, nil), 404, "setup_link_not_found", "not valid")
		wantRefusal(t, pageDo(t, "GET", e.URL+"/setup/not-a-link", nil, nil), 404, "setup_link_not_found", "not valid")
		wantRefusal(t, pageDo(t, "GET", link[:len(link)-1]+"x", nil, nil), 404, "setup_link_not_found", "not valid")

		short := newLink(e, "acme", map[string]any{"expires_in_minutes": 1})
		e.Clock.Advance(2 * time.Minute)
		wantRefusal(t, pageDo(t, "GET", short, nil, nil), 410, "setup_link_expired", "expired")
		wantRefusal(t, pageDo(t, "GET", short+"/connections/saml-connection-test-00000000-0000-4000-8000-000000000000", nil, nil), 410, "setup_link_expired", "expired")

		revoked := e.MustOK(e.Call("POST", "/v1/b2b/sso/setup_links/acme", map[string]any{}))
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/setup_links/acme/links/"+revoked.Str("setup_link_id"), nil))
		wantRefusal(t, pageDo(t, "GET", revoked.Str("url"), nil, nil), 410, "setup_link_revoked", "switched off")

		doomed := e.CreateOrg("Doomed", "doomed")["organization_id"].(string)
		gone := newLink(e, "doomed", map[string]any{})
		e.MustOK(e.Call("DELETE", "/v1/b2b/organizations/"+doomed, nil))
		wantRefusal(t, pageDo(t, "GET", gone, nil, nil), 404, "setup_link_not_found", "not valid")
	})
}

func TestSetupPageCSRF(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	link := newLink(e, "acme", map[string]any{})
	token := pageCSRF.FindStringSubmatch(pageDo(t, "GET", link, nil, nil).body)[1]
	other := pageCSRF.FindStringSubmatch(pageDo(t, "GET", newLink(e, "acme", map[string]any{}), nil, nil).body)[1]
	if token == other {
		t.Fatal("two links share a CSRF token")
	}
	create := func(tok string, header map[string]string) pageResp {
		return pageDo(t, "POST", link+"/connections", url.Values{"kind": {"saml"}, "guide": {"okta"}, "csrf_token": {tok}}, header)
	}
	for _, c := range []struct {
		name   string
		token  string
		header map[string]string
	}{
		{"no token", "", nil},
		{"another link's token", other, nil},
		{"cross-site", token, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site, other origin", token, map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"foreign Origin", token, map[string]string{"Origin": "http://evil.example"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantRefusal(t, create(c.token, c.header), 403, "setup_csrf_invalid", "did not come from this setup page")
		})
	}
	if n := len(e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)); n != 0 {
		t.Fatalf("a refused form created %d connections", n)
	}
	ok := create(token, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"})
	if ok.status != http.StatusSeeOther || !strings.Contains(ok.loc, "/connections/saml-connection-test-") {
		t.Fatalf("a valid form: %d %q %.300s", ok.status, ok.loc, ok.body)
	}
	conns := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)
	if len(conns) != 1 || conns[0].(map[string]any)["identity_provider"] != "okta" {
		t.Fatalf("connections after the valid form: %v", conns)
	}
}

// TestSetupPageTenancy: a link for organization A can never read or change
// organization B's connections (same project or another), nor a kind it is
// not pinned to.
func TestSetupPageTenancy(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Beta", "beta")
		linkA := newLink(e, "acme", map[string]any{})
		token := pageCSRF.FindStringSubmatch(pageDo(t, "GET", linkA, nil, nil).body)[1]
		betaSAML := activeSAML(e, "beta", false)
		betaOIDC := createOIDC(e, "beta")["connection_id"].(string)
		conns := func() string {
			b := e.MustOK(e.Call("GET", "/v1/b2b/sso/beta", nil)).Body
			delete(b, "request_id")
			return fmt.Sprint(b)
		}
		before := conns()

		p2 := e.NewProject("test")
		e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: p2, Body: map[string]any{"organization_name": "P2", "organization_slug": "acme"}})
		p2SAML := e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/sso/saml/acme", Creds: p2, Body: map[string]any{}}).Obj("connection")["connection_id"].(string)

		for _, id := range []string{betaSAML, betaOIDC, p2SAML} {
			c := linkA + "/connections/" + id
			for _, r := range []pageResp{
				pageDo(t, "GET", c, nil, nil),
				pageDo(t, "GET", c+"/metadata", nil, nil),
				pageDo(t, "GET", c+"/tests/sso-login-attempt-test-00000000-0000-4000-8000-000000000000", nil, nil),
				pageDo(t, "POST", c+"/attributes", url.Values{"csrf_token": {token}, "email": {"x"}, "full_name": {"y"}}, nil),
				pageDo(t, "POST", c+"/saml", url.Values{"csrf_token": {token}, "idp_entity_id": {"https://evil.example"}}, nil),
				pageDo(t, "POST", c+"/oidc", url.Values{"csrf_token": {token}, "client_id": {"evil"}}, nil),
				pageDo(t, "POST", c+"/metadata_xml", url.Values{"csrf_token": {token}, "metadata_xml": {"<x/>"}}, nil),
				pageDo(t, "POST", c+"/test", url.Values{"csrf_token": {token}}, nil),
			} {
				if r.status != http.StatusNotFound || strings.Contains(r.body, id) && !strings.Contains(r.body, "was not found") {
					t.Errorf("link A on %s: %d %.300s", id, r.status, r.body)
				}
				if strings.Contains(r.body, "idp.example.com/beta") {
					t.Errorf("link A read organization B's settings: %.300s", r.body)
				}
			}
		}
		if home := pageDo(t, "GET", linkA, nil, nil); strings.Contains(home.body, betaSAML) || strings.Contains(home.body, p2SAML) {
			t.Errorf("link A's page lists another organization's connection")
		}
		if after := conns(); after != before {
			t.Errorf("organization B changed through link A:\n%s\n%s", before, after)
		}

		// A link pinned to OIDC neither shows nor creates SAML connections.
		acmeSAML := createSAML(e, "acme")["connection_id"].(string)
		pinned := newLink(e, "acme", map[string]any{"connection_kind": "oidc"})
		ptoken := pageCSRF.FindStringSubmatch(pageDo(t, "GET", pinned, nil, nil).body)[1]
		if r := pageDo(t, "GET", pinned+"/connections/"+acmeSAML, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("an OIDC link opened a SAML connection: %d", r.status)
		}
		if r := pageDo(t, "POST", pinned+"/connections", url.Values{"csrf_token": {ptoken}, "kind": {"saml"}}, nil); r.status != http.StatusBadRequest {
			t.Errorf("an OIDC link created a SAML connection: %d", r.status)
		}
		if r := pageDo(t, "GET", pinned, nil, nil); strings.Contains(r.body, acmeSAML) || strings.Contains(r.body, `value="saml"`) {
			t.Errorf("an OIDC link's page offers SAML")
		}
	})
}

func TestSetupPageNoSecrets(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	link := newLink(e, "acme", map[string]any{})
	home := pageDo(t, "GET", link, nil, nil)
	token := pageCSRF.FindStringSubmatch(home.body)[1]
	r := pageDo(t, "POST", link+"/connections", url.Values{"csrf_token": {token}, "kind": {"oidc"}, "guide": {"generic-oidc"}}, nil)
	conn := r.loc
	r = pageDo(t, "POST", e.URL+strings.SplitN(conn, "?", 2)[0]+"/oidc", url.Values{"csrf_token": {token}, "client_id": {"cid"}, "client_secret": {"sup3r-s3cret-value"}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving the secret: %d %.400s", r.status, r.body)
	}
	page := pageDo(t, "GET", e.URL+r.loc, nil, nil)
	if !strings.Contains(page.body, "client secret <strong>set</strong>") {
		t.Fatalf("the page does not say the secret is set: %.500s", page.body)
	}
	samlLoc := pageDo(t, "POST", link+"/connections", url.Values{"csrf_token": {token}, "kind": {"saml"}}, nil).loc
	samlPage := pageDo(t, "GET", e.URL+samlLoc, nil, nil)
	for _, p := range []pageResp{home, page, samlPage} {
		for _, secret := range []string{"sup3r-s3cret-value", "PRIVATE KEY", e.Creds.Secret, "sealed"} {
			if strings.Contains(p.body, secret) {
				t.Errorf("a setup page shows %q", secret)
			}
		}
	}
	if !strings.Contains(samlPage.body, "BEGIN CERTIFICATE") {
		t.Errorf("the SAML page lacks the SP signing certificate to copy")
	}
}

func TestSetupPageLinkLimits(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	link := newLink(e, "acme", map[string]any{})
	token := pageCSRF.FindStringSubmatch(pageDo(t, "GET", link, nil, nil).body)[1]
	var last pageResp
	for i := 0; i < 31; i++ {
		last = pageDo(t, "POST", link+"/connections", url.Values{"csrf_token": {token}, "kind": {"bogus"}}, nil)
	}
	wantRefusal(t, last, http.StatusTooManyRequests, "too_many_requests", "Too many changes")
	if last.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another link of the same organization is not affected.
	if r := pageDo(t, "GET", newLink(e, "acme", map[string]any{}), nil, nil); r.status != http.StatusOK {
		t.Errorf("another link: %d", r.status)
	}
}

// TestSetupPageConfigureByUploadAndHand: the metadata-upload and manual
// ways in, through the sso service's rules: an Okta document opens the
// Okta guide and sets identity_provider; a broken document or value is
// refused with the API's error type and changes nothing.
func TestSetupPageConfigureByUploadAndHand(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		link := newLink(e, "acme", map[string]any{})
		token := pageCSRF.FindStringSubmatch(pageDo(t, "GET", link, nil, nil).body)[1]
		loc := pageDo(t, "POST", link+"/connections", url.Values{"csrf_token": {token}, "kind": {"saml"}, "guide": {"generic-saml"}}, nil).loc
		conn := e.URL + strings.SplitN(loc, "?", 2)[0]
		id := conn[strings.LastIndex(conn, "/")+1:]
		view := func() map[string]any {
			for _, c := range e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any) {
				if m := c.(map[string]any); m["connection_id"] == id {
					return m
				}
			}
			t.Fatalf("connection %s is gone", id)
			return nil
		}

		cert, _ := testCert(t, "okta idp")
		block, _ := pem.Decode([]byte(cert))
		okta := fmt.Sprintf(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exk1fcia6d6EMsf331d8">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/acme_seam_1/exk1fcia6d6EMsf331d8/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, base64.StdEncoding.EncodeToString(block.Bytes))

		bad := pageDo(t, "POST", conn+"/metadata_xml", url.Values{"csrf_token": {token}, "metadata_xml": {"<html>login</html>"}}, nil)
		if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "That change was not saved") || !strings.Contains(bad.body, "<code>invalid_xml_from_saml_metadata_url</code>") {
			t.Errorf("broken metadata: %d %v", bad.status, pageErrorType.FindStringSubmatch(bad.body))
		}
		wantPageHeaders(t, bad)
		if v := view(); v["idp_entity_id"] != "" {
			t.Fatalf("a refused document changed the connection: %v", v)
		}

		r := pageDo(t, "POST", conn+"/metadata_xml", url.Values{"csrf_token": {token}, "metadata_xml": {okta}, "guide": {"generic-saml"}}, nil)
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "guide=okta") || !strings.Contains(r.loc, "saved=metadata") {
			t.Fatalf("Okta metadata: %d %q %.300s", r.status, r.loc, r.body)
		}
		v := view()
		if v["idp_entity_id"] != "http://www.okta.com/exk1fcia6d6EMsf331d8" || v["identity_provider"] != "okta" || len(v["verification_certificates"].([]any)) != 1 {
			t.Fatalf("after Okta metadata: %v", v)
		}
		page := pageDo(t, "GET", e.URL+r.loc, nil, nil)
		for _, want := range []string{"Recognised from the IdP's metadata: <strong>Okta</strong>", "Guide: Okta", "Audience URI (SP Entity ID)", "value=\"firstName\""} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the Okta page lacks %q: %s", want, page.body[strings.Index(page.body, "<section class=\"guide\">"):][:300])
			}
		}
		if !strings.Contains(page.header.Get("Content-Security-Policy"), "form-action 'self' https://acme.okta.com;") {
			t.Errorf("the test form may not lead to the IdP: %q", page.header.Get("Content-Security-Policy"))
		}

		// By hand: a bad SSO URL is the API's error; a good one is saved.
		bad = pageDo(t, "POST", conn+"/saml", url.Values{"csrf_token": {token}, "idp_sso_url": {"ftp://idp.example/sso"}}, nil)
		if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "<code>saml_connection_idp_sso_url_invalid_format</code>") {
			t.Errorf("bad SSO URL: %d %v", bad.status, pageErrorType.FindStringSubmatch(bad.body))
		}
		cert2, _ := testCert(t, "second idp cert")
		r = pageDo(t, "POST", conn+"/saml", url.Values{"csrf_token": {token}, "idp_sso_url": {"https://idp.example/sso"},
			"idp_entity_id": {"https://idp.example/entity"}, "x509_certificate": {cert2}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("by hand: %d %.600s", r.status, r.body)
		}
		if v := view(); v["idp_sso_url"] != "https://idp.example/sso" || len(v["verification_certificates"].([]any)) != 2 || v["status"] != "pending" {
			t.Fatalf("after the manual values: %v", v)
		}
		r = pageDo(t, "POST", conn+"/attributes", url.Values{"csrf_token": {token}, "first_name": {"givenName"}}, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("a mapping without email was saved: %d", r.status)
		}
		r = pageDo(t, "POST", conn+"/attributes", url.Values{"csrf_token": {token}, "email": {"mail"}, "full_name": {"cn"}}, nil)
		if r.status != http.StatusSeeOther || view()["status"] != "active" {
			t.Fatalf("mapping: %d, status %v", r.status, view()["status"])
		}

		// A weaker setting made through the API is named on the page in
		// sso's own words (the API's security_warnings).
		e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"allow_legacy_rsa_sha1": true}))
		if page := pageDo(t, "GET", conn, nil, nil); !strings.Contains(page.body, "allow_legacy_rsa_sha1 is on") {
			t.Errorf("the page does not warn about the legacy algorithm")
		}

		// Every saved change above is an event of the link's (source
		// SETUP_LINK, actor the setup link); the refused ones are none.
		counts := map[string]int{}
		for _, ev := range eventsAfter(t, e, 0) {
			if strings.Contains(ev.payload, id) && ev.source == "SETUP_LINK" {
				if ev.actor != "setup_link" {
					t.Errorf("%s recorded with actor %q", ev.typ, ev.actor)
				}
				counts[ev.typ]++
			}
		}
		// Created, then metadata XML, manual values and mapping: one create
		// and at least one update per saved form (a form whose save is
		// more than one service call records each).
		if counts["setup_link.saml_connection.create"] != 1 || counts["setup_link.saml_connection.update"] < 3 {
			t.Errorf("setup-page events = %v; want one create and three or more updates", counts)
		}
	})
}

// TestSetupPageInvalidLinksAreLimited: opening setup links that do not exist
// is bounded per client address like guessing a secret (the failed
// authentication limit); another address, and a real link from another
// address, still open.
func TestSetupPageInvalidLinksAreLimited(t *testing.T) {
	e := apptest.New(t, "sqlite", func(c *config.Config) {
		c.LimitAddress, c.LimitAuthFailures = 100, 3 // the failure limit, not the route's own, is under test
		c.TrustedProxies = "127.0.0.1/32, ::1"
	})
	e.CreateOrg("Acme", "acme")
	guess := e.URL + "/setup/seam-setup-test-" + strings.Repeat("0", 43)
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	for i := 0; i < 3; i++ {
		if r := pageDo(t, "GET", guess, nil, from("192.0.2.80")); r.status != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	r := pageDo(t, "GET", guess, nil, from("192.0.2.80"))
	wantRefusal(t, r, http.StatusTooManyRequests, "too_many_requests", "Too many invalid setup links")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	link := newLink(e, "acme", map[string]any{})
	if r := pageDo(t, "GET", link, nil, from("192.0.2.81")); r.status != http.StatusOK {
		t.Errorf("a real link from another address: %d", r.status)
	}
}
