package httpapi_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// TestOIDCLoginDiagnosticsTypeOutboundFailures: when the provider's token
// endpoint cannot be used, the login attempt records which outbound failure
// it was (facts.outbound) and says so in its detail, so an IT admin can tell
// an untrusted certificate or a refused address from an IdP that is down.
func TestOIDCLoginDiagnosticsTypeOutboundFailures(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>maintenance</html>", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	untrusted := httptest.NewTLSServer(http.NotFoundHandler()) // its CA is not configured
	defer untrusted.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String()
	ln.Close()

	e := apptest.New(t, "sqlite", func(c *config.Config) { c.OutboundAllow = "127.0.0.0/8" })
	e.CreateOrg("Acme", "acme")
	id := createOIDC(e, "acme")["connection_id"].(string)
	c := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{
		"issuer": closed, "client_id": "cid", "client_secret": "the-client-secret",
		"authorization_url": closed + "/authorize", "token_url": closed + "/token",
		"userinfo_url": closed + "/userinfo", "jwks_url": closed + "/jwks",
	})).Obj("connection")
	if c["status"] != "active" {
		t.Fatalf("connection = %v", c)
	}

	for _, tc := range []struct {
		name, tokenURL string
		kind, host     string
		status         float64
		detail         string
	}{
		{"IdP down", down.URL + "/token", "http_status", "127.0.0.1", 503, "the token endpoint answered HTTP 503"},
		{"untrusted certificate", untrusted.URL + "/token", "tls_certificate", "127.0.0.1", 0, "the token endpoint's TLS certificate is not trusted"},
		{"nothing listening", closed + "/token", "connect", "127.0.0.1", 0, "the connection to the token endpoint failed (the connection was refused)"},
		{"refused address", "https://10.0.0.7/token", "refused_address", "10.0.0.7", 0, "the token endpoint is at a refused address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"token_url": tc.tokenURL}))
			b := e.Browser()
			resp, err := b.Get(e.URL + "/v1/public/sso/start?connection_id=" + id + "&public_token=" + e.Creds.PublicToken)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") == "" {
				t.Fatalf("start: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, err = b.Get(e.URL + "/v1/b2b/sso/callback/" + id + "?code=the-code&state=" + url.QueryEscape(loc.Query().Get("state")))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "oidc_token_exchange_failed") {
				t.Fatalf("callback: %d %s", resp.StatusCode, body)
			}

			logins := e.MustOK(e.Call("GET", oidcPath("acme", id)+"/logins?limit=1", nil)).Body["logins"].([]any)
			latest := logins[0].(map[string]any)
			detail, _ := latest["detail"].(string)
			if latest["outcome"] != "token_exchange_failed" || !strings.Contains(detail, tc.detail) {
				t.Errorf("attempt outcome %v, detail %q; want detail with %q", latest["outcome"], detail, tc.detail)
			}
			facts, _ := latest["facts"].(map[string]any)
			ob, _ := facts["outbound"].(map[string]any)
			if ob["kind"] != tc.kind || ob["host"] != tc.host || (tc.status != 0 && ob["status"] != tc.status) ||
				(tc.status == 0 && ob["status"] != nil) {
				t.Errorf("facts.outbound = %v, want kind %s host %s status %v", ob, tc.kind, tc.host, tc.status)
			}
			for _, leak := range []string{"the-client-secret", "the-code", "maintenance"} {
				if strings.Contains(detail, leak) {
					t.Errorf("detail %q contains %q", detail, leak)
				}
			}
		})
	}
}
