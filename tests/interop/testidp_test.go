package interop

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/testidp"
)

// The built-in test IdP (internal/testidp) driven like any other IdP: the
// start URL, the IdP's picker page, the SAML auto-post form or the OIDC
// redirect, the ACS or OIDC callback (with the token endpoint and JWKS
// fetched over HTTP by Seam), the application's redirect URL and
// authenticate. Both stores.

var backends = []string{"sqlite", "postgres"}

// newTestIdPSeam allows loopback outbound requests: the OIDC side of Seam
// fetches the test IdP's token endpoint and JWKS over HTTP, like any IdP's.
func newTestIdPSeam(t *testing.T, backend string) *apptest.Env {
	t.Helper()
	return apptest.New(t, backend, func(c *config.Config) { c.OutboundAllow = "127.0.0.0/8" })
}

func demo(t *testing.T, env *apptest.Env, protocol string) *testidp.DemoResult {
	t.Helper()
	res, err := env.App.TestIdP.Demo(context.Background(), testidp.DemoParams{
		ProjectID: env.Creds.ProjectID, Protocol: protocol, RedirectURL: loginURL,
	})
	if err != nil {
		t.Fatalf("demo %s: %v", protocol, err)
	}
	if res.Status != "active" {
		t.Fatalf("demo connection is %s, want active: %+v", res.Status, res)
	}
	return res
}

// loginAs runs a browser login through the picker as user with the given
// response mode.
func loginAs(t *testing.T, startURL, user string, mode testidp.Mode) (*Browser, *Page) {
	t.Helper()
	b := NewBrowser(t)
	b.Fill = map[string]string{"user": user, "response": string(mode)}
	return b, b.Get(startURL)
}

func roleIDs(member map[string]any) []string {
	var out []string
	roles, _ := member["roles"].([]any)
	for _, x := range roles {
		out = append(out, x.(map[string]any)["role_id"].(string))
	}
	return out
}

func TestTestIdPLogin(t *testing.T) {
	for _, backend := range backends {
		for _, protocol := range []string{"saml", "oidc"} {
			t.Run(backend+"/"+protocol, func(t *testing.T) {
				env := newTestIdPSeam(t, backend)
				res := demo(t, env, protocol)

				// Ada is in engineering and admins; the SAML demo maps the
				// admins group to stytch_admin.
				b, p := loginAs(t, res.StartURL, "ada", testidp.Valid)
				tok := landing(t, b, p, loginURL)
				r := authenticate(t, env, map[string]any{"sso_token": tok, "session_duration_minutes": 30})
				m := wantMember(t, r, "ada@example.com", "Ada Lovelace")
				if protocol == "saml" && !slices.Contains(roleIDs(m), "stytch_admin") {
					t.Fatalf("ada's roles %v lack stytch_admin (group admins)", roleIDs(m))
				}
				if r.Str("organization_id") != res.OrganizationID {
					t.Fatalf("organization %s, want the demo's %s", r.Str("organization_id"), res.OrganizationID)
				}

				// Bob, in sales, gets no admin role.
				b, p = loginAs(t, res.StartURL, "bob", testidp.Valid)
				r = authenticate(t, env, map[string]any{"sso_token": landing(t, b, p, loginURL), "session_duration_minutes": 30})
				m = wantMember(t, r, "bob@example.com", "Bob Brown")
				if slices.Contains(roleIDs(m), "stytch_admin") {
					t.Fatalf("bob got stytch_admin: %v", roleIDs(m))
				}

				// The picker page is HTML under a CSP without inline script.
				if got := b.History[1]; !strings.Contains(got, testidp.PathPrefix) {
					t.Fatalf("second hop %q is not the test IdP", got)
				}
			})
		}
	}
}

// TestTestIdPBrokenResponses: each deliberate fault ends on Seam's error
// page and is recorded, typed, in the connection's login attempts.
func TestTestIdPBrokenResponses(t *testing.T) {
	cases := []struct {
		protocol  string
		mode      testidp.Mode
		errorType string
	}{
		{"saml", testidp.WrongAudience, "invalid_audience_saml_response"},
		{"saml", testidp.Expired, "expired_saml_response"},
		{"saml", testidp.WrongSigningKey, "invalid_signature_saml_response"},
		{"saml", testidp.Tampered, "invalid_signature_saml_response"},
		{"oidc", testidp.WrongAudience, "id_token_incorrect_audience"},
		{"oidc", testidp.Expired, "id_token_expired"},
		{"oidc", testidp.WrongSigningKey, "oidc_id_token_invalid_signature"},
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			env := newTestIdPSeam(t, backend)
			conns := map[string]*testidp.DemoResult{"saml": demo(t, env, "saml"), "oidc": demo(t, env, "oidc")}
			seen := map[string]string{}
			for _, tc := range cases {
				res := conns[tc.protocol]
				b, p := loginAs(t, res.StartURL, "ada", tc.mode)
				if p.Stopped {
					t.Fatalf("%s %s: the login reached the application", tc.protocol, tc.mode)
				}
				if p.Status < 400 {
					t.Fatalf("%s %s: ended with %d at %s\nhistory:\n%s", tc.protocol, tc.mode, p.Status, p.URL, strings.Join(b.History, "\n"))
				}
				path := "/v1/b2b/sso/" + tc.protocol + "/" + res.OrganizationID + "/connections/" + res.ConnectionID + "/logins"
				logins := env.MustOK(env.Call("GET", path, nil)).Body["logins"].([]any)
				latest := logins[0].(map[string]any)
				if latest["outcome"] == "success" {
					t.Fatalf("%s %s: latest attempt succeeded: %v", tc.protocol, tc.mode, latest)
				}
				et, _ := latest["error_type"].(string)
				detail, _ := latest["detail"].(string)
				if et != tc.errorType {
					t.Errorf("%s %s: error_type %q, want %q (%v)", tc.protocol, tc.mode, et, tc.errorType, latest)
				}
				key := et + "|" + detail
				if prev, dup := seen[key]; dup {
					t.Errorf("%s %s: diagnostics identical to %s's: %v", tc.protocol, tc.mode, prev, latest)
				}
				seen[key] = tc.protocol + " " + string(tc.mode)
				t.Logf("%s %-18s -> %s: %s", tc.protocol, tc.mode, et, detail)
			}
		})
	}
}

// TestTestIdPLiveProjectRefused: live projects have no test IdP.
func TestTestIdPLiveProjectRefused(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			env := newTestIdPSeam(t, backend)
			live := env.NewProject(ids.Live)
			for _, path := range []string{"/saml/metadata", "/saml/sso", "/oidc/.well-known/openid-configuration", "/oidc/jwks", "/oidc/authorize"} {
				resp, err := http.Get(env.URL + testidp.PathPrefix + "/" + live.ProjectID + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s for a live project: %d, want 403", path, resp.StatusCode)
				}
			}
			_, err := env.App.TestIdP.Demo(context.Background(), testidp.DemoParams{ProjectID: live.ProjectID})
			if err == nil || !strings.Contains(err.Error(), "test_idp_not_available") {
				t.Fatalf("demo on a live project: %v, want test_idp_not_available", err)
			}
		})
	}
}

// TestTestIdPPageSecurity: the picker sets a CSP without inline script and
// refuses a form without the browser's CSRF cookie or from another origin.
func TestTestIdPPageSecurity(t *testing.T) {
	env := newTestIdPSeam(t, "sqlite")
	res := demo(t, env, "saml")
	b := NewBrowser(t)
	// Fetch the picker without submitting it: start, then the redirect.
	resp, err := b.Client.Get(res.StartURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	pickerURL, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	resp, err = b.Client.Get(pickerURL.String())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p := &Page{URL: pickerURL, Status: resp.StatusCode, Body: string(raw)}
	if p.Status != http.StatusOK || !strings.Contains(p.URL.Path, testidp.PathPrefix) {
		t.Fatalf("picker: %d at %s", p.Status, p.URL)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != testidp.PageCSP || !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
	if strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "onclick") {
		t.Fatalf("picker has inline script or style:\n%s", p.Body)
	}
	forms := ParseForms(p.URL, p.Body)
	if len(forms) != 1 || forms[0].Fields.Get("csrf_token") == "" {
		t.Fatalf("picker forms: %+v", forms)
	}
	f := forms[0]
	f.Fields.Set("user", "ada")
	f.Fields.Set("response", "valid")

	// Without the cookie (another browser): refused.
	resp, err = http.PostForm(f.Action.String(), f.Fields)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("form without the CSRF cookie: %d, want 403", resp.StatusCode)
	}
	// With the cookie but a cross-origin Origin header: refused.
	req, _ := http.NewRequest("POST", f.Action.String(), strings.NewReader(f.Fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err = b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin form: %d, want 403", resp.StatusCode)
	}
	// With a wrong token: refused; with the right one the login completes.
	good := f.Fields.Get("csrf_token")
	f.Fields.Set("csrf_token", strings.Repeat("0", 64))
	if p := b.Submit(f); p.Status != http.StatusForbidden {
		t.Fatalf("wrong CSRF token: %d, want 403", p.Status)
	}
	f.Fields.Set("csrf_token", good)
	landing(t, b, b.Submit(f), loginURL)

	// An AuthnRequest whose ACS is not this Seam's is refused.
	resp, err = http.Get(env.URL + testidp.PathPrefix + "/" + env.Creds.ProjectID + "/saml/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("SSO URL without a request: %d", resp.StatusCode)
	}
}

// TestTestIdPMetadataURL: a SAML connection configured the way a real
// IdP's usually is, from its metadata URL through the guarded client, plus
// the attribute mapping (which metadata never carries).
func TestTestIdPMetadataURL(t *testing.T) {
	env := newTestIdPSeam(t, "sqlite")
	conn := newOrgAndSAML(t, env, "tidp-metadata")
	mdURL := env.URL + testidp.PathPrefix + "/" + env.Creds.ProjectID + "/saml/metadata"
	conn.UpdateByURL(t, mdURL)
	body := conn.Update(t, map[string]any{"attribute_mapping": map[string]any{
		"email": "email", "first_name": "first_name", "last_name": "last_name", "groups": "groups",
	}})
	if body["status"] != "active" || body["idp_entity_id"] != mdURL {
		t.Fatalf("connection from metadata: %v", body)
	}
	b := NewBrowser(t)
	b.Fill = map[string]string{"user": "grace", "response": "valid"}
	tok := landing(t, b, b.Get(startURL(env, conn.ID, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {loginURL}})), loginURL)
	wantMember(t, authenticate(t, env, map[string]any{"sso_token": tok, "session_duration_minutes": 30}), "grace@example.com", "Grace Hopper")
}

// TestTestIdPLanding: the demo's landing page shows the token, escaped.
func TestTestIdPLanding(t *testing.T) {
	env := newTestIdPSeam(t, "sqlite")
	resp, err := http.Get(env.URL + testidp.LandingPath + "?stytch_token_type=sso&token=" + url.QueryEscape(`<b>x</b>`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(raw), "<b>x</b>") || !strings.Contains(string(raw), "&lt;b&gt;x&lt;/b&gt;") {
		t.Fatalf("landing: %d\n%s", resp.StatusCode, raw)
	}
}
