package oidc

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	fuzzIssuer   = "https://idp.example.com"
	fuzzClientID = "client-123"
	fuzzNonce    = "nonce-abc"
)

var fuzzNow = time.Unix(1_750_000_000, 0)

func fuzzConfig() Config {
	return Config{Issuer: fuzzIssuer, ClientID: fuzzClientID, JWKSURL: fuzzIssuer + "/jwks"}
}

func fuzzKeys() []jose.JSONWebKey {
	p := sharedKeys()
	return []jose.JSONWebKey{
		{Key: p.rsa[0].Public(), KeyID: "k1", Algorithm: "RS256"},
		{Key: p.rsa[1].Public(), KeyID: "k2"},
		{Key: p.ec.Public(), KeyID: "ec"},
	}
}

func fuzzClaims() map[string]any {
	return map[string]any{
		"iss": fuzzIssuer, "sub": "user-42", "aud": fuzzClientID, "nonce": fuzzNonce,
		"exp": fuzzNow.Add(5 * time.Minute).Unix(), "iat": fuzzNow.Unix(), "email": "a@example.com",
	}
}

// requireKnownError checks the package contract: every failure is an
// *Error with a documented Reason.
func requireKnownError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is not an *Error: %v", err)
	}
	if e.Reason.ErrorType() == "oidc_unknown_error" {
		t.Fatalf("undocumented reason %q", e.Reason)
	}
}

// verifyOffline is VerifyIDToken without the network: the parsing,
// signature and claims stages against a fixed key set.
func verifyOffline(raw string) (*IDToken, error) {
	p, err := parseJWS(raw)
	if err != nil {
		return nil, err
	}
	payload, _, err := verifyWithKeys(p, fuzzKeys())
	switch {
	case errors.Is(err, errUnknownKey):
		return nil, newErr(ReasonIDTokenUnknownKey, "")
	case err != nil:
		return nil, newErr(ReasonIDTokenInvalidSignature, "")
	}
	return checkClaims(payload, fuzzConfig(), fuzzNonce, fuzzNow)
}

func FuzzParseIDToken(f *testing.F) {
	p := sharedKeys()
	good := signWith(f, p.rsa[0], jose.RS256, "k1", fuzzClaims())
	parts := strings.Split(good, ".")
	for _, seed := range []string{
		good,
		signWith(f, p.ec, jose.ES256, "ec", fuzzClaims()),
		signWith(f, p.rsa[1], jose.PS256, "k2", fuzzClaims()),
		signWith(f, p.rsa[1], jose.RS256, "", fuzzClaims()),
		signWith(f, p.rsa[2], jose.RS256, "k1", fuzzClaims()),
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
		"eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0." + parts[1] + "." + parts[2],
		parts[0] + "." + parts[1],
		"a.b.c.d.e",
		"..",
		"",
		"eyJ9.e30.",
		"eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9.e30.AA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := verifyOffline(raw)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		if tok.Subject == "" || tok.Issuer != fuzzIssuer || !slices.Contains(tok.Audience, fuzzClientID) || tok.Nonce != fuzzNonce {
			t.Fatalf("accepted token violates the checks: %+v", tok)
		}
	})
}

func FuzzCheckClaims(f *testing.F) {
	seed := func(mut func(map[string]any)) []byte {
		c := fuzzClaims()
		if mut != nil {
			mut(c)
		}
		b, _ := json.Marshal(c)
		return b
	}
	for _, s := range [][]byte{
		seed(nil),
		seed(func(c map[string]any) { c["aud"] = []string{fuzzClientID, "x"}; c["azp"] = fuzzClientID }),
		seed(func(c map[string]any) { c["aud"] = []any{fuzzClientID, 1} }),
		seed(func(c map[string]any) { c["exp"] = 1e308 }),
		seed(func(c map[string]any) { c["exp"] = -1 }),
		seed(func(c map[string]any) { c["iat"] = "now" }),
		seed(func(c map[string]any) { c["nbf"] = 1.5 }),
		seed(func(c map[string]any) { c["email_verified"] = "true" }),
		seed(func(c map[string]any) { c["sub"] = nil }),
		[]byte(`{"iss":"https://idp.example.com","aud":"client-123","exp":1e999}`),
		[]byte(`null`),
		[]byte(`{}`),
		[]byte(`{"a":1}{"b":2}`),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		tok, err := checkClaims(payload, fuzzConfig(), fuzzNonce, fuzzNow)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		if tok.Subject == "" || len(tok.Subject) > maxSubjectLength || tok.Issuer != fuzzIssuer ||
			!slices.Contains(tok.Audience, fuzzClientID) || tok.Nonce != fuzzNonce ||
			!fuzzNow.Before(tok.Expiry.Add(DefaultClockSkew)) || tok.IssuedAt.After(fuzzNow.Add(DefaultClockSkew)) {
			t.Fatalf("accepted claims violate the checks: %+v", tok)
		}
		if len(tok.Audience) > 1 && tok.AuthorizedParty != fuzzClientID {
			t.Fatalf("multi-audience token accepted without azp: %+v", tok)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	for _, k := range fuzzKeys() {
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}})
		f.Add(b)
	}
	priv, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: sharedKeys().ec, KeyID: "p"}}})
	f.Add(priv)
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","x5c":["AAAA"]}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			return
		}
		for _, k := range keys {
			if !usableKey(k.Key) || !k.IsPublic() {
				t.Fatalf("unusable or private key accepted: %T", k.Key)
			}
		}
	})
}

func FuzzParseDiscovery(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://i","authorization_endpoint":"https://i/a","token_endpoint":"https://i/t","jwks_uri":"https://i/k","token_endpoint_auth_methods_supported":["client_secret_post"]}`))
	f.Add([]byte(`{"issuer":"https://i","authorization_endpoint":"https://i/a","jwks_uri":"javascript:x"}`))
	f.Add([]byte(`{"issuer":["x"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ep, err := parseDiscovery(body)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		for _, u := range []string{ep.Issuer, ep.AuthorizationURL, ep.JWKSURL} {
			if _, err := checkEndpointURL("x", u); err != nil {
				t.Fatalf("accepted invalid URL %q", u)
			}
		}
		if len(ep.TokenEndpointAuthMethods) > maxListEntries {
			t.Fatal("unbounded list")
		}
	})
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","token_type":"Bearer","id_token":"x.y.z","expires_in":3600}`))
	f.Add([]byte(`{"access_token":"a","token_type":"bearer","id_token":"x.y.z","expires_in":"3600"}`))
	f.Add([]byte(`{"access_token":"a","id_token":"x","expires_in":1e400}`))
	f.Add([]byte(`{"error":"invalid_grant"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseTokenResponse(body)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		if tok.AccessToken == "" || tok.IDToken == "" || tok.ExpiresIn < 0 {
			t.Fatalf("accepted incomplete response: %v", tok)
		}
	})
}

func FuzzParseCallback(f *testing.F) {
	f.Add("code=abc&state=xyz")
	f.Add("error=access_denied&state=xyz&error_description=%00%ff")
	f.Add("code=a&code=b&state=s")
	f.Add("state=%zz")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		cb, err := ParseCallback(q)
		if err != nil {
			requireKnownError(t, err)
			var e *Error
			if errors.As(err, &e) && sanitize(e.OAuthError, 64) != e.OAuthError {
				t.Fatalf("unsanitised provider error %q", e.OAuthError)
			}
			return
		}
		if cb.Code == "" || cb.State == "" || len(cb.Code) > maxCodeLength || len(cb.State) > maxTokenParam {
			t.Fatalf("accepted callback %+v", cb)
		}
	})
}

func FuzzParseScopes(f *testing.F) {
	f.Add("openid email profile")
	f.Add("  openid\tgroups ")
	f.Add("a\"b \\c")
	f.Fuzz(func(t *testing.T, s string) {
		scopes, err := ParseScopes(s)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		for _, sc := range scopes {
			if !validScopeToken(sc) {
				t.Fatalf("invalid scope %q accepted", sc)
			}
		}
	})
}
