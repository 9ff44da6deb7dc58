package oidc

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestDiscover(t *testing.T) {
	ctx := context.Background()

	t.Run("ok", func(t *testing.T) {
		op := newTestOP(t)
		ep, err := Discover(ctx, op.srv.Client(), op.issuer)
		if err != nil {
			t.Fatal(err)
		}
		if ep.Issuer != op.issuer || ep.AuthorizationURL != op.issuer+"/authorize" || ep.TokenURL != op.issuer+"/token" ||
			ep.UserinfoURL != op.issuer+"/userinfo" || ep.JWKSURL != op.issuer+"/jwks" {
			t.Errorf("endpoints = %+v", ep)
		}
		if !slices.Equal(ep.IDTokenSigningAlgs, []string{"RS256", "ES256"}) || !slices.Equal(ep.CodeChallengeMethods, []string{"S256"}) {
			t.Errorf("lists = %+v", ep)
		}
	})

	t.Run("trailing slash on the configured issuer is a mismatch", func(t *testing.T) {
		op := newTestOP(t)
		_, err := Discover(ctx, op.srv.Client(), op.issuer+"/")
		if ReasonOf(err) != ReasonDiscoveryIssuerMismatch {
			t.Fatalf("err = %v", err)
		}
		if n := op.hitCount("/.well-known/openid-configuration"); n != 1 {
			t.Fatalf("discovery URL not derived by trimming the slash: %d hits", n)
		}
	})

	cases := []struct {
		name   string
		setup  func(op *testOP)
		issuer func(op *testOP) string
		want   Reason
		status int
	}{
		{name: "issuer mismatch", setup: func(op *testOP) { op.docIssuer = "https://evil.example" }, want: ReasonDiscoveryIssuerMismatch},
		{name: "404", setup: func(op *testOP) { op.status["/.well-known/openid-configuration"] = 404 }, want: ReasonDiscoveryFailed, status: 404},
		{name: "bad JSON", setup: func(op *testOP) { op.rawBody["/.well-known/openid-configuration"] = `{"issuer":` }, want: ReasonDiscoveryInvalidDocument},
		{name: "HTML", setup: func(op *testOP) { op.rawBody["/.well-known/openid-configuration"] = `<html></html>` }, want: ReasonDiscoveryInvalidDocument},
		{name: "wrong types", setup: func(op *testOP) {
			op.rawBody["/.well-known/openid-configuration"] = `{"issuer":1,"authorization_endpoint":"x","jwks_uri":"y"}`
		}, want: ReasonDiscoveryInvalidDocument},
		{name: "oversized", setup: func(op *testOP) { op.oversize["/.well-known/openid-configuration"] = true }, want: ReasonDiscoveryInvalidDocument, status: 200},
		{name: "issuer with query", issuer: func(op *testOP) string { return op.issuer + "?x=1" }, want: ReasonConfigInvalid},
		{name: "issuer not a URL", issuer: func(*testOP) string { return "idp.example.com" }, want: ReasonConfigInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := newTestOP(t)
			if tc.setup != nil {
				op.set(tc.setup)
			}
			iss := op.issuer
			if tc.issuer != nil {
				iss = tc.issuer(op)
			}
			_, err := Discover(ctx, op.srv.Client(), iss)
			var e *Error
			if !errors.As(err, &e) || e.Reason != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
			if tc.status != 0 && e.HTTPStatus != tc.status {
				t.Errorf("status = %d, want %d", e.HTTPStatus, tc.status)
			}
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		op := newTestOP(t)
		hc := op.srv.Client()
		op.srv.Close()
		if _, err := Discover(ctx, hc, op.issuer); ReasonOf(err) != ReasonDiscoveryFailed {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("nil client", func(t *testing.T) {
		if _, err := Discover(ctx, nil, "https://idp.example.com"); ReasonOf(err) != ReasonDiscoveryFailed || !errors.Is(err, errNoClient) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want Reason
	}{
		{"minimal", `{"issuer":"https://i","authorization_endpoint":"https://i/a","jwks_uri":"https://i/k"}`, ""},
		{"no issuer", `{"authorization_endpoint":"https://i/a","jwks_uri":"https://i/k"}`, ReasonDiscoveryInvalidDocument},
		{"no authorization endpoint", `{"issuer":"https://i","jwks_uri":"https://i/k"}`, ReasonDiscoveryInvalidDocument},
		{"no jwks", `{"issuer":"https://i","authorization_endpoint":"https://i/a"}`, ReasonDiscoveryInvalidDocument},
		{"relative token endpoint", `{"issuer":"https://i","authorization_endpoint":"https://i/a","jwks_uri":"https://i/k","token_endpoint":"/t"}`, ReasonDiscoveryInvalidDocument},
		{"javascript userinfo", `{"issuer":"https://i","authorization_endpoint":"https://i/a","jwks_uri":"https://i/k","userinfo_endpoint":"javascript:alert(1)"}`, ReasonDiscoveryInvalidDocument},
		{"trailing data", `{"issuer":"https://i","authorization_endpoint":"https://i/a","jwks_uri":"https://i/k"} x`, ReasonDiscoveryInvalidDocument},
		{"array", `[]`, ReasonDiscoveryInvalidDocument},
		{"null", `null`, ReasonDiscoveryInvalidDocument},
	} {
		_, err := parseDiscovery([]byte(tc.body))
		if ReasonOf(err) != tc.want {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestChooseTokenAuthMethod(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, AuthMethodClientSecretBasic},
		{[]string{"client_secret_basic"}, AuthMethodClientSecretBasic},
		{[]string{"client_secret_post", "client_secret_basic"}, AuthMethodClientSecretBasic},
		{[]string{"client_secret_post"}, AuthMethodClientSecretPost},
		{[]string{"private_key_jwt", "client_secret_post"}, AuthMethodClientSecretPost},
		{[]string{"private_key_jwt"}, AuthMethodClientSecretBasic},
	} {
		if got := ChooseTokenAuthMethod(tc.in); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
