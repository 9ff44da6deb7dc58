package httpapi_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/oidc"
)

// testOP is an in-process https OpenID Provider that serves discovery
// documents and counts every request it receives.
type testOP struct {
	srv  *httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	// docs maps an issuer path ("" for the root issuer) to the discovery
	// document served for it; a missing entry answers 404.
	docs map[string]map[string]any
	// onDiscovery, when set, runs before a discovery document is served.
	onDiscovery func()
}

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	op := &testOP{docs: map[string]map[string]any{}}
	op.srv = httptest.NewTLSServer(http.HandlerFunc(op.serve))
	t.Cleanup(op.srv.Close)
	op.setDoc("", op.standardDoc(""))
	return op
}

func (op *testOP) issuer(path string) string { return op.srv.URL + path }

// standardDoc is a complete discovery document for the issuer at path.
func (op *testOP) standardDoc(path string) map[string]any {
	iss := op.issuer(path)
	return map[string]any{
		"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
		"userinfo_endpoint": iss + "/userinfo", "jwks_uri": iss + "/jwks",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
		"response_types_supported":              []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	}
}

func (op *testOP) setDoc(path string, doc map[string]any) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.docs[path] = doc
}

func (op *testOP) serve(w http.ResponseWriter, r *http.Request) {
	op.hits.Add(1)
	path, ok := strings.CutSuffix(r.URL.Path, "/.well-known/openid-configuration")
	op.mu.Lock()
	doc, found := op.docs[path]
	hook := op.onDiscovery
	op.mu.Unlock()
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	if hook != nil {
		hook()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// trust lets Seam's guarded outbound client reach and trust op: loopback is
// allow-listed and op's certificate is added as a CA.
func (op *testOP) trust(t *testing.T) apptest.Option {
	t.Helper()
	file := filepath.Join(t.TempDir(), "op-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: op.srv.Certificate().Raw})
	if err := os.WriteFile(file, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.OutboundAllow = "127.0.0.0/8"
		c.OutboundCAFile = file
	}
}

func oidcPath(org, conn string) string {
	return "/v1/b2b/sso/oidc/" + org + "/connections/" + conn
}

func createOIDC(e *apptest.Env, org string) map[string]any {
	e.T.Helper()
	return e.MustOK(e.Call("POST", "/v1/b2b/sso/oidc/"+org, map[string]any{"display_name": "Entra", "identity_provider": "microsoft-entra"})).Obj("connection")
}

// oidcConn reads the only OIDC connection of org through Get Connections.
func oidcConn(e *apptest.Env, org string) map[string]any {
	e.T.Helper()
	list := e.MustOK(e.Call("GET", "/v1/b2b/sso/"+org, nil)).Body["oidc_connections"].([]any)
	if len(list) != 1 {
		e.T.Fatalf("oidc_connections = %v", list)
	}
	return list[0].(map[string]any)
}

const testClientSecret = "s3cr3t-value-that-must-never-be-returned"

func TestOIDCConnectionLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		op := newTestOP(t)
		e := apptest.New(t, backend, op.trust(t))
		org := e.CreateOrg("Acme", "acme")
		orgID := org["organization_id"].(string)

		c := createOIDC(e, "acme")
		id := c["connection_id"].(string)
		if !strings.HasPrefix(id, "oidc-connection-test-") || c["status"] != "pending" || c["organization_id"] != orgID ||
			c["identity_provider"] != "microsoft-entra" || c["display_name"] != "Entra" || c["client_secret"] != "" ||
			c["redirect_url"] != e.URL+"/v1/b2b/sso/callback/"+id {
			t.Fatalf("created = %v", c)
		}
		if m, ok := c["attribute_mapping"].(map[string]any); !ok || len(m) != 0 {
			t.Fatalf("attribute_mapping = %v, want {}", c["attribute_mapping"])
		}
		// Defaults: identity_provider generic.
		plain := e.MustOK(e.Call("POST", "/v1/b2b/sso/oidc/"+orgID, nil)).Obj("connection")
		if plain["identity_provider"] != "generic" || plain["display_name"] != "" || plain["status"] != "pending" {
			t.Fatalf("defaults = %v", plain)
		}
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+plain["connection_id"].(string), nil))

		// Setting the issuer discovers the endpoints.
		r := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": op.issuer("")}))
		got := r.Obj("connection")
		iss := op.issuer("")
		if r.Str("warning") != "" || got["issuer"] != iss || got["authorization_url"] != iss+"/authorize" || got["token_url"] != iss+"/token" ||
			got["userinfo_url"] != iss+"/userinfo" || got["jwks_url"] != iss+"/jwks" || got["status"] != "pending" {
			t.Fatalf("after discovery: warning %q, %v", r.Str("warning"), got)
		}
		if _, ok := r.Body["warning"]; !ok {
			t.Fatal("the update response has no warning member")
		}
		// Client credentials complete the connection.
		got = e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"client_id": "seam-client"})).Obj("connection")
		if got["status"] != "pending" || got["client_id"] != "seam-client" || got["client_secret"] != "" {
			t.Fatalf("after client_id: %v", got)
		}
		// missing_settings (Seam extension) names what is still needed.
		if ms := fmtList(c["missing_settings"]); ms != "issuer,client_id,client_secret,authorization_url,token_url,userinfo_url,jwks_url" {
			t.Fatalf("new connection missing_settings = %s", ms)
		}
		if ms := fmtList(got["missing_settings"]); ms != "client_secret" {
			t.Fatalf("after client_id missing_settings = %s", ms)
		}
		r = e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{
			"organization_id": orgID, "connection_id": id, "client_secret": testClientSecret,
		}))
		got = r.Obj("connection")
		if got["status"] != "active" || got["client_secret"] == "" || got["client_secret"] == testClientSecret || fmtList(got["missing_settings"]) != "" {
			t.Fatalf("after client_secret: %v", got)
		}
		// The secret never leaves the server, in any response.
		for _, raw := range [][]byte{r.Raw, e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw, e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Raw} {
			if strings.Contains(string(raw), testClientSecret) || strings.Contains(string(raw), "s3cr3t") {
				t.Fatalf("client secret disclosed: %s", raw)
			}
		}
		// It is stored sealed, and the runtime recovers it with the
		// discovered token endpoint auth method.
		stored, err := e.App.Store.GetConnection(context.Background(), e.Creds.ProjectID, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored.Config), testClientSecret) {
			t.Fatalf("client secret stored in the clear: %s", stored.Config)
		}
		rt, err := e.App.SSO.OIDCRuntime(stored)
		if err != nil {
			t.Fatal(err)
		}
		if rt.Config.ClientSecret != testClientSecret || rt.Config.TokenAuthMethod != oidc.AuthMethodClientSecretPost ||
			rt.Config.RedirectURL != e.URL+"/v1/b2b/sso/callback/"+id {
			t.Fatalf("runtime = %+v (%s)", rt.Config, rt.Config.TokenAuthMethod)
		}
		// The organization lists the active connection.
		o := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
		if ac := o["sso_active_connections"].([]any); len(ac) != 1 || ac[0].(map[string]any)["connection_id"] != id ||
			ac[0].(map[string]any)["identity_provider"] != "microsoft-entra" {
			t.Fatalf("sso_active_connections = %v", o["sso_active_connections"])
		}

		// Every field round-trips; absent fields stay as they were.
		full := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{
			"display_name": "Entra prod", "identity_provider": "okta", "custom_scopes": "openid  email groups email",
			"attribute_mapping": map[string]any{"department": "dept", "groups": "roles"},
			"authorization_url": "https://login.example.com/authorize",
		})).Obj("connection")
		want := map[string]any{
			"display_name": "Entra prod", "identity_provider": "okta", "custom_scopes": "openid email groups",
			"authorization_url": "https://login.example.com/authorize", "token_url": iss + "/token", "client_id": "seam-client",
			"issuer": iss, "status": "active",
		}
		for k, v := range want {
			if full[k] != v {
				t.Errorf("%s = %v, want %v", k, full[k], v)
			}
		}
		if m := full["attribute_mapping"].(map[string]any); m["department"] != "dept" || m["groups"] != "roles" || len(m) != 2 {
			t.Errorf("attribute_mapping = %v", m)
		}
		// null leaves a field unchanged; "" clears custom_scopes (default scopes).
		kept := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"display_name": nil, "token_url": nil, "custom_scopes": ""})).Obj("connection")
		if kept["display_name"] != "Entra prod" || kept["token_url"] != iss+"/token" || kept["custom_scopes"] != "" {
			t.Errorf("null/empty handling: %v", kept)
		}
		// Re-sending the same issuer does not rediscover: the explicit
		// authorization_url set above survives.
		before := op.hits.Load()
		same := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": iss})).Obj("connection")
		if op.hits.Load() != before || same["authorization_url"] != "https://login.example.com/authorize" {
			t.Errorf("unchanged issuer rediscovered: hits %d -> %d, %v", before, op.hits.Load(), same)
		}
		// A new issuer: discovered values fill the gaps, body values win.
		op.setDoc("/tenant2", op.standardDoc("/tenant2"))
		iss2 := op.issuer("/tenant2")
		moved := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": iss2, "jwks_url": "https://keys.example.com/jwks"})).Obj("connection")
		if moved["issuer"] != iss2 || moved["authorization_url"] != iss2+"/authorize" || moved["token_url"] != iss2+"/token" ||
			moved["userinfo_url"] != iss2+"/userinfo" || moved["jwks_url"] != "https://keys.example.com/jwks" || moved["status"] != "active" {
			t.Fatalf("body values must win over discovered ones: %v", moved)
		}

		// Listing, then deleting.
		list := e.MustOK(e.Call("GET", "/v1/b2b/sso/"+orgID, nil))
		if len(list.Body["oidc_connections"].([]any)) != 1 || len(list.Body["saml_connections"].([]any)) != 0 {
			t.Fatalf("list = %s", list.Raw)
		}
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil))
		e.WantError(e.Call("PUT", oidcPath("acme", id), map[string]any{"display_name": "x"}), 404, "oidc_connection_not_found")
	})
}

func TestOIDCDiscoveryFailureSavesWithWarning(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		op := newTestOP(t)
		e := apptest.New(t, backend, op.trust(t))
		e.CreateOrg("Acme", "acme")
		id := createOIDC(e, "acme")["connection_id"].(string)

		// Wrong issuer in the document: rejected, not corrected.
		op.setDoc("/liar", op.standardDoc("/someone-else"))
		// A document whose endpoints are plain http to a public host.
		insecure := op.standardDoc("/insecure")
		insecure["token_endpoint"] = "http://idp.example.com/token"
		op.setDoc("/insecure", insecure)
		op.setDoc("/garbage", map[string]any{"issuer": op.issuer("/garbage")}) // no endpoints

		cases := []struct {
			path string
			want string // in the warning
		}{
			{"/missing", "HTTP 404"},
			{"/liar", "does not match"},
			{"/insecure", "token endpoint"},
			{"/garbage", "authorization_endpoint"},
		}
		for _, tc := range cases {
			t.Run(tc.path, func(t *testing.T) {
				issuer := op.issuer(tc.path)
				r := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{
					"issuer": issuer, "client_id": "cid", "token_url": "https://idp.example.com/explicit-token",
				}))
				w := r.Str("warning")
				if !strings.Contains(w, tc.want) || !strings.Contains(w, "/.well-known/openid-configuration") {
					t.Fatalf("warning = %q, want it to mention %q", w, tc.want)
				}
				got := r.Obj("connection")
				// Saved with the body values; nothing discovered was applied.
				if got["issuer"] != issuer || got["client_id"] != "cid" || got["token_url"] != "https://idp.example.com/explicit-token" ||
					got["authorization_url"] != "" || got["jwks_url"] != "" || got["status"] != "pending" {
					t.Fatalf("connection = %v", got)
				}
				if oidcConn(e, "acme")["issuer"] != issuer {
					t.Fatal("the update was not saved")
				}
			})
		}
		// No provider's token endpoint auth methods are kept after failed
		// discoveries: the runtime falls back to client_secret_basic.
		stored, err := e.App.Store.GetConnection(context.Background(), e.Creds.ProjectID, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored.Config), "token_endpoint_auth_methods") {
			t.Fatalf("auth methods kept after failed discoveries: %s", stored.Config)
		}
	})
}

// Without an allow-list entry, the guarded client refuses loopback and
// private addresses at fetch time: the update is saved with a warning and
// the provider receives nothing.
func TestOIDCDiscoveryRefusesHostileIssuers(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		op := newTestOP(t)
		e := apptest.New(t, backend) // no OutboundAllow
		e.CreateOrg("Acme", "acme")
		id := createOIDC(e, "acme")["connection_id"].(string)
		addr := op.srv.Listener.Addr().String()
		port := addr[strings.LastIndexByte(addr, ':')+1:]
		for _, issuer := range []string{
			op.issuer(""),                       // https://127.0.0.1:port
			"https://localhost:" + port,         // loopback by name
			"http://localhost:" + port,          // plain http to loopback
			"https://[::1]:" + port,             // IPv6 loopback
			"https://169.254.169.254",           // cloud metadata
			"https://10.0.0.1/tenant",           // private range
			"https://2130706433:" + port + "/x", // 127.0.0.1 spelled as a number
		} {
			t.Run(issuer, func(t *testing.T) {
				r := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": issuer}))
				if w := r.Str("warning"); w == "" || !strings.Contains(w, "discovery") {
					t.Fatalf("warning = %q", w)
				}
				if got := r.Obj("connection"); got["issuer"] != issuer || got["authorization_url"] != "" {
					t.Fatalf("connection = %v", got)
				}
			})
		}
		if n := op.hits.Load(); n != 0 {
			t.Fatalf("the provider on 127.0.0.1 received %d requests", n)
		}
		// Plain http to a public host is refused outright, before any fetch.
		e.WantError(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": "http://idp.example.com"}), 400, "invalid_issuer")
	})
}

// Discovery runs outside the transaction: while the provider is answering,
// another update of the same connection goes through, and both changes
// survive.
func TestOIDCDiscoveryHoldsNoLock(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		op := newTestOP(t)
		e := apptest.New(t, backend, op.trust(t))
		e.CreateOrg("Acme", "acme")
		id := createOIDC(e, "acme")["connection_id"].(string)
		var (
			mu      sync.Mutex
			inner   *apptest.Response
			elapsed time.Duration
		)
		op.mu.Lock()
		op.onDiscovery = func() {
			start := time.Now()
			r := e.Call("PUT", oidcPath("acme", id), map[string]any{"display_name": "renamed during discovery"})
			mu.Lock()
			inner, elapsed = r, time.Since(start)
			mu.Unlock()
		}
		op.mu.Unlock()
		r := e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{"issuer": op.issuer("")}))
		mu.Lock()
		defer mu.Unlock()
		if inner == nil || inner.Status != http.StatusOK || elapsed > 3*time.Second {
			t.Fatalf("concurrent update during discovery: %v after %s", inner, elapsed)
		}
		if r.Str("warning") != "" {
			t.Fatalf("warning = %q", r.Str("warning"))
		}
		got := oidcConn(e, "acme")
		if got["display_name"] != "renamed during discovery" || got["authorization_url"] != op.issuer("")+"/authorize" {
			t.Fatalf("a change was lost: %v", got)
		}
	})
}

func TestOIDCConnectionValidation(t *testing.T) {
	op := newTestOP(t)
	e := apptest.New(t, "sqlite", op.trust(t))
	e.CreateOrg("Acme", "acme")
	other := e.CreateOrg("Other", "other")
	id := createOIDC(e, "acme")["connection_id"].(string)
	// Give the connection values so that a rejected update has something to
	// destroy.
	e.MustOK(e.Call("PUT", oidcPath("acme", id), map[string]any{
		"issuer": op.issuer(""), "client_id": "cid", "client_secret": "sek", "custom_scopes": "openid email",
		"attribute_mapping": map[string]any{"dept": "department"},
	}))
	cases := []struct {
		name    string
		body    map[string]any
		status  int
		errType string
	}{
		{"long display name", map[string]any{"display_name": strings.Repeat("x", 129)}, 400, "invalid_display_name"},
		{"bad idp", map[string]any{"identity_provider": "myspace"}, 400, "invalid_sso_idp"},
		{"empty client id", map[string]any{"client_id": ""}, 400, "oidc_connection_client_id_required"},
		{"client id with newline", map[string]any{"client_id": "a\nb"}, 400, "invalid_client_id"},
		{"long client id", map[string]any{"client_id": strings.Repeat("c", 1025)}, 400, "invalid_client_id"},
		{"empty client secret", map[string]any{"client_secret": ""}, 400, "oidc_connection_client_secret_required"},
		{"long client secret", map[string]any{"client_secret": strings.Repeat("s", 2049)}, 400, "client_secret_too_long"},
		{"client secret with control", map[string]any{"client_secret": "a\x01b"}, 400, "invalid_client_secret"},
		{"empty issuer", map[string]any{"issuer": ""}, 400, "oidc_connection_issuer_required"},
		{"issuer not a url", map[string]any{"issuer": "not a url"}, 400, "oidc_connection_issuer_url_invalid_format"},
		{"issuer ftp", map[string]any{"issuer": "ftp://idp.example.com"}, 400, "oidc_connection_issuer_url_invalid_format"},
		{"issuer credentials", map[string]any{"issuer": "https://user:pw@idp.example.com"}, 400, "oidc_connection_issuer_url_invalid_format"},
		{"issuer fragment", map[string]any{"issuer": "https://idp.example.com#x"}, 400, "oidc_connection_issuer_url_invalid_format"},
		{"issuer http", map[string]any{"issuer": "http://idp.example.com"}, 400, "invalid_issuer"},
		{"issuer query", map[string]any{"issuer": "https://idp.example.com/?tenant=1"}, 400, "invalid_issuer"},
		{"empty authorization url", map[string]any{"authorization_url": ""}, 400, "oidc_connection_authorization_url_required"},
		{"authorization url javascript", map[string]any{"authorization_url": "javascript:alert(1)"}, 400, "oidc_connection_authorization_url_invalid_format"},
		{"authorization url http", map[string]any{"authorization_url": "http://idp.example.com/a"}, 400, "invalid_authorization_url"},
		{"empty token url", map[string]any{"token_url": ""}, 400, "oidc_connection_token_url_required"},
		{"token url relative", map[string]any{"token_url": "/token"}, 400, "oidc_connection_token_url_invalid_format"},
		{"token url http", map[string]any{"token_url": "http://idp.example.com/t"}, 400, "invalid_token_url"},
		{"empty userinfo url", map[string]any{"userinfo_url": ""}, 400, "oidc_connection_userinfo_url_required"},
		{"userinfo url credentials", map[string]any{"userinfo_url": "https://u:p@idp.example.com/u"}, 400, "oidc_connection_userinfo_url_invalid_format"},
		{"userinfo url http", map[string]any{"userinfo_url": "http://idp.example.com/u"}, 400, "invalid_userinfo_url"},
		{"empty jwks url", map[string]any{"jwks_url": ""}, 400, "oidc_connection_jwks_url_required"},
		{"jwks url too long", map[string]any{"jwks_url": "https://idp.example.com/" + strings.Repeat("k", 2100)}, 400, "oidc_connection_jwks_url_invalid_format"},
		{"jwks url http", map[string]any{"jwks_url": "http://idp.example.com/k"}, 400, "invalid_jwks_url"},
		{"bad scope", map[string]any{"custom_scopes": `openid "email"`}, 400, "oidc_invalid_scope"},
		{"nested mapping", map[string]any{"attribute_mapping": map[string]any{"email": map[string]any{"x": "y"}}}, 400, "invalid_request_value"},
		{"blank mapping value", map[string]any{"attribute_mapping": map[string]any{"email": " "}}, 400, "invalid_request_value"},
		{"wrong type", map[string]any{"client_id": 5}, 400, "invalid_request_value"},
		{"connection id mismatch", map[string]any{"connection_id": "oidc-connection-test-other"}, 400, "invalid_request_value"},
		{"organization id mismatch", map[string]any{"organization_id": other["organization_id"]}, 400, "invalid_request_value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
			hits := op.hits.Load()
			// Each rejected body also carries valid changes, including a new
			// issuer: none may stick, and nothing may be fetched.
			op.setDoc("/new", op.standardDoc("/new"))
			body := map[string]any{"display_name": "should not stick", "issuer": op.issuer("/new"), "client_secret": "new-secret"}
			for k, v := range tc.body {
				body[k] = v
			}
			e.WantError(e.Call("PUT", oidcPath("acme", id), body), tc.status, tc.errType)
			after := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
			if stripRequestID(before) != stripRequestID(after) {
				t.Fatalf("a rejected update changed the connection:\nbefore %s\nafter  %s", before, after)
			}
			if op.hits.Load() != hits {
				t.Fatal("a rejected update fetched the discovery document")
			}
		})
	}
	stored, err := e.App.Store.GetConnection(context.Background(), e.Creds.ProjectID, id)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := e.App.SSO.OIDCRuntime(stored)
	if err != nil || rt.Config.ClientSecret != "sek" {
		t.Fatalf("the client secret changed: %v", err)
	}

	// Unknown and foreign connections.
	samlID := createSAML(e, "acme")["connection_id"].(string)
	e.WantError(e.Call("PUT", oidcPath("acme", samlID), map[string]any{"display_name": "x"}), 404, "oidc_connection_not_found")
	e.WantError(e.Call("PUT", oidcPath("other", id), map[string]any{"display_name": "x"}), 404, "oidc_connection_not_found")
	e.WantError(e.Call("PUT", oidcPath("acme", "oidc-connection-test-nope"), map[string]any{"display_name": "x"}), 404, "oidc_connection_not_found")
	e.WantError(e.Call("PUT", oidcPath("nope", id), map[string]any{"display_name": "x"}), 404, "organization_not_found")
	e.WantError(e.Call("POST", "/v1/b2b/sso/oidc/nope", map[string]any{}), 404, "organization_not_found")
	e.WantError(e.Call("POST", "/v1/b2b/sso/oidc/acme", map[string]any{"identity_provider": "myspace"}), 400, "invalid_sso_idp")
	e.WantError(e.Call("POST", "/v1/b2b/sso/oidc/acme", map[string]any{"display_name": "a\nb"}), 400, "invalid_display_name")
	e.WantError(e.Call("POST", "/v1/b2b/sso/oidc/acme", "[1]"), 400, "invalid_request_body")
	// Another project cannot reach the connection, even through an
	// organization with the same slug.
	p2 := e.NewProject("test")
	e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: p2,
		Body: map[string]any{"organization_name": "Acme", "organization_slug": "acme"}}))
	e.WantError(e.Do(apptest.Request{Method: "PUT", Path: oidcPath("acme", id), Body: map[string]any{"display_name": "x"}, Creds: p2}),
		404, "oidc_connection_not_found")
}

// Member-session headers route the call through RBAC instead of the
// project secret's full privilege: a bogus session is refused and nothing
// is written.
func TestOIDCAndExternalEndpointsEnforceSessionAuth(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	id := createOIDC(e, "acme")["connection_id"].(string)
	before := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
	for _, req := range []apptest.Request{
		{Method: "POST", Path: "/v1/b2b/sso/oidc/acme", Body: map[string]any{}},
		{Method: "PUT", Path: oidcPath("acme", id), Body: map[string]any{"display_name": "x"}},
		{Method: "POST", Path: "/v1/b2b/sso/external/acme", Body: map[string]any{"external_organization_id": "x", "external_connection_id": "y"}},
		{Method: "PUT", Path: "/v1/b2b/sso/external/acme/connections/external-connection-test-x", Body: map[string]any{}},
	} {
		for _, h := range []string{"X-Stytch-Member-Session", "X-Stytch-Member-SessionJWT"} {
			req.Header = map[string]string{h: "not-a-session"}
			r := e.Do(req)
			if r.Status < 400 || r.Status >= 500 {
				t.Fatalf("%s %s with %s: %d %s", req.Method, req.Path, h, r.Status, r.Raw)
			}
		}
	}
	if after := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw; stripRequestID(before) != stripRequestID(after) {
		t.Fatalf("a refused call changed connections:\n%s\n%s", before, after)
	}
}
