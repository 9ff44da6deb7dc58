package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// TestBenchOPRefuses: the generator's provider is a real one, so a broken
// relying party cannot pass through it: wrong client credentials, a wrong
// PKCE verifier or redirect URI, a reused code and an unknown access token
// are refused, and the ID token it issues verifies with its JWKS.
func TestBenchOPRefuses(t *testing.T) {
	op, err := startBenchOP()
	if err != nil {
		t.Fatal(err)
	}
	defer op.close()
	browser := noRedirects(http.DefaultClient)
	const redirect = "http://127.0.0.1:9/callback"
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	authorize := func(t *testing.T, q url.Values) (int, url.Values) {
		t.Helper()
		resp, err := browser.Get(op.issuer + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc == nil {
			return resp.StatusCode, nil
		}
		return resp.StatusCode, loc.Query()
	}
	good := url.Values{"response_type": {"code"}, "client_id": {op.clientID}, "redirect_uri": {redirect}, "scope": {"openid email"},
		"state": {"s1"}, "nonce": {"n1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "login_hint": {"ann@example.com"}}
	newCode := func(t *testing.T) string {
		t.Helper()
		status, back := authorize(t, good)
		if status != http.StatusFound || back.Get("state") != "s1" || back.Get("iss") != op.issuer || back.Get("code") == "" {
			t.Fatalf("authorize: %d %v", status, back)
		}
		return back.Get("code")
	}
	token := func(t *testing.T, id, secret string, form url.Values) (int, map[string]any) {
		t.Helper()
		r, _ := http.NewRequest(http.MethodPost, op.issuer+"/token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	exchange := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	}

	t.Run("authorize refuses", func(t *testing.T) {
		for name, change := range map[string]func(url.Values){
			"unknown client": func(q url.Values) { q.Set("client_id", "other") },
			"no nonce":       func(q url.Values) { q.Del("nonce") },
			"plain PKCE":     func(q url.Values) { q.Set("code_challenge_method", "plain") },
			"no openid":      func(q url.Values) { q.Set("scope", "email") },
		} {
			q := url.Values{}
			for k, v := range good {
				q[k] = append([]string(nil), v...)
			}
			change(q)
			if status, _ := authorize(t, q); status != http.StatusBadRequest {
				t.Errorf("%s: %d", name, status)
			}
		}
	})
	t.Run("token refuses", func(t *testing.T) {
		for _, tc := range []struct {
			name, id, secret string
			form             func(code string) url.Values
			status           int
			want             string
		}{
			{"wrong secret", op.clientID, "wrong", exchange, http.StatusUnauthorized, "invalid_client"},
			{"wrong verifier", op.clientID, op.clientSecret, func(c string) url.Values {
				f := exchange(c)
				f.Set("code_verifier", strings.Repeat("w", 43))
				return f
			}, http.StatusBadRequest, "invalid_grant"},
			{"wrong redirect_uri", op.clientID, op.clientSecret, func(c string) url.Values {
				f := exchange(c)
				f.Set("redirect_uri", "http://127.0.0.1:9/other")
				return f
			}, http.StatusBadRequest, "invalid_grant"},
			{"unknown code", op.clientID, op.clientSecret, func(string) url.Values { return exchange("nope") }, http.StatusBadRequest, "invalid_grant"},
		} {
			status, out := token(t, tc.id, tc.secret, tc.form(newCode(t)))
			if status != tc.status || out["error"] != tc.want {
				t.Errorf("%s: %d %v", tc.name, status, out)
			}
		}
	})
	t.Run("a login", func(t *testing.T) {
		code := newCode(t)
		status, out := token(t, op.clientID, op.clientSecret, exchange(code))
		if status != http.StatusOK {
			t.Fatalf("token: %d %v", status, out)
		}
		if status, again := token(t, op.clientID, op.clientSecret, exchange(code)); status != http.StatusBadRequest || again["error"] != "invalid_grant" {
			t.Errorf("reused code: %d %v", status, again)
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(op.jwks, &set); err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSigned(out["id_token"].(string), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := jws.Verify(set.Keys[0].Key)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		json.Unmarshal(payload, &claims)
		if claims["iss"] != op.issuer || claims["aud"] != op.clientID || claims["nonce"] != "n1" || claims["email"] != "ann@example.com" ||
			claims["exp"].(float64) <= float64(time.Now().Unix()) {
			t.Errorf("claims = %v", claims)
		}
		userinfo := func() int {
			r, _ := http.NewRequest(http.MethodGet, op.issuer+"/userinfo", nil)
			r.Header.Set("Authorization", "Bearer "+out["access_token"].(string))
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if first, second := userinfo(), userinfo(); first != http.StatusOK || second != http.StatusUnauthorized {
			t.Errorf("userinfo: %d, then %d", first, second)
		}
	})
}
