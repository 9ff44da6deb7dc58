package interop

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/testidp"
)

// The setup page (internal/setup, docs/setup-portal.md) driven like an IT
// admin would with nothing but the link: create a SAML connection, load
// the built-in test IdP's metadata from its URL, save the attribute
// mapping, run test logins through the IdP (valid and deliberately broken
// answers) and read their typed outcomes. No member, session or SSO token
// comes out of a test. Both stores. The browser test in
// tests/conformance/setup_browser.test.mjs does the same in Chromium
// against the samlify and oidc-provider IdPs.

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]{64})"`)

// setupAdmin is a browser holding one setup link.
type setupAdmin struct {
	t    *testing.T
	b    *Browser
	base *url.URL // /setup/<secret>
	csrf string
}

func openSetupLink(t *testing.T, env *apptest.Env, org string, body map[string]any) *setupAdmin {
	t.Helper()
	link := env.MustOK(env.Call("POST", "/v1/b2b/sso/setup_links/"+org, body)).Str("url")
	b := NewBrowser(t)
	p := b.Get(link)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Set up single sign-on") {
		t.Fatalf("the link's page: %d %s", p.Status, snippet(p.Body))
	}
	m := csrfRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page")
	}
	u, _ := url.Parse(link)
	return &setupAdmin{t: t, b: b, base: u, csrf: m[1]}
}

// post submits a setup form and follows to the page it leads to.
func (a *setupAdmin) post(path string, fields map[string]string) *Page {
	a.t.Helper()
	v := url.Values{"csrf_token": {a.csrf}}
	for k, x := range fields {
		v.Set(k, x)
	}
	u, _ := a.base.Parse(a.base.Path + path)
	return a.b.Submit(&Form{Action: u, Method: http.MethodPost, Fields: v})
}

var connPathRE = regexp.MustCompile(`/connections/((?:saml|oidc)-connection-test-[0-9a-f-]{36})`)

func TestSetupPageSAMLTestLogin(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			env := newTestIdPSeam(t, backend)
			env.CreateOrg("Acme", "acme")
			a := openSetupLink(t, env, "acme", map[string]any{})

			p := a.post("/connections", map[string]string{"kind": "saml", "guide": "generic-saml"})
			m := connPathRE.FindStringSubmatch(p.URL.Path)
			if p.Status != http.StatusOK || m == nil {
				t.Fatalf("create: %d at %s: %s", p.Status, p.URL, snippet(p.Body))
			}
			conn := "/connections/" + m[1]
			for _, want := range []string{"Pending", "idp_sso_url", "idp_entity_id", "x509_certificate", "attribute_mapping", "The connection was created"} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("new connection page lacks %q", want)
				}
			}
			if strings.Contains(p.Body, "PRIVATE KEY") {
				t.Fatal("the page shows a private key")
			}

			md := env.URL + testidp.PathPrefix + "/" + env.Creds.ProjectID + "/saml/metadata"
			p = a.post(conn+"/metadata_url", map[string]string{"metadata_url": md, "guide": "generic-saml"})
			if !strings.Contains(p.Body, "metadata was loaded") || strings.Contains(p.Body, "idp_sso_url</code>") {
				t.Fatalf("after the metadata URL: %s", snippet(p.Body))
			}
			if !strings.Contains(p.Body, "Seam re-reads <code>"+md+"</code> on a schedule") {
				t.Errorf("the page does not show the metadata refresh of the URL")
			}
			if !strings.Contains(p.Body, "Pending") || !strings.Contains(p.Body, "attribute_mapping") {
				t.Fatalf("metadata never sets the attribute mapping; the page should still ask for it")
			}
			p = a.post(conn+"/attributes", map[string]string{"email": testidp.AttrEmail, "first_name": testidp.AttrFirstName,
				"last_name": testidp.AttrLastName, "groups": testidp.AttrGroups, "guide": "generic-saml"})
			if !strings.Contains(p.Body, `<span class="badge active" id="status">active</span>`) {
				t.Fatalf("after the mapping the connection is not active: %s", snippet(p.Body))
			}

			// A valid answer: the outcome page shows who would be signed in.
			a.b.Fill = map[string]string{"user": "ada", "response": string(testidp.Valid)}
			p = a.post(conn+"/test", map[string]string{"guide": "generic-saml"})
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "The test sign-in worked") || !strings.Contains(p.Body, "ada@example.com") ||
				!strings.Contains(p.Body, "Attributes received") || !strings.Contains(p.URL.Path, conn+"/tests/sso-login-attempt-test-") {
				t.Fatalf("valid test: %d at %s\n%s\nhistory:\n%s", p.Status, p.URL, snippet(p.Body), strings.Join(a.b.History, "\n"))
			}

			// Broken answers: each typed, seen against expected, with the
			// guide step that fixes it.
			for _, c := range []struct {
				mode              testidp.Mode
				title, seen, step string
			}{
				{testidp.WrongAudience, "Wrong audience", "The IdP sent", "#step-sp-values"},
				{testidp.WrongSigningKey, "Certificate mismatch", "certificate SHA-256", "#step-idp-values"},
				{testidp.Expired, "The clocks disagree (clock skew)", "", ""},
			} {
				a.b.Fill["response"] = string(c.mode)
				p = a.post(conn+"/test", map[string]string{"guide": "generic-saml"})
				if !strings.Contains(p.Body, c.title) || !strings.Contains(p.Body, c.seen) || !strings.Contains(p.Body, c.step) {
					t.Errorf("%s: %d at %s\n%s", c.mode, p.Status, p.URL, snippet(p.Body))
				}
			}
			p = a.b.Get(a.base.String() + conn)
			if !strings.Contains(p.Body, "Recent tests") || strings.Count(p.Body, `class="badge failed"`) != 3 {
				t.Errorf("the connection page does not list the four tests: %s", snippet(p.Body))
			}

			// Tests create no member, session or SSO token.
			r := env.MustOK(env.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme"}}))
			if n := len(r.Body["members"].([]any)); n != 0 {
				t.Errorf("test logins created %d members", n)
			}
			var tokens int
			if err := env.App.Store.DB().QueryRow(`SELECT count(*) FROM sso_tokens`).Scan(&tokens); err != nil || tokens != 0 {
				t.Errorf("test logins left %d SSO tokens (%v)", tokens, err)
			}
			// ...and the attempts stay in the API's login diagnostics.
			logins := env.MustOK(env.Call("GET", "/v1/b2b/sso/saml/acme/connections/"+m[1]+"/logins", nil))
			if !strings.Contains(string(logins.Raw), `"test_login":true`) {
				t.Errorf("the login diagnostics do not mark the tests: %s", logins.Raw)
			}
		})
	}
}

func TestSetupPageOIDCTestLogin(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			env := newTestIdPSeam(t, backend)
			res := demo(t, env, "oidc")
			a := openSetupLink(t, env, res.OrganizationID, map[string]any{"connection_kind": "oidc"})
			conn := "/connections/" + res.ConnectionID

			a.b.Fill = map[string]string{"user": "grace", "response": string(testidp.Valid)}
			p := a.post(conn+"/test", nil)
			if !strings.Contains(p.Body, "The test sign-in worked") || !strings.Contains(p.Body, "grace@example.com") {
				t.Fatalf("valid OIDC test: %d at %s\n%s\nhistory:\n%s", p.Status, p.URL, snippet(p.Body), strings.Join(a.b.History, "\n"))
			}
			// A wrong client secret, entered on the page (write-only: never
			// shown back), is refused by the provider's token endpoint.
			p = a.post(conn+"/oidc", map[string]string{"client_secret": "not-the-secret"})
			if strings.Contains(p.Body, "not-the-secret") || !strings.Contains(p.Body, "client secret <strong>set</strong>") {
				t.Fatalf("after a new secret: %s", snippet(p.Body))
			}
			p = a.post(conn+"/test", nil)
			if !strings.Contains(p.Body, "Client ID or secret refused") || !strings.Contains(p.Body, "token_exchange_invalid_client") || !strings.Contains(p.Body, "#step-idp-values") {
				t.Fatalf("wrong secret test: %d at %s\n%s", p.Status, p.URL, snippet(p.Body))
			}
		})
	}
}
