package oidc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLoginHappyPath runs discovery, the authorization redirect, the code
// exchange, ID token verification and userinfo against the in-process OP,
// for both client authentication methods and both key types.
func TestLoginHappyPath(t *testing.T) {
	for _, tc := range []struct {
		name        string
		authMethods []string
		wantAuth    string
		kid         string
	}{
		{"basic RS256", []string{AuthMethodClientSecretBasic, AuthMethodClientSecretPost}, "basic", "k1"},
		{"post-only provider", []string{AuthMethodClientSecretPost}, "post", "k2"},
		{"no methods listed ES256", nil, "basic", "ec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			op := newTestOP(t)
			op.set(func(op *testOP) { op.authMethods = tc.authMethods; op.activeKid = tc.kid })
			hc := op.srv.Client()

			ep, err := Discover(ctx, hc, op.issuer)
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			cfg := Config{
				Issuer: ep.Issuer, ClientID: op.clientID, ClientSecret: op.clientSecret,
				AuthorizationURL: ep.AuthorizationURL, TokenURL: ep.TokenURL,
				UserinfoURL: ep.UserinfoURL, JWKSURL: ep.JWKSURL, RedirectURL: op.redirectURL,
				TokenAuthMethod: ChooseTokenAuthMethod(ep.TokenEndpointAuthMethods),
			}

			cb, state, nonce, verifier := op.login(t, cfg)
			if err := CheckState(state, cb.State); err != nil {
				t.Fatalf("CheckState: %v", err)
			}
			if err := cb.CheckIssuer(cfg); err != nil || cb.Issuer != op.issuer {
				t.Fatalf("CheckIssuer: %v (iss %q)", err, cb.Issuer)
			}
			if err := cb.CheckIssuer(Config{Issuer: "https://other.example"}); ReasonOf(err) != ReasonCallbackInvalid {
				t.Fatalf("mix-up not detected: %v", err)
			}
			tok, err := Exchange(ctx, hc, cfg, cb.Code, verifier)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if op.lastAuth != tc.wantAuth {
				t.Errorf("client authenticated with %q, want %q", op.lastAuth, tc.wantAuth)
			}
			if tok.TokenType != "Bearer" || tok.ExpiresIn.Seconds() != 3600 || tok.AccessToken == "" {
				t.Errorf("tokens = %v", tok)
			}

			keys, _ := op.keyCache()
			id, err := VerifyIDToken(ctx, hc, keys, cfg, tok.IDToken, nonce, op.now)
			if err != nil {
				t.Fatalf("VerifyIDToken: %v", err)
			}
			if id.Subject != "user-42" || id.Email != "ada@example.com" || !id.EmailVerified ||
				id.Name != "Ada Lovelace" || id.GivenName != "Ada" || id.FamilyName != "Lovelace" ||
				id.KeyID != tc.kid || id.Issuer != op.issuer || id.Nonce != nonce {
				t.Errorf("id token = %+v", id)
			}
			if id.Claims["given_name"] != "Ada" {
				t.Errorf("claims map lacks given_name: %v", id.Claims)
			}

			info, err := UserInfo(ctx, hc, cfg, tok.AccessToken)
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if err := CheckUserInfoSubject(id.Subject, info); err != nil {
				t.Fatalf("CheckUserInfoSubject: %v", err)
			}
			if g, _ := info["groups"].([]any); len(g) != 1 || g[0] != "engineering" {
				t.Errorf("userinfo groups = %v", info["groups"])
			}
		})
	}
}

func TestExchangeFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("reused code is invalid_grant", func(t *testing.T) {
		op := newTestOP(t)
		cfg := op.config()
		cb, _, _, verifier := op.login(t, cfg)
		if _, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, verifier); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		_, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, verifier)
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonInvalidGrant || e.OAuthError != "invalid_grant" || e.HTTPStatus != 400 {
			t.Fatalf("second exchange err = %v", err)
		}
		if !errors.Is(err, ReasonInvalidGrant) || e.ErrorType() != "oidc_invalid_grant" {
			t.Errorf("errors.Is / ErrorType wrong: %v %s", err, e.ErrorType())
		}
		assertNoSecrets(t, err, cfg.ClientSecret, cb.Code, verifier)
	})

	t.Run("wrong PKCE verifier is invalid_grant", func(t *testing.T) {
		op := newTestOP(t)
		cfg := op.config()
		cb, _, _, _ := op.login(t, cfg)
		other, _ := PKCE(strings.NewReader(strings.Repeat("x", 32)))
		_, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, other)
		if ReasonOf(err) != ReasonInvalidGrant {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("wrong client secret is invalid_client", func(t *testing.T) {
		op := newTestOP(t)
		cfg := op.config()
		cb, _, _, verifier := op.login(t, cfg)
		cfg.ClientSecret = "wrong-secret-value"
		_, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, verifier)
		if ReasonOf(err) != ReasonInvalidClient {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, err, cfg.ClientSecret, cb.Code, verifier)
	})

	t.Run("basic against a post-only provider is invalid_client", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.authMethods = []string{AuthMethodClientSecretPost} })
		cfg := op.config()
		cb, _, _, verifier := op.login(t, cfg)
		_, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, verifier)
		if ReasonOf(err) != ReasonInvalidClient {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("provider echoing secrets is redacted", func(t *testing.T) {
		op := newTestOP(t)
		cfg := op.config()
		code, verifier := "the-code-value", strings.Repeat("v", 43)
		op.set(func(op *testOP) {
			op.status["/token"] = 400
			op.rawBody["/token"] = fmt.Sprintf(`{"error":"invalid_request","error_description":"bad secret %s code %s verifier %s"}`,
				op.clientSecret, code, verifier)
		})
		_, err := Exchange(ctx, op.srv.Client(), cfg, code, verifier)
		if ReasonOf(err) != ReasonTokenExchangeFailed {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, err, cfg.ClientSecret, code, verifier)
		if !strings.Contains(err.Error(), "<redacted>") {
			t.Errorf("expected redaction marker in %q", err)
		}
	})

	t.Run("oversized token response", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.oversize["/token"] = true })
		_, err := Exchange(ctx, op.srv.Client(), op.config(), "code", strings.Repeat("v", 43))
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonTokenExchangeFailed || !errors.Is(err, errBodyTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("server error without JSON", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.status["/token"] = 503 })
		_, err := Exchange(ctx, op.srv.Client(), op.config(), "code", strings.Repeat("v", 43))
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonTokenExchangeFailed || e.HTTPStatus != 503 {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("unreachable token endpoint", func(t *testing.T) {
		op := newTestOP(t)
		cfg := op.config()
		hc := op.srv.Client()
		op.srv.Close()
		_, err := Exchange(ctx, hc, cfg, "code", strings.Repeat("v", 43))
		if ReasonOf(err) != ReasonTokenExchangeFailed {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("token endpoint redirect is not followed", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.authMethods = []string{AuthMethodClientSecretPost} })
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, op.issuer+"/token", http.StatusTemporaryRedirect)
		}))
		defer redirector.Close()
		cfg := op.config()
		cfg.TokenAuthMethod = AuthMethodClientSecretPost
		cfg.TokenURL = redirector.URL + "/token"
		_, err := Exchange(ctx, op.srv.Client(), cfg, "code", strings.Repeat("v", 43))
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonTokenExchangeFailed || e.HTTPStatus != http.StatusTemporaryRedirect {
			t.Fatalf("err = %v", err)
		}
		if op.hitCount("/token") != 0 {
			t.Fatal("the form with the client secret was replayed to the redirect target")
		}
	})

	t.Run("nil client refused", func(t *testing.T) {
		op := newTestOP(t)
		_, err := Exchange(ctx, nil, op.config(), "code", strings.Repeat("v", 43))
		if ReasonOf(err) != ReasonTokenExchangeFailed || !errors.Is(err, errNoClient) {
			t.Fatalf("err = %v", err)
		}
		if op.hitCount("/token") != 0 {
			t.Fatal("request sent without the caller's client")
		}
	})
}

func TestExchangeArgumentChecks(t *testing.T) {
	op := newTestOP(t)
	good := op.config()
	verifier := strings.Repeat("a", 43)
	for _, tc := range []struct {
		name     string
		mutate   func(*Config)
		code     string
		verifier string
		want     Reason
	}{
		{"no token url", func(c *Config) { c.TokenURL = "" }, "c", verifier, ReasonConfigInvalid},
		{"relative token url", func(c *Config) { c.TokenURL = "/token" }, "c", verifier, ReasonConfigInvalid},
		{"ftp token url", func(c *Config) { c.TokenURL = "ftp://x/token" }, "c", verifier, ReasonConfigInvalid},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "c", verifier, ReasonConfigInvalid},
		{"no redirect", func(c *Config) { c.RedirectURL = "" }, "c", verifier, ReasonConfigInvalid},
		{"empty code", nil, "", verifier, ReasonInvalidArgument},
		{"huge code", nil, strings.Repeat("c", maxCodeLength+1), verifier, ReasonInvalidArgument},
		{"short verifier", nil, "c", "abc", ReasonInvalidArgument},
		{"verifier with space", nil, "c", strings.Repeat("a", 42) + " ", ReasonInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			_, err := Exchange(context.Background(), op.srv.Client(), cfg, tc.code, tc.verifier)
			if ReasonOf(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
	if op.hitCount("/token") != 0 {
		t.Fatalf("invalid arguments reached the token endpoint")
	}
}

func TestParseTokenResponse(t *testing.T) {
	for _, tc := range []struct {
		body string
		want Reason
		exp  int
	}{
		{`{"access_token":"a","token_type":"Bearer","id_token":"x.y.z","expires_in":60}`, "", 60},
		{`{"access_token":"a","token_type":"bearer","id_token":"x.y.z","expires_in":"120"}`, "", 120},
		{`{"access_token":"a","id_token":"x.y.z"}`, "", 0},
		{`{"access_token":"a","token_type":"Bearer","id_token":"x.y.z","expires_in":1e300}`, "", maxExpiresIn},
		{`{"access_token":"a","token_type":"mac","id_token":"x.y.z"}`, ReasonTokenExchangeFailed, 0},
		{`{"access_token":"a","token_type":"Bearer"}`, ReasonIDTokenMissing, 0},
		{`{"token_type":"Bearer","id_token":"x.y.z"}`, ReasonTokenExchangeFailed, 0},
		{`{"access_token":"a","id_token":"x.y.z","expires_in":-1}`, ReasonTokenExchangeFailed, 0},
		{`{"access_token":"a","id_token":"x.y.z","expires_in":"soon"}`, ReasonTokenExchangeFailed, 0},
		{`{"access_token":"a","id_token":"x.y.z","expires_in":true}`, ReasonTokenExchangeFailed, 0},
		{`{"access_token":"a","id_token":"x.y.z"} {}`, ReasonTokenExchangeFailed, 0},
		{`[]`, ReasonTokenExchangeFailed, 0},
		{`access_token=a&id_token=b`, ReasonTokenExchangeFailed, 0},
	} {
		tok, err := parseTokenResponse([]byte(tc.body))
		if ReasonOf(err) != tc.want {
			t.Errorf("%s: err = %v, want %q", tc.body, err, tc.want)
			continue
		}
		if err == nil && int(tok.ExpiresIn.Seconds()) != tc.exp {
			t.Errorf("%s: expires_in = %v", tc.body, tok.ExpiresIn)
		}
	}
}

func TestTokensAndConfigRedaction(t *testing.T) {
	tok := Tokens{AccessToken: "AT-secret", IDToken: "IDT-secret", RefreshToken: "RT-secret", TokenType: "Bearer"}
	cfg := Config{Issuer: "https://idp", ClientID: "cid", ClientSecret: "CS-secret"}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("x", "tokens", tok, "cfg", cfg)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s %v %+v %#v", tok, tok, tok, cfg, cfg, cfg, cfg)
	for _, s := range []string{"AT-secret", "IDT-secret", "RT-secret", "CS-secret"} {
		if strings.Contains(out, s) {
			t.Errorf("%s leaked: %s", s, out)
		}
	}
	if !strings.Contains(out, "cid") {
		t.Errorf("client_id should still be logged: %s", out)
	}
}

// assertNoSecrets fails if any secret appears in the error text or in its
// client-facing form.
func assertNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	api := e.APIError()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(err.Error(), s) || strings.Contains(api.Message, s) {
			t.Errorf("secret %q leaked into %q / %q", s, err.Error(), api.Message)
		}
	}
}
