package interop

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// App redirect URLs registered on apptest's project.
const (
	loginURL  = "http://app.test/callback"
	signupURL = "http://app.test/signup"
)

// newSeam starts Seam on SQLite with loopback allowed for outbound fetches,
// so it can read IdP metadata and OIDC discovery from local providers.
func newSeam(t *testing.T, opts ...apptest.Option) *apptest.Env {
	t.Helper()
	opts = append([]apptest.Option{func(c *config.Config) { c.OutboundAllow = "127.0.0.0/8" }}, opts...)
	return apptest.New(t, "sqlite", opts...)
}

// samlConn is a SAML connection created through the public API.
type samlConn struct {
	env    *apptest.Env
	OrgID  string
	ID     string
	ACSURL string
	Body   map[string]any
}

func (c *samlConn) path(suffix string) string {
	return "/v1/b2b/sso/saml/" + c.OrgID + "/connections/" + c.ID + suffix
}

// newOrgAndSAML creates an organization (JIT provisioning for everyone, so
// first logins create members) and a pending SAML connection in it.
func newOrgAndSAML(t *testing.T, env *apptest.Env, slug string) *samlConn {
	t.Helper()
	org := env.CreateOrg("Interop "+slug, slug)
	orgID := org["organization_id"].(string)
	env.MustOK(env.Call("PUT", "/v1/b2b/organizations/"+orgID, map[string]any{"sso_jit_provisioning": "ALL_ALLOWED"}))
	r := env.MustOK(env.Call("POST", "/v1/b2b/sso/saml/"+orgID, map[string]any{"display_name": "Interop " + slug}))
	conn := r.Obj("connection")
	c := &samlConn{env: env, OrgID: orgID, ID: conn["connection_id"].(string), ACSURL: conn["acs_url"].(string), Body: conn}
	if want := env.URL + "/v1/b2b/sso/callback/" + c.ID; c.ACSURL != want {
		t.Fatalf("acs_url = %q, want %q", c.ACSURL, want)
	}
	return c
}

// Update PUTs fields and returns the connection.
func (c *samlConn) Update(t *testing.T, fields map[string]any) map[string]any {
	t.Helper()
	r := c.env.MustOK(c.env.Call("PUT", c.path(""), fields))
	c.Body = r.Obj("connection")
	return c.Body
}

// UpdateByURL configures the connection from the IdP's metadata URL.
func (c *samlConn) UpdateByURL(t *testing.T, metadataURL string) map[string]any {
	t.Helper()
	r := c.env.MustOK(c.env.Call("PUT", c.path("/url"), map[string]any{"metadata_url": metadataURL}))
	c.Body = r.Obj("connection")
	return c.Body
}

// SPMetadata is the XML to give the IdP.
func (c *samlConn) SPMetadata(t *testing.T) []byte {
	t.Helper()
	r := c.env.Do(apptest.Request{Method: "GET", Path: c.path("/metadata")})
	if r.Status != http.StatusOK {
		t.Fatalf("SP metadata: %d %s", r.Status, r.Raw)
	}
	return r.Raw
}

// Logins lists the connection's login attempts, newest first.
func (c *samlConn) Logins(t *testing.T) []map[string]any {
	t.Helper()
	return listLogins(t, c.env, c.path("/logins"))
}

func listLogins(t *testing.T, env *apptest.Env, path string) []map[string]any {
	t.Helper()
	r := env.MustOK(env.Call("GET", path, nil))
	raw, _ := r.Body["logins"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		out = append(out, x.(map[string]any))
	}
	return out
}

// wantLatestLogin checks the newest login attempt's outcome and returns it.
func wantLatestLogin(t *testing.T, logins []map[string]any, outcome string) map[string]any {
	t.Helper()
	if len(logins) == 0 {
		t.Fatalf("no login attempt recorded, want outcome %q", outcome)
	}
	if logins[0]["outcome"] != outcome {
		t.Fatalf("latest login attempt outcome = %v (error_type %v, detail %v), want %q", logins[0]["outcome"], logins[0]["error_type"], logins[0]["detail"], outcome)
	}
	return logins[0]
}

// startURL is Seam's SSO start URL for a connection.
func startURL(env *apptest.Env, connID string, extra url.Values) string {
	q := url.Values{"connection_id": {connID}, "public_token": {env.Creds.PublicToken}}
	for k, v := range extra {
		q[k] = v
	}
	return env.URL + "/v1/public/sso/start?" + q.Encode()
}

// landing checks that a navigation ended at the application with an SSO
// token and returns the token.
func landing(t *testing.T, b *Browser, p *Page, wantURL string) string {
	t.Helper()
	if !p.Stopped {
		t.Fatalf("login did not reach the application: ended at %s with %d\n%s\nhistory:\n%s", p.URL, p.Status, snippet(p.Body), strings.Join(b.History, "\n"))
	}
	got := *p.URL
	got.RawQuery = ""
	if got.String() != wantURL {
		t.Fatalf("landed on %s, want %s", got.String(), wantURL)
	}
	q := p.URL.Query()
	if q.Get("stytch_token_type") != "sso" {
		t.Fatalf("stytch_token_type = %q, want sso", q.Get("stytch_token_type"))
	}
	tok := q.Get("token")
	if tok == "" {
		t.Fatalf("no token in %s", p.URL.Redacted())
	}
	return tok
}

// errorPage checks that a navigation ended on Seam's browser error page with
// the status and error type, and a request ID.
func errorPage(t *testing.T, b *Browser, p *Page, status int, errorType string) {
	t.Helper()
	if p.Stopped {
		t.Fatalf("login reached the application (%s), want error page %s", p.URL.Redacted(), errorType)
	}
	if p.Status != status || !strings.Contains(p.Body, "<code>"+errorType+"</code>") {
		t.Fatalf("got %d at %s, want %d with %s:\n%s\nhistory:\n%s", p.Status, p.URL, status, errorType, snippet(p.Body), strings.Join(b.History, "\n"))
	}
	if !strings.Contains(p.Body, "request-id-") {
		t.Fatalf("error page has no request ID:\n%s", snippet(p.Body))
	}
}

func snippet(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "..."
	}
	return s
}

// pkcePair returns a PKCE verifier and its S256 challenge.
func pkcePair(seed string) (verifier, challenge string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat(seed, 48))[:48])
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}
