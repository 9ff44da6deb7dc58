package httpapi_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/saml/samltest"
)

// samlFixture is an organization with an active SAML connection trusting an
// in-process test IdP.
type samlFixture struct {
	e      *apptest.Env
	idp    *samltest.IdP
	orgID  string
	connID string
	acs    string
}

const testIdPEntity = "https://idp.example/metadata"

func newSAMLFixture(t *testing.T, backend string, opts ...apptest.Option) *samlFixture {
	t.Helper()
	e := apptest.New(t, backend, opts...)
	org := e.CreateOrg("Acme", "acme")
	c := createSAML(e, "acme")
	key, err := samltest.NewRSAKey(2048, "test idp", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f := &samlFixture{e: e, idp: &samltest.IdP{EntityID: testIdPEntity, Key: key},
		orgID: org["organization_id"].(string), connID: c["connection_id"].(string), acs: c["acs_url"].(string)}
	e.MustOK(e.Call("PUT", samlPath("acme", f.connID), map[string]any{
		"idp_entity_id": testIdPEntity, "idp_sso_url": "https://idp.example/sso",
		"x509_certificate":  keys.EncodeCertificatePEM(key.Certificate),
		"attribute_mapping": map[string]any{"email": "mail", "full_name": "name", "groups": "groups"},
	}))
	return f
}

// start runs the start endpoint in browser b and returns the AuthnRequest ID
// (the name of the cookie it set) and the redirect.
func (f *samlFixture) start(t *testing.T, b *http.Client, extra string) (string, *url.URL) {
	t.Helper()
	resp, err := b.Get(f.e.URL + "/v1/public/sso/start?connection_id=" + f.connID + "&public_token=" + f.e.Creds.PublicToken + extra)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "seam_sso_") {
			if !c.HttpOnly || c.Path != "/v1/b2b/sso/callback/"+f.connID {
				t.Errorf("request cookie %+v", c)
			}
			return strings.TrimPrefix(c.Name, "seam_sso_"), loc
		}
	}
	t.Fatal("start set no request cookie")
	return "", nil
}

type respOpts struct {
	inResponseTo string
	nameID       string
	nameIDFormat string
	email        string
	signResponse bool
	audience     string
	assertionID  string
	sign         samltest.SignOptions
}

func (f *samlFixture) response(t *testing.T, o respOpts) string {
	t.Helper()
	if o.nameID == "" {
		o.nameID = "ada@acme.example"
	}
	if o.email == "" {
		o.email = o.nameID
	}
	if o.audience == "" {
		o.audience = f.acs
	}
	doc, err := f.idp.Make(samltest.Options{
		ResponseOptions: samltest.ResponseOptions{
			Now: time.Now(), InResponseTo: o.inResponseTo, Destination: f.acs, Audiences: []string{o.audience},
			NameID: o.nameID, NameIDFormat: o.nameIDFormat, AssertionID: o.assertionID,
			Attributes: []samltest.Attribute{{Name: "mail", Values: []string{o.email}}, {Name: "name", Values: []string{"Ada Lovelace"}},
				{Name: "groups", Values: []string{"engineering", "admins"}}},
		},
		SignAssertion: !o.signResponse, SignResponse: o.signResponse, Sign: o.sign,
	})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := samltest.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// post sends a SAMLResponse to the ACS in browser b (to the test server,
// whatever host the base URL names).
func (f *samlFixture) post(t *testing.T, b *http.Client, samlResponse string) (*http.Response, string) {
	t.Helper()
	acs, _ := url.Parse(f.acs)
	resp, err := b.PostForm(f.e.URL+acs.Path, url.Values{"SAMLResponse": {samlResponse}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func tokenFrom(t *testing.T, resp *http.Response, body string) (string, *url.URL) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("ACS: %d %s", resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("stytch_token_type") != "sso" || loc.Query().Get("token") == "" {
		t.Fatalf("redirect lacks the token: %s", loc)
	}
	return loc.Query().Get("token"), loc
}

func TestSAMLLoginToRedirect(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		b := f.e.Browser()
		reqID, loc := f.start(t, b, "")
		if loc.Host != "idp.example" || loc.Query().Get("SAMLRequest") == "" || loc.Query().Get("Signature") == "" ||
			loc.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
			t.Fatalf("IdP redirect = %s", loc)
		}
		resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		_, target := tokenFrom(t, resp, body)
		// No member exists yet: the signup URL (the project's default).
		if target.Host != "app.test" || target.Path != "/callback" {
			t.Errorf("redirect target = %s", target)
		}
		// The success cleared the request cookie, and the request is used up:
		// a second response to it is refused.
		resp, body = f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		if resp.StatusCode != 400 || !strings.Contains(body, "missing_saml_csrf_cookie") {
			t.Fatalf("second use of the request: %d %s", resp.StatusCode, body)
		}
		logins := f.e.MustOK(f.e.Call("GET", samlPath("acme", f.connID)+"/logins", nil)).Body["logins"].([]any)
		if len(logins) != 2 || logins[0].(map[string]any)["outcome"] != "missing_request_cookie" || logins[1].(map[string]any)["outcome"] != "success" {
			t.Fatalf("logins = %v", logins)
		}
		facts := logins[1].(map[string]any)["facts"].(map[string]any)
		if facts["issuer"] != testIdPEntity || facts["certificate_fingerprint"] == "" {
			t.Errorf("success facts = %v", facts)
		}
	})
}

// The login cookie is SameSite=None; Secure wherever browsers accept it
// (https, and http on loopback hosts, as apptest's 127.0.0.1), so the IdP's
// cross-site POST carries it; on plain http elsewhere it is Lax, and the
// failure page for its absence names the cause and the fix.
func TestSAMLLoginCookieSameSite(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		for _, tc := range []struct {
			base     string // "" = apptest's http://127.0.0.1:port
			sameSite http.SameSite
			secure   bool
		}{
			{"", http.SameSiteNoneMode, true},
			{"http://localhost:1", http.SameSiteNoneMode, true},
			{"https://sso.example.com", http.SameSiteNoneMode, true},
			{"http://sso.example.com", http.SameSiteLaxMode, false},
		} {
			var opts []apptest.Option
			if tc.base != "" {
				opts = append(opts, func(c *config.Config) { c.BaseURL = tc.base })
			}
			f := newSAMLFixture(t, backend, opts...)
			b := f.e.Browser()
			resp, err := b.Get(f.e.URL + "/v1/public/sso/start?connection_id=" + f.connID + "&public_token=" + f.e.Creds.PublicToken)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var cookie *http.Cookie
			for _, c := range resp.Cookies() {
				if strings.HasPrefix(c.Name, "seam_sso_") {
					cookie = c
				}
			}
			if cookie == nil || cookie.SameSite != tc.sameSite || cookie.Secure != tc.secure || !cookie.HttpOnly {
				t.Fatalf("base %q: login cookie %+v, want SameSite %v Secure %v", tc.base, cookie, tc.sameSite, tc.secure)
			}
			// A response without the cookie (what a browser sends when it
			// dropped it): the page says why and what to do.
			resp, body := f.post(t, &http.Client{CheckRedirect: b.CheckRedirect}, f.response(t, respOpts{inResponseTo: strings.TrimPrefix(cookie.Name, "seam_sso_")}))
			if resp.StatusCode != 400 || !strings.Contains(body, "missing_saml_csrf_cookie") {
				t.Fatalf("base %q: response without the cookie: %d %s", tc.base, resp.StatusCode, body)
			}
			names := strings.Contains(body, "SEAM_BASE_URL") && strings.Contains(body, "https") && strings.Contains(body, "localhost")
			if names != !tc.secure {
				t.Errorf("base %q: failure page names the base URL fix = %v:\n%s", tc.base, names, body)
			}
		}
	})
}

func TestSAMLCallbackRejections(t *testing.T) {
	f := newSAMLFixture(t, "sqlite")
	cases := []struct {
		name    string
		run     func(b *http.Client) (*http.Response, string)
		status  int
		outcome string
	}{
		{"replayed assertion", func(b *http.Client) (*http.Response, string) {
			r := f.response(t, respOpts{assertionID: "_replayed-assertion-1"})
			f.post(t, b, r)
			return f.post(t, b, r)
		}, 400, "replay"},
		{"wrong audience", func(b *http.Client) (*http.Response, string) {
			return f.post(t, b, f.response(t, respOpts{audience: "https://other-sp.example"}))
		}, 400, "audience_mismatch"},
		{"unknown request", func(b *http.Client) (*http.Response, string) {
			// Even with a matching cookie, an ID Seam never issued is refused.
			const id = "_0123456789abcdef0123456789abcdef01234567"
			u, _ := url.Parse(f.acs)
			b.Jar.SetCookies(u, []*http.Cookie{{Name: "seam_sso_" + id, Value: "1", Path: u.Path}})
			return f.post(t, b, f.response(t, respOpts{inResponseTo: id}))
		}, 400, "in_response_to_mismatch"},
		{"started in another browser", func(b *http.Client) (*http.Response, string) {
			reqID, _ := f.start(t, f.e.Browser(), "")
			return f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		}, 400, "missing_request_cookie"},
		// Posts that are not SAML responses are refused without a record
		// (outcome ""): TestACSCheapRefusalsWriteNothing.
		{"not base64", func(b *http.Client) (*http.Response, string) { return f.post(t, b, "%%%") }, 400, ""},
		{"no SAMLResponse", func(b *http.Client) (*http.Response, string) { return f.post(t, b, "") }, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.e.MustOK(f.e.Call("GET", samlPath("acme", f.connID)+"/logins?limit=500", nil)).Body["logins"].([]any)
			resp, body := tc.run(f.e.Browser())
			if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(body, "request-id-") {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			logins := f.e.MustOK(f.e.Call("GET", samlPath("acme", f.connID)+"/logins?limit=500", nil)).Body["logins"].([]any)
			if tc.outcome == "" {
				if len(logins) != len(before) {
					t.Fatalf("a post that is not a SAML response was recorded: %d -> %d attempts", len(before), len(logins))
				}
				return
			}
			if got := logins[0].(map[string]any)["outcome"]; got != tc.outcome {
				t.Fatalf("recorded outcome %v, want %s", got, tc.outcome)
			}
		})
	}
	// IdP-initiated logins are accepted until the connection disables them.
	resp, body := f.post(t, f.e.Browser(), f.response(t, respOpts{signResponse: true}))
	tokenFrom(t, resp, body)
	f.e.MustOK(f.e.Call("PUT", samlPath("acme", f.connID), map[string]any{"idp_initiated_auth_disabled": true}))
	resp, body = f.post(t, f.e.Browser(), f.response(t, respOpts{}))
	if resp.StatusCode != 400 || !strings.Contains(body, "unsolicited_saml_response") {
		t.Fatalf("IdP-initiated while disabled: %d %s", resp.StatusCode, body)
	}
	// An unknown connection in the ACS URL.
	resp, err := f.e.Browser().PostForm(f.e.URL+"/v1/b2b/sso/callback/saml-connection-test-00000000-0000-4000-8000-000000000000", url.Values{"SAMLResponse": {"x"}})
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("unknown connection: %v %v", resp, err)
	}
}

func TestSSOStartErrors(t *testing.T) {
	f := newSAMLFixture(t, "sqlite")
	e := f.e
	pending := createSAML(e, "acme")["connection_id"].(string)
	tok := "&public_token=" + e.Creds.PublicToken
	cases := []struct {
		query   string
		status  int
		errType string
	}{
		{"connection_id=" + f.connID, 400, "public_token_required"},
		{"connection_id=" + f.connID + "&public_token=public-token-test-nope", 401, "invalid_public_token"},
		{"public_token=" + e.Creds.PublicToken, 400, "missing_sso_connection_locator"},
		{"connection_id=" + f.connID + "&organization_id=acme" + tok, 400, "too_many_sso_connection_locators"},
		{"connection_id=saml-connection-test-nope" + tok, 404, "sso_connection_not_found"},
		{"connection_id=" + pending + tok, 400, "requires_active_sso_connection"},
		{"connection_id=" + f.connID + tok + "&login_redirect_url=https://evil.example/cb", 400, "no_match_for_provided_sso_url"},
		{"connection_id=" + f.connID + tok + "&signup_redirect_url=notaurl", 400, "invalid_signup_sso_url"},
		{"connection_id=" + f.connID + tok + "&pkce_code_challenge=short", 400, "invalid_pkce_code_challenge"},
		{"organization_id=nope" + tok, 404, "organization_not_found"},
	}
	for _, tc := range cases {
		r := e.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?" + tc.query, NoAuth: true})
		e.WantError(r, tc.status, tc.errType)
	}
	// The redirect-URL refusal echoes the URL it got and lists the
	// registered ones; the pending connection's names what it lacks.
	r := e.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?connection_id=" + f.connID + tok + "&login_redirect_url=https://evil.example/cb", NoAuth: true})
	if msg := r.Str("error_message"); !strings.Contains(msg, `"https://evil.example/cb"`) ||
		!strings.Contains(msg, `"http://app.test/callback", "http://app.test/signup"`) {
		t.Errorf("redirect refusal: %s", msg)
	}
	r = e.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?connection_id=" + pending + tok, NoAuth: true})
	if msg := r.Str("error_message"); !strings.Contains(msg, "idp_sso_url, idp_entity_id, attribute_mapping, x509_certificate") {
		t.Errorf("pending connection: %s", msg)
	}
	// By organization: its only active connection is used.
	b := e.Browser()
	resp, err := b.Get(e.URL + "/v1/public/sso/start?organization_id=acme" + tok + "&login_redirect_url=http://app.test/callback")
	if err != nil || resp.StatusCode != 302 {
		t.Fatalf("start by organization: %v %v", resp, err)
	}
	// A second active connection makes the choice ambiguous until a default is set.
	second := newSAMLConnectionLike(t, f)
	e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?organization_id=acme" + tok, NoAuth: true}), 400, "indeterminate_sso_connection_for_organization")
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_default_connection_id": second}))
	resp, err = b.Get(e.URL + "/v1/public/sso/start?organization_id=acme" + tok)
	if err != nil || resp.StatusCode != 302 {
		t.Fatalf("start by default connection: %v %v", resp, err)
	}
	if !strings.Contains(resp.Header.Get("Set-Cookie"), second) {
		t.Errorf("default connection not used: %s", resp.Header.Get("Set-Cookie"))
	}
}

// newSAMLConnectionLike adds a second active connection trusting the same IdP.
func newSAMLConnectionLike(t *testing.T, f *samlFixture) string {
	t.Helper()
	id := createSAML(f.e, "acme")["connection_id"].(string)
	f.e.MustOK(f.e.Call("PUT", samlPath("acme", id), map[string]any{
		"idp_entity_id": testIdPEntity, "idp_sso_url": "https://idp.example/sso",
		"x509_certificate":  keys.EncodeCertificatePEM(f.idp.Key.Certificate),
		"attribute_mapping": map[string]any{"email": "mail", "full_name": "name"},
	}))
	return id
}

func TestSAMLLoginAuthenticate(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		e.MustOK(e.Call("PUT", samlPath("acme", f.connID), map[string]any{
			"saml_connection_implicit_role_assignments": []map[string]string{{"role_id": "stytch_admin"}},
		}))
		verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
		challenge := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" // RFC 7636 appendix B
		b := e.Browser()
		reqID, _ := f.start(t, b, "&pkce_code_challenge="+challenge)
		resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		token, target := tokenFrom(t, resp, body)
		if target.Path != "/callback" { // first login: the signup URL, which defaults to the first registered URL
			t.Errorf("first login redirected to %s", target)
		}
		e.WantError(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}), 400, "pkce_expected_code_verifier")
		// The token is one-time: the failed exchange used it up.
		e.WantError(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token, "pkce_code_verifier": verifier}), 404, "sso_token_not_found")

		reqID, _ = f.start(t, b, "&pkce_code_challenge="+challenge)
		resp, body = f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		token, _ = tokenFrom(t, resp, body)
		e.WantError(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token, "pkce_code_verifier": verifier + "x"}), 400, "pkce_mismatch")

		reqID, _ = f.start(t, b, "&pkce_code_challenge="+challenge)
		resp, body = f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		token, _ = tokenFrom(t, resp, body)
		r := e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{
			"sso_token": token, "pkce_code_verifier": verifier, "session_duration_minutes": 120,
		}))
		m := r.Obj("member")
		if m["email_address"] != "ada@acme.example" || m["name"] != "Ada Lovelace" || r.Body["member_authenticated"] != true ||
			r.Str("session_token") == "" || r.Str("session_jwt") == "" || r.Str("organization_id") != f.orgID {
			t.Fatalf("authenticate = %s", r.Raw)
		}
		sess := r.Obj("member_session")
		roles := fmtList(sess["roles"])
		if !strings.Contains(roles, "stytch_admin") || !strings.Contains(roles, "stytch_member") {
			t.Errorf("session roles %s lack the connection's implicit role", roles)
		}
		factors := sess["authentication_factors"].([]any)
		fac := factors[0].(map[string]any)
		if fac["type"] != "sso" || fac["delivery_method"] != "sso_saml" || fac["saml_sso_factor"].(map[string]any)["provider_id"] != f.connID {
			t.Errorf("factor = %v", fac)
		}
		regs := m["sso_registrations"].([]any)
		if len(regs) != 1 || regs[0].(map[string]any)["external_id"] != "ada@acme.example" {
			t.Errorf("sso_registrations = %v", regs)
		}
		// The session works.
		e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": r.Str("session_token")}))

		// A second login finds the member: the login URL, and the same member.
		reqID, _ = f.start(t, b, "&login_redirect_url=http://app.test/callback&signup_redirect_url=http://app.test/signup")
		resp, body = f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		token, target = tokenFrom(t, resp, body)
		if target.Path != "/callback" {
			t.Errorf("returning member redirected to %s, want the login URL", target)
		}
		r2 := e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}))
		if r2.Str("member_id") != r.Str("member_id") {
			t.Errorf("second login made another member")
		}
	})
}

func TestSAMLLoginJITPolicy(t *testing.T) {
	f := newSAMLFixture(t, "sqlite")
	e := f.e
	login := func(nameID string) *apptest.Response {
		resp, body := f.post(t, e.Browser(), f.response(t, respOpts{nameID: nameID, signResponse: true}))
		token, _ := tokenFrom(t, resp, body)
		return e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token})
	}
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_jit_provisioning": "NOT_ALLOWED"}))
	e.WantError(login("new@acme.example"), 403, "sso_jit_provisioning_not_allowed")
	// An existing member (by email) may log in without JIT.
	e.MustOK(e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "known@acme.example"}))
	e.MustOK(login("known@acme.example"))
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_jit_provisioning": "RESTRICTED",
		"sso_jit_provisioning_allowed_connections": []string{f.connID}}))
	e.MustOK(login("new@acme.example"))
	other := newSAMLConnectionLike(t, f)
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_jit_provisioning_allowed_connections": []string{other}}))
	e.WantError(login("another@acme.example"), 403, "sso_jit_provisioning_not_allowed")
}

func fmtList(v any) string {
	var parts []string
	for _, x := range v.([]any) {
		parts = append(parts, x.(string))
	}
	return strings.Join(parts, ",")
}

func TestSSOAuthenticateBadRequestKeepsToken(t *testing.T) {
	f := newSAMLFixture(t, "sqlite")
	e := f.e
	resp, body := f.post(t, e.Browser(), f.response(t, respOpts{signResponse: true}))
	token, _ := tokenFrom(t, resp, body)
	for _, bad := range []struct {
		body    map[string]any
		status  int
		errType string
	}{
		{map[string]any{"sso_token": token, "session_duration_minutes": 1}, 400, "invalid_session_duration"},
		{map[string]any{"sso_token": token, "session_token": "not-a-session"}, 404, "session_not_found"},
	} {
		e.WantError(e.Call("POST", "/v1/b2b/sso/authenticate", bad.body), bad.status, bad.errType)
	}
	// The malformed requests did not use the one-time token up.
	e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}))
	// Nor did they create a member before failing: exactly one exists.
	r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{f.orgID}}))
	if n := r.Obj("results_metadata")["total"]; n != float64(1) {
		t.Fatalf("%v members after the exchange, want 1", n)
	}
}
