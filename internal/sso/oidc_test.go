package sso

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/store"
)

func TestValidateIssuer(t *testing.T) {
	tests := []struct {
		in, want string // want "" means accepted
	}{
		{"https://login.example.com", ""},
		{"https://login.example.com/tenant/v2.0", ""},
		{"https://login.example.com/", ""},
		{"http://localhost:8080/realms/x", ""},
		{"http://127.0.0.1:9000", ""},
		{"http://[::1]:9000", ""},
		{"", "oidc_connection_issuer_required"},
		{"login.example.com", "oidc_connection_issuer_url_invalid_format"},
		{"//login.example.com", "oidc_connection_issuer_url_invalid_format"},
		{"ftp://login.example.com", "oidc_connection_issuer_url_invalid_format"},
		{"javascript:alert(1)", "oidc_connection_issuer_url_invalid_format"},
		{"https://u:p@login.example.com", "oidc_connection_issuer_url_invalid_format"},
		{"https://login.example.com/#frag", "oidc_connection_issuer_url_invalid_format"},
		{"https://login.example.com/\x00", "oidc_connection_issuer_url_invalid_format"},
		{"https://login.example.com/" + strings.Repeat("a", 2048), "oidc_connection_issuer_url_invalid_format"},
		{"http://login.example.com", "invalid_issuer"},
		{"http://10.0.0.1", "invalid_issuer"},
		{"https://login.example.com?tenant=1", "invalid_issuer"},
		{"https://login.example.com/?", "invalid_issuer"},
	}
	for _, tc := range tests {
		err := validateIssuer(tc.in)
		if (tc.want == "" && err != nil) || (tc.want != "" && apierr.TypeOf(err) != tc.want) {
			t.Errorf("validateIssuer(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestValidateOIDCEndpoint(t *testing.T) {
	for _, field := range []string{"authorization_url", "token_url", "userinfo_url", "jwks_url"} {
		tests := []struct{ in, want string }{
			{"https://idp.example.com/x?y=1", ""},
			{"http://localhost/x", ""},
			{"", "oidc_connection_" + field + "_required"},
			{"/relative", "oidc_connection_" + field + "_invalid_format"},
			{"https://u@idp.example.com/", "oidc_connection_" + field + "_invalid_format"},
			{"data:text/html,hi", "oidc_connection_" + field + "_invalid_format"},
			{"http://idp.example.com/x", "invalid_" + field},
		}
		for _, tc := range tests {
			err := validateOIDCEndpoint(field, tc.in)
			if got := apierr.TypeOf(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
				t.Errorf("validateOIDCEndpoint(%s, %q) = %v, want %q", field, tc.in, err, tc.want)
			}
		}
	}
}

func TestValidateClientCredentials(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"id ok", validateClientID("0oa1b2c3d4"), ""},
		{"id unicode ok", validateClientID("clïent"), ""},
		{"id empty", validateClientID(""), "oidc_connection_client_id_required"},
		{"id tab", validateClientID("a\tb"), "invalid_client_id"},
		{"id del", validateClientID("a\x7fb"), "invalid_client_id"},
		{"id invalid utf8", validateClientID("a\xffb"), "invalid_client_id"},
		{"id long", validateClientID(strings.Repeat("i", maxClientIDLen+1)), "invalid_client_id"},
		{"id at limit", validateClientID(strings.Repeat("i", maxClientIDLen)), ""},
		{"secret ok", validateClientSecret("a~b!c@d#e$f%g^h&i*j(k)l_m+n"), ""},
		{"secret empty", validateClientSecret(""), "oidc_connection_client_secret_required"},
		{"secret long", validateClientSecret(strings.Repeat("s", maxClientSecretLen+1)), "client_secret_too_long"},
		{"secret at limit", validateClientSecret(strings.Repeat("s", maxClientSecretLen)), ""},
		{"secret newline", validateClientSecret("a\nb"), "invalid_client_secret"},
	}
	for _, tc := range tests {
		if got := apierr.TypeOf(tc.err); (tc.want == "" && tc.err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, tc.err, tc.want)
		}
		// A rejected secret is never echoed.
		if tc.err != nil && strings.Contains(apierr.As(tc.err).Message, "sss") {
			t.Errorf("%s: the message echoes the input", tc.name)
		}
	}
}

func TestValidateOIDCAttributeMapping(t *testing.T) {
	m, err := validateOIDCAttributeMapping(map[string]any{"email": "upn", "groups": "roles"})
	if err != nil || len(m) != 2 || m["email"] != "upn" {
		t.Fatalf("valid mapping: %v %v", m, err)
	}
	if m, err := validateOIDCAttributeMapping(map[string]any{}); err != nil || len(m) != 0 {
		t.Fatalf("empty mapping: %v %v", m, err)
	}
	big := map[string]any{}
	for i := 0; i <= maxOIDCMappingKeys; i++ {
		big[strings.Repeat("k", i+1)] = "v"
	}
	for name, in := range map[string]map[string]any{
		"number": {"email": 1}, "object": {"email": map[string]any{}}, "array": {"email": []any{"a"}},
		"null": {"email": nil}, "bool": {"email": true}, "blank value": {"email": ""}, "blank key": {" ": "x"},
		"long value": {"email": strings.Repeat("v", 1025)}, "too many": big,
	} {
		if _, err := validateOIDCAttributeMapping(in); apierr.TypeOf(err) != "invalid_request_value" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// discoveryProblem must say what went wrong without leaking more than the
// outbound and oidc packages consider client-safe.
func TestDiscoveryProblem(t *testing.T) {
	refused := &outbound.Error{Kind: outbound.KindRefusedAddress, Host: "idp.example.com",
		Reason: "the host resolves to a private, loopback, link-local or reserved address",
		Hint:   "A Seam operator can allow this destination with SEAM_OUTBOUND_ALLOW.",
		Err:    errors.New("dial 10.0.0.5:443: internal detail")}
	tests := []struct {
		name      string
		err       error
		want, not string
	}{
		{"refused", &oidc.Error{Reason: oidc.ReasonDiscoveryFailed, Outbound: "refused_address", Host: "idp.example.com",
			Detail: refused.Describe("the discovery endpoint"), Err: &url.Error{Op: "Get", URL: "https://idp.example.com/x", Err: refused}},
			"(the discovery endpoint is at a refused address (the host resolves to a private, loopback, link-local or reserved address)). A Seam operator can allow this destination with SEAM_OUTBOUND_ALLOW.",
			"10.0.0.5"},
		{"timeout has no hint", &oidc.Error{Reason: oidc.ReasonDiscoveryFailed, Outbound: "timeout", Detail: "the discovery endpoint timed out",
			Err: &url.Error{Op: "Get", URL: "https://idp.example.com/x", Err: &outbound.Error{Kind: outbound.KindTimeout, Reason: "the request timed out"}}},
			"could not be retrieved. (the discovery endpoint timed out).", "SEAM_OUTBOUND_ALLOW"},
		{"status", &oidc.Error{Reason: oidc.ReasonDiscoveryFailed, Outbound: "http_status", Detail: "the discovery endpoint answered HTTP 500", HTTPStatus: 500},
			"(the discovery endpoint answered HTTP 500).", ""},
		{"mismatch", &oidc.Error{Reason: oidc.ReasonDiscoveryIssuerMismatch, Detail: `expected issuer "a", the document says "b"`},
			"does not match", ""},
		{"foreign error", errors.New("boom secret"), "the request failed.", "secret"},
	}
	for _, tc := range tests {
		got := discoveryProblem(tc.err)
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("%s: %q (want %q, not %q)", tc.name, got, tc.want, tc.not)
		}
	}
}

// newTestService is a Service with only a sealer: the validation and
// application paths need no store.
func newTestService(t testing.TB) *Service {
	t.Helper()
	sealer, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Sealer: sealer, Now: time.Now, BaseURL: "https://seam.example.com"}
}

func TestApplyOIDCPatch(t *testing.T) {
	s := newTestService(t)
	c := &store.Connection{ID: "oidc-connection-test-1", Kind: store.KindOIDC}
	cfg := &oidcConfig{IdentityProvider: "generic", Issuer: "https://old.example.com", TokenURL: "https://old.example.com/t",
		CustomScopes: "openid", TokenAuthMethods: []string{"client_secret_post"}}
	var in OIDCUpdate
	if err := json.Unmarshal([]byte(`{"client_id":"cid","client_secret":"top-secret","issuer":"https://new.example.com",
		"token_url":null,"custom_scopes":"openid  groups openid","attribute_mapping":{"dept":"department"},"display_name":"D"}`), &in); err != nil {
		t.Fatal(err)
	}
	p, err := validateOIDCUpdate(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.applyOIDC(c, cfg, p); err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != "cid" || cfg.Issuer != "https://new.example.com" || cfg.TokenURL != "https://old.example.com/t" ||
		cfg.CustomScopes != "openid groups" || cfg.AttributeMapping["dept"] != "department" || c.DisplayName != "D" {
		t.Fatalf("applied = %+v", cfg)
	}
	if cfg.SealedClientSecret == "" || strings.Contains(cfg.SealedClientSecret, "top-secret") || strings.Contains(string(cfg.encode()), "top-secret") {
		t.Fatalf("secret not sealed: %q", cfg.SealedClientSecret)
	}
	// The sealed secret is bound to this connection.
	if _, err := s.Sealer.Open(cfg.SealedClientSecret, sealAAD("oidc-connection-test-2", "client_secret")); err == nil {
		t.Fatal("the sealed secret opens for another connection")
	}
	got, err := s.Sealer.Open(cfg.SealedClientSecret, sealAAD(c.ID, "client_secret"))
	if err != nil || string(got) != "top-secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	// The view redacts it.
	c.Config = cfg.encode()
	v, err := s.OIDCView(c)
	if err != nil || v.ClientSecret != redactedSecret || v.RedirectURL != "https://seam.example.com/v1/b2b/sso/callback/oidc-connection-test-1" {
		t.Fatalf("view = %+v, %v", v, err)
	}
}

func TestApplyDiscovered(t *testing.T) {
	cfg := &oidcConfig{AuthorizationURL: "https://old/a", TokenURL: "https://old/t", UserinfoURL: "https://old/u", JWKSURL: "https://old/k"}
	ep := &oidc.Endpoints{AuthorizationURL: "https://new/a", TokenURL: "https://new/t", JWKSURL: "https://new/k",
		TokenEndpointAuthMethods: []string{"client_secret_basic"}}
	in := OIDCUpdate{JWKSURL: opt.Of("https://body/k")}
	applyDiscovered(cfg, ep, in)
	// jwks_url is in the body, so the discovered one is not used (applyOIDC
	// writes the body's); userinfo is not in the document, so it stays.
	want := oidcConfig{AuthorizationURL: "https://new/a", TokenURL: "https://new/t", UserinfoURL: "https://old/u", JWKSURL: "https://old/k",
		TokenAuthMethods: []string{"client_secret_basic"}}
	if cfg.AuthorizationURL != want.AuthorizationURL || cfg.TokenURL != want.TokenURL || cfg.UserinfoURL != want.UserinfoURL ||
		cfg.JWKSURL != want.JWKSURL || len(cfg.TokenAuthMethods) != 1 {
		t.Fatalf("applied = %+v", cfg)
	}
}

// Without an HTTP client the discovery fails closed with a warning instead
// of falling back to an unguarded client.
func TestDiscoverWithoutClient(t *testing.T) {
	s := newTestService(t)
	ep, w := s.discover(context.Background(), "https://idp.example.com")
	if ep != nil || !strings.Contains(w, "not configured") {
		t.Fatalf("discover = %v, %q", ep, w)
	}
	s.HTTPClient = &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("network is down")
	})}
	ep, w = s.discover(context.Background(), "https://idp.example.com")
	if ep != nil || !strings.Contains(w, "https://idp.example.com/.well-known/openid-configuration") {
		t.Fatalf("discover = %v, %q", ep, w)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzOIDCUpdate decodes arbitrary JSON as an update body: validation never
// panics, and whatever it accepts is safe to store and to use.
func FuzzOIDCUpdate(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"issuer":"https://login.example.com/tenant","client_id":"cid","client_secret":"sek"}`,
		`{"authorization_url":"https://a.example.com/auth","token_url":"https://a.example.com/t","userinfo_url":"http://localhost/u","jwks_url":"https://a.example.com/k"}`,
		`{"issuer":"http://idp.example.com"}`,
		`{"issuer":"https://u:p@idp.example.com#x?y"}`,
		`{"custom_scopes":"openid email profile groups"}`,
		`{"custom_scopes":"\"\\"}`,
		`{"attribute_mapping":{"email":{"nested":true}}}`,
		`{"attribute_mapping":{"email":"mail","name":"cn"}}`,
		`{"client_secret":"\u0000"}`,
		`{"display_name":"x","identity_provider":"okta","token_url":null}`,
		`{"jwks_url":"https://[::1]:443/k","userinfo_url":"https://2130706433/u"}`,
	} {
		f.Add([]byte(seed))
	}
	s := newTestService(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in OIDCUpdate
		if json.Unmarshal(body, &in) != nil {
			return
		}
		p, err := validateOIDCUpdate(in)
		if err != nil {
			if apierr.As(err).Status != 400 {
				t.Fatalf("validation error with status %d: %v", apierr.As(err).Status, err)
			}
			return
		}
		c := &store.Connection{ID: "oidc-connection-test-f", Kind: store.KindOIDC}
		cfg := &oidcConfig{}
		if err := s.applyOIDC(c, cfg, p); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{cfg.Issuer, cfg.AuthorizationURL, cfg.TokenURL, cfg.UserinfoURL, cfg.JWKSURL} {
			if u == "" {
				continue
			}
			pu, err := url.Parse(u)
			if err != nil || pu.User != nil || pu.Fragment != "" || pu.Host == "" {
				t.Fatalf("accepted URL %q", u)
			}
			if pu.Scheme != "https" && !(pu.Scheme == "http" && isLoopbackHost(pu.Hostname())) {
				t.Fatalf("accepted non-https URL %q", u)
			}
		}
		if cfg.Issuer != "" && oidc.CheckIssuer(cfg.Issuer) != nil {
			t.Fatalf("accepted issuer %q", cfg.Issuer)
		}
		if _, err := oidc.ParseScopes(cfg.CustomScopes); err != nil {
			t.Fatalf("stored scopes %q do not parse: %v", cfg.CustomScopes, err)
		}
		var back oidcConfig
		if err := json.Unmarshal(cfg.encode(), &back); err != nil {
			t.Fatal(err)
		}
	})
}
