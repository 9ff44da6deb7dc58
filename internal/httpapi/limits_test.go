package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
)

// limitsEnv is a Seam with small abuse limits, behind a trusted proxy
// (the test's loopback) so that X-Forwarded-For picks the client address.
func limitsEnv(t *testing.T, backend string) *apptest.Env {
	return apptest.New(t, backend, func(c *config.Config) {
		c.LimitAddress, c.LimitTarget, c.LimitAuthFailures, c.LimitProjectAuthFailures = 3, 5, 3, 3
		c.TrustedProxies = "127.0.0.1/32, ::1"
	})
}

type limitCall struct {
	from   string // X-Forwarded-For; "" is the socket address
	method string
	path   string
	creds  *projects.Credentials // nil: no credentials
	want   int                   // 429, or any other status (not 429)
}

func doLimited(e *apptest.Env, c limitCall) *apptest.Response {
	e.T.Helper()
	h := map[string]string{}
	if c.from != "" {
		h["X-Forwarded-For"] = c.from
	}
	req := apptest.Request{Method: c.method, Path: c.path, Header: h, Creds: c.creds, NoAuth: c.creds == nil}
	if c.method == "POST" {
		req.Body = "{}"
	}
	return e.Do(req)
}

// TestAbuseLimits drives each limit past its bound: the request over it is
// refused with Stytch's 429 envelope (too_many_requests) and Retry-After,
// other addresses and tenants are unaffected, and the next window admits
// again.
func TestAbuseLimits(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := limitsEnv(t, backend)
		p2 := e.NewProject(ids.Test)
		k, err := e.App.Admin.CreateKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wk := &projects.Credentials{ProjectID: k.KeyID, Secret: k.Secret}
		wrong := &projects.Credentials{ProjectID: e.Creds.ProjectID, Secret: "secret-test-wrongwrongwrongwrongwrongwrong="}
		wrongKey := &projects.Credentials{ProjectID: k.KeyID, Secret: "workspace-secret-wrong"}
		conn := "saml-connection-test-00000000-0000-4000-8000-000000000001"
		conn2 := "saml-connection-test-00000000-0000-4000-8000-000000000002"
		start := func(token string) string {
			return "/v1/public/sso/start?connection_id=" + conn + "&public_token=" + token
		}
		times := func(n int, c limitCall) []limitCall {
			out := make([]limitCall, n)
			for i := range out {
				out[i] = c
			}
			return out
		}
		from := func(addrs []string, c limitCall) []limitCall {
			var out []limitCall
			for _, a := range addrs {
				c.from = a
				out = append(out, c)
			}
			return out
		}
		join := func(parts ...[]limitCall) []limitCall {
			var out []limitCall
			for _, p := range parts {
				out = append(out, p...)
			}
			return out
		}
		ok := func(c limitCall) limitCall { c.want = 0; return c }
		no := func(c limitCall) limitCall { c.want = 429; return c }
		acs := limitCall{method: "POST", path: "/v1/b2b/sso/callback/" + conn}
		tests := []struct {
			name  string
			calls []limitCall
		}{
			{"start: per client address", join(
				times(3, ok(limitCall{from: "192.0.2.1", method: "GET", path: start("public-token-test-a")})),
				[]limitCall{no(limitCall{from: "192.0.2.1", method: "GET", path: start("public-token-test-b")})},
				[]limitCall{ok(limitCall{from: "192.0.2.2", method: "GET", path: start("public-token-test-a")})})},
			{"without X-Forwarded-For the socket address counts", join(
				times(3, ok(limitCall{method: "GET", path: start("public-token-test-c")})),
				[]limitCall{no(limitCall{method: "GET", path: start("public-token-test-c")})})},
			{"ACS: per connection across addresses", join(
				from([]string{"192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14"}, ok(acs)),
				from([]string{"192.0.2.15"}, no(acs)),
				[]limitCall{ok(limitCall{from: "192.0.2.15", method: "POST", path: "/v1/b2b/sso/callback/" + conn2})})},
			{"OIDC callback: per client address, garbage counts", join(
				times(3, ok(limitCall{from: "2001:db8:1::1", method: "GET", path: "/v1/b2b/sso/callback/" + conn + "?code=x&state=%00"})),
				[]limitCall{no(limitCall{from: "2001:db8:1::2", method: "GET", path: "/v1/b2b/sso/callback/" + conn})})},
			{"sso.authenticate: per project after authentication", join(
				from([]string{"192.0.2.20", "192.0.2.21", "192.0.2.22", "192.0.2.23", "192.0.2.24"},
					ok(limitCall{method: "POST", path: "/v1/b2b/sso/authenticate", creds: e.Creds})),
				from([]string{"192.0.2.25"}, no(limitCall{method: "POST", path: "/v1/b2b/sso/authenticate", creds: e.Creds})),
				from([]string{"192.0.2.25"}, ok(limitCall{method: "POST", path: "/v1/b2b/sso/authenticate", creds: p2})))},
			{"sso.authenticate: no per-address limit (a project's logins come from its few backend addresses)",
				times(4, ok(limitCall{from: "192.0.2.40", method: "POST", path: "/v1/b2b/sso/authenticate", creds: p2}))},
			{"wrong project secret: the address is refused, even with the right secret; others pass", join(
				times(3, ok(limitCall{from: "192.0.2.30", method: "GET", path: "/v1/b2b/rbac/policy", creds: wrong})),
				[]limitCall{no(limitCall{from: "192.0.2.30", method: "GET", path: "/v1/b2b/rbac/policy", creds: e.Creds})},
				[]limitCall{ok(limitCall{from: "192.0.2.31", method: "GET", path: "/v1/b2b/rbac/policy", creds: e.Creds})})},
			{"secret guessed from many addresses: failing addresses refused, the project's own servers pass", join(
				from([]string{"192.0.2.40", "192.0.2.41", "192.0.2.42"}, ok(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: wrong})),
				from([]string{"192.0.2.40"}, no(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: e.Creds})),
				from([]string{"192.0.2.43"}, ok(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: e.Creds})),
				from([]string{"192.0.2.43"}, ok(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: wrong})),
				from([]string{"192.0.2.43"}, no(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: wrong})),
				from([]string{"192.0.2.44"}, ok(limitCall{method: "GET", path: "/v1/b2b/rbac/policy", creds: p2})))},
			{"workspace key guessed", join(
				times(3, ok(limitCall{from: "192.0.2.50", method: "GET", path: "/pwa/v3/projects", creds: wrongKey})),
				[]limitCall{no(limitCall{from: "192.0.2.50", method: "GET", path: "/pwa/v3/projects", creds: wk})},
				[]limitCall{ok(limitCall{from: "192.0.2.51", method: "GET", path: "/pwa/v3/projects", creds: wk})})},
			{"test IdP pages: per client address", join(
				times(3, ok(limitCall{from: "192.0.2.60", method: "GET", path: "/v1/test_idp/" + e.Creds.ProjectID + "/oidc/jwks"})),
				[]limitCall{no(limitCall{from: "192.0.2.60", method: "GET", path: "/v1/test_idp/" + e.Creds.ProjectID + "/saml/metadata"})})},
			{"project routes with the right secret are not address-limited", times(10,
				ok(limitCall{from: "192.0.2.70", method: "GET", path: "/v1/b2b/rbac/policy", creds: e.Creds}))},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.Clock.Advance(2 * time.Minute) // a fresh window for every case
				var last limitCall
				for i, c := range tt.calls {
					r := doLimited(e, c)
					if c.want == 429 {
						e.WantError(r, http.StatusTooManyRequests, "too_many_requests")
						if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
							t.Fatalf("call %d: 429 without Retry-After", i)
						}
					} else if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
						t.Fatalf("call %d %s %s from %q: %d %s", i, c.method, c.path, c.from, r.Status, r.Raw)
					}
					last = c
				}
				// The next window admits the refused caller again.
				e.Clock.Advance(61 * time.Second)
				if last.want == 429 {
					if r := doLimited(e, last); r.Status == http.StatusTooManyRequests {
						t.Fatalf("still refused in the next window: %s", r.Raw)
					}
				}
			})
		}
		// Every kind of refusal above is counted for /metrics.
		metrics := readAll(t, mustGet(t, e.URL+"/metrics"))
		for _, series := range []string{
			`seam_rate_limit_refusals_total{class="start",scope="address"}`,
			`seam_rate_limit_refusals_total{class="callback",scope="target"}`,
			`seam_rate_limit_refusals_total{class="authenticate",scope="project"}`,
			`seam_rate_limit_refusals_total{class="auth_failures",scope="address"}`,
			`seam_rate_limit_refusals_total{class="auth_failures",scope="project"}`,
		} {
			if !strings.Contains(metrics, series+" ") {
				t.Errorf("/metrics lacks %s", series)
			}
		}
	})
}

func mustGet(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestSCIMTokenGuessingIsLimited: wrong SCIM bearer tokens count as failed
// authentications of the client address and of the connection (as wrong
// project secrets do); over the limit the address is refused with a SCIM
// 429 and Retry-After even with the right token, and the IdP's own address
// still provisions.
func TestSCIMTokenGuessingIsLimited(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := limitsEnv(t, backend)
		e.CreateOrg("Acme", "acme")
		conn := e.MustOK(e.Call("POST", "/v1/b2b/scim/acme/connection", map[string]any{"display_name": "Okta", "identity_provider": "okta"})).Obj("connection")
		users := "/v1/b2b/scim/" + conn["connection_id"].(string) + "/Users"
		call := func(from, token string) *apptest.Response {
			return e.Do(apptest.Request{Method: "GET", Path: users, NoAuth: true,
				Header: map[string]string{"X-Forwarded-For": from, "Authorization": "Bearer " + token}})
		}
		for i := 0; i < 3; i++ {
			if r := call("192.0.2.90", "wrong-token"); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong token %d: %d %s", i, r.Status, r.Raw)
			}
		}
		r := call("192.0.2.90", conn["bearer_token"].(string))
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
			!strings.Contains(string(r.Raw), `"status":"429"`) || !strings.Contains(string(r.Raw), "urn:ietf:params:scim:api:messages:2.0:Error") {
			t.Fatalf("the guessing address with the right token: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
		}
		if r := call("192.0.2.91", conn["bearer_token"].(string)); r.Status != http.StatusOK {
			t.Fatalf("the IdP's address: %d %s", r.Status, r.Raw)
		}
	})
}
