package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const testNonce = "nonce-abc"

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64json(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// hs256WithPublicKey forges the classic key-confusion token: HMAC over the
// token with the RSA public key (as PEM, as verifiers that treat "the key"
// as bytes would use) as the secret.
func hs256WithPublicKey(t *testing.T, claims map[string]any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(sharedKeys().rsa[0].Public())
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	signing := b64json(t, map[string]string{"alg": "HS256", "kid": "k1", "typ": "JWT"}) + "." + b64json(t, claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + b64(mac.Sum(nil))
}

func TestVerifyIDTokenRejections(t *testing.T) {
	op := newTestOP(t)
	cfg := op.config()
	hc := op.srv.Client()
	pool := sharedKeys()

	claims := func(mut func(map[string]any)) map[string]any {
		c := op.standardClaims("user-42", testNonce)
		if mut != nil {
			mut(c)
		}
		return c
	}
	// The provider also publishes a 1024-bit key; the RP must ignore it.
	op.set(func(op *testOP) {
		op.keys["weak"] = opKey{pool.weak, jose.RS256}
		op.published = append(op.published, "weak")
	})
	good := op.sign(claims(nil), "k1")
	parts := strings.Split(good, ".")

	for _, tc := range []struct {
		name  string
		token string
		want  Reason
		now   time.Duration // offset from op.now
		cfg   func(*Config)
	}{
		{name: "valid", token: good},
		{name: "valid ES256", token: op.sign(claims(nil), "ec")},
		{name: "valid with aud list and azp", token: op.sign(claims(func(c map[string]any) {
			c["aud"] = []string{"other", op.clientID}
			c["azp"] = op.clientID
		}), "k2")},
		{name: "wrong audience", token: op.sign(claims(func(c map[string]any) { c["aud"] = "someone-else" }), "k1"), want: ReasonIDTokenWrongAudience},
		{name: "aud list without client", token: op.sign(claims(func(c map[string]any) { c["aud"] = []string{"a", "b"} }), "k1"), want: ReasonIDTokenWrongAudience},
		{name: "several audiences without azp", token: op.sign(claims(func(c map[string]any) {
			c["aud"] = []string{op.clientID, "other"}
		}), "k1"), want: ReasonIDTokenWrongAudience},
		{name: "azp is another client", token: op.sign(claims(func(c map[string]any) { c["azp"] = "other" }), "k1"), want: ReasonIDTokenWrongAudience},
		{name: "aud missing", token: op.sign(claims(func(c map[string]any) { delete(c, "aud") }), "k1"), want: ReasonIDTokenMalformed},
		{name: "aud wrong type", token: op.sign(claims(func(c map[string]any) { c["aud"] = 7 }), "k1"), want: ReasonIDTokenMalformed},
		{name: "wrong issuer", token: op.sign(claims(func(c map[string]any) { c["iss"] = "https://evil.example" }), "k1"), want: ReasonIDTokenWrongIssuer},
		{name: "issuer trailing slash", token: op.sign(claims(func(c map[string]any) { c["iss"] = op.issuer + "/" }), "k1"), want: ReasonIDTokenWrongIssuer},
		{name: "issuer missing", token: op.sign(claims(func(c map[string]any) { delete(c, "iss") }), "k1"), want: ReasonIDTokenWrongIssuer},
		{name: "bad signature: unpublished key under a published kid",
			token: signWith(t, pool.rsa[3], jose.RS256, "k1", claims(nil)), want: ReasonIDTokenInvalidSignature},
		{name: "bad signature: tampered payload",
			token: parts[0] + "." + b64json(t, claims(func(c map[string]any) { c["sub"] = "admin" })) + "." + parts[2], want: ReasonIDTokenInvalidSignature},
		{name: "bad signature: ES256 header on an RSA kid",
			token: signWith(t, pool.ec, jose.ES256, "k1", claims(nil)), want: ReasonIDTokenInvalidSignature},
		{name: "weak RSA key is never trusted",
			token: signWith(t, pool.weak, jose.RS256, "weak", claims(nil)), want: ReasonIDTokenUnknownKey},
		{name: "alg none", token: b64json(t, map[string]string{"alg": "none", "kid": "k1"}) + "." + parts[1] + ".", want: ReasonIDTokenAlgNotAllowed},
		{name: "alg None", token: b64json(t, map[string]string{"alg": "None"}) + "." + parts[1] + ".", want: ReasonIDTokenAlgNotAllowed},
		{name: "HS256 with the public key as secret", token: hs256WithPublicKey(t, claims(nil)), want: ReasonIDTokenAlgNotAllowed},
		{name: "ES512 not allowed", token: b64json(t, map[string]string{"alg": "ES512", "kid": "ec"}) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenAlgNotAllowed},
		{name: "missing alg", token: b64json(t, map[string]string{"kid": "k1"}) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenAlgNotAllowed},
		{name: "duplicate alg members", token: b64([]byte(`{"alg":"RS256","kid":"k1","alg":"PS256"}`)) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenMalformed},
		{name: "duplicate kid members", token: b64([]byte(`{"alg":"RS256","kid":"k1","kid":"k2"}`)) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenMalformed},
		{name: "crit header", token: b64json(t, map[string]any{"alg": "RS256", "kid": "k1", "crit": []string{"exp"}}) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenMalformed},
		{name: "expired", token: good, now: 10 * time.Minute, want: ReasonIDTokenExpired},
		{name: "expired but within skew", token: good, now: 5*time.Minute + 30*time.Second},
		{name: "expired beyond custom skew", token: good, now: 5*time.Minute + 30*time.Second, want: ReasonIDTokenExpired,
			cfg: func(c *Config) { c.ClockSkew = 10 * time.Second }},
		{name: "exactly at exp with no skew", token: good, now: 5 * time.Minute, want: ReasonIDTokenExpired,
			cfg: func(c *Config) { c.ClockSkew = -1 }},
		{name: "exp missing", token: op.sign(claims(func(c map[string]any) { delete(c, "exp") }), "k1"), want: ReasonIDTokenMalformed},
		{name: "exp as string", token: op.sign(claims(func(c map[string]any) { c["exp"] = "9999999999" }), "k1"), want: ReasonIDTokenMalformed},
		{name: "issued in the future", token: good, now: -2 * time.Minute, want: ReasonIDTokenNotYetValid},
		{name: "iat missing", token: op.sign(claims(func(c map[string]any) { delete(c, "iat") }), "k1"), want: ReasonIDTokenMalformed},
		{name: "nbf in the future", token: op.sign(claims(func(c map[string]any) { c["nbf"] = op.now.Add(3 * time.Minute).Unix() }), "k1"), want: ReasonIDTokenNotYetValid},
		{name: "nonce mismatch", token: op.sign(claims(func(c map[string]any) { c["nonce"] = "other" }), "k1"), want: ReasonIDTokenNonceMismatch},
		{name: "nonce missing", token: op.sign(claims(func(c map[string]any) { delete(c, "nonce") }), "k1"), want: ReasonIDTokenNonceMismatch},
		{name: "sub missing", token: op.sign(claims(func(c map[string]any) { delete(c, "sub") }), "k1"), want: ReasonIDTokenSubjectMissing},
		{name: "sub not a string", token: op.sign(claims(func(c map[string]any) { c["sub"] = 42 }), "k1"), want: ReasonIDTokenMalformed},
		{name: "sub too long", token: op.sign(claims(func(c map[string]any) { c["sub"] = strings.Repeat("s", 256) }), "k1"), want: ReasonIDTokenMalformed},
		{name: "payload not an object", token: signWithPayload(t, "k1", []byte(`["x"]`)), want: ReasonIDTokenMalformed},
		{name: "payload with trailing data", token: signWithPayload(t, "k1", []byte(`{"a":1} {}`)), want: ReasonIDTokenMalformed},
		{name: "JWE", token: "a.b.c.d.e", want: ReasonIDTokenMalformed},
		{name: "two parts", token: parts[0] + "." + parts[1], want: ReasonIDTokenMalformed},
		{name: "garbage", token: "not a token", want: ReasonIDTokenMalformed},
		{name: "empty", token: "", want: ReasonIDTokenMissing},
		{name: "header not base64", token: "!!!." + parts[1] + "." + parts[2], want: ReasonIDTokenMalformed},
		{name: "header not JSON", token: b64([]byte("nope")) + "." + parts[1] + "." + parts[2], want: ReasonIDTokenMalformed},
		{name: "oversized", token: parts[0] + "." + strings.Repeat("A", MaxIDTokenBytes) + "." + parts[2], want: ReasonIDTokenMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			keys, _ := op.keyCache()
			id, err := VerifyIDToken(context.Background(), hc, keys, c, tc.token, testNonce, op.now.Add(tc.now))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if id.Subject != "user-42" {
					t.Fatalf("subject = %q", id.Subject)
				}
				return
			}
			if got := ReasonOf(err); got != tc.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tc.want)
			}
			if id != nil {
				t.Fatal("a token was returned with an error")
			}
		})
	}
}

// signWithPayload signs arbitrary bytes with the shared key "k1".
func signWithPayload(t *testing.T, kid string, payload []byte) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: sharedKeys().rsa[0], KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyIDTokenArgumentChecks(t *testing.T) {
	op := newTestOP(t)
	keys, _ := op.keyCache()
	tok := op.sign(op.standardClaims("u", testNonce), "k1")
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		keys  *KeyCache
		cfg   func(*Config)
		nonce string
		want  Reason
	}{
		{"nil cache", nil, nil, testNonce, ReasonConfigInvalid},
		{"no issuer", keys, func(c *Config) { c.Issuer = "" }, testNonce, ReasonConfigInvalid},
		{"no client id", keys, func(c *Config) { c.ClientID = "" }, testNonce, ReasonConfigInvalid},
		{"no jwks url", keys, func(c *Config) { c.JWKSURL = "" }, testNonce, ReasonConfigInvalid},
		{"empty expected nonce", keys, nil, "", ReasonInvalidArgument},
	} {
		cfg := op.config()
		if tc.cfg != nil {
			tc.cfg(&cfg)
		}
		if _, err := VerifyIDToken(ctx, op.srv.Client(), tc.keys, cfg, tok, tc.nonce, op.now); ReasonOf(err) != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	op := newTestOP(t)
	cfg := op.config()
	hc := op.srv.Client()
	keys, clk := op.keyCache()
	verify := func(kid string) error {
		_, err := VerifyIDToken(ctx, hc, keys, cfg, op.sign(op.standardClaims("u", testNonce), kid), testNonce, op.now)
		return err
	}

	if err := verify("k1"); err != nil {
		t.Fatalf("prime: %v", err)
	}
	if n := op.hitCount("/jwks"); n != 1 {
		t.Fatalf("jwks fetched %d times, want 1", n)
	}
	if err := verify("k2"); err != nil {
		t.Fatalf("second key: %v", err)
	}
	if n := op.hitCount("/jwks"); n != 1 {
		t.Fatalf("cached set not reused: %d fetches", n)
	}

	// The provider rotates in k3 and retires k1.
	op.set(func(op *testOP) {
		op.keys["k3"] = opKey{sharedKeys().rsa[2], jose.RS256}
		op.published = []string{"k2", "k3"}
	})
	clk.Advance(time.Minute) // past MinRefetchInterval, within TTL
	if err := verify("k3"); err != nil {
		t.Fatalf("rotated key not picked up: %v", err)
	}
	if n := op.hitCount("/jwks"); n != 2 {
		t.Fatalf("jwks fetched %d times, want 2", n)
	}

	// A stream of unknown kids cannot make us hammer the provider.
	for range 20 {
		op.set(func(op *testOP) { op.keys["bogus"] = opKey{sharedKeys().rsa[3], jose.RS256} })
		if err := verify("bogus"); ReasonOf(err) != ReasonIDTokenUnknownKey {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := op.hitCount("/jwks"); n != 2 {
		t.Fatalf("unknown kids caused %d fetches, want none beyond 2", n)
	}
	clk.Advance(DefaultMinRefetchInterval)
	if err := verify("bogus"); ReasonOf(err) != ReasonIDTokenUnknownKey {
		t.Fatalf("unknown kid: %v", err)
	}
	if n := op.hitCount("/jwks"); n != 3 {
		t.Fatalf("after the interval one refetch is due: %d fetches", n)
	}

	// k1 was retired; once the set expires it must no longer verify.
	clk.Advance(DefaultKeyTTL)
	if err := verify("k1"); ReasonOf(err) != ReasonIDTokenUnknownKey {
		t.Fatalf("retired key still trusted: %v", err)
	}
}

func TestKeyRotationWithoutKid(t *testing.T) {
	ctx := context.Background()
	op := newTestOP(t)
	op.set(func(op *testOP) { op.published = []string{"k1"} })
	cfg := op.config()
	keys, clk := op.keyCache()
	noKid := func(i int) string {
		return signWith(t, sharedKeys().rsa[i], jose.RS256, "", op.standardClaims("u", testNonce))
	}
	if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, noKid(0), testNonce, op.now); err != nil {
		t.Fatalf("kid-less token: %v", err)
	}
	op.set(func(op *testOP) {
		op.keys["k2"] = opKey{sharedKeys().rsa[1], jose.RS256}
		op.published = []string{"k2"}
	})
	clk.Advance(time.Minute)
	if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, noKid(1), testNonce, op.now); err != nil {
		t.Fatalf("kid-less token after rotation: %v", err)
	}
	if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, noKid(3), testNonce, op.now); ReasonOf(err) != ReasonIDTokenInvalidSignature {
		t.Fatalf("kid-less token from an unknown key: %v", err)
	}
}

func TestKeyCacheFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("oversized JWKS", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.oversize["/jwks"] = true })
		keys, _ := op.keyCache()
		_, err := VerifyIDToken(ctx, op.srv.Client(), keys, op.config(), op.sign(op.standardClaims("u", testNonce), "k1"), testNonce, op.now)
		if ReasonOf(err) != ReasonJWKSFetchFailed || !errors.Is(err, errBodyTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("failure is cached for the refetch interval", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.status["/jwks"] = 500 })
		keys, clk := op.keyCache()
		tok := op.sign(op.standardClaims("u", testNonce), "k1")
		for range 5 {
			if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, op.config(), tok, testNonce, op.now); ReasonOf(err) != ReasonJWKSFetchFailed {
				t.Fatalf("err = %v", err)
			}
		}
		if n := op.hitCount("/jwks"); n != 1 {
			t.Fatalf("failing endpoint hit %d times", n)
		}
		op.set(func(op *testOP) { delete(op.status, "/jwks") })
		clk.Advance(DefaultMinRefetchInterval)
		if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, op.config(), tok, testNonce, op.now); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
	})
	t.Run("failed refresh keeps the current set", func(t *testing.T) {
		op := newTestOP(t)
		keys, clk := op.keyCache()
		cfg := op.config()
		tok := op.sign(op.standardClaims("u", testNonce), "k1")
		if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, tok, testNonce, op.now); err != nil {
			t.Fatal(err)
		}
		op.set(func(op *testOP) { op.status["/jwks"] = 502; op.keys["new"] = opKey{sharedKeys().rsa[2], jose.RS256} })
		clk.Advance(time.Minute)
		if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, op.sign(op.standardClaims("u", testNonce), "new"), testNonce, op.now); ReasonOf(err) != ReasonJWKSFetchFailed {
			t.Fatalf("unknown kid with failing refresh: %v", err)
		}
		if _, err := VerifyIDToken(ctx, op.srv.Client(), keys, cfg, tok, testNonce, op.now); err != nil {
			t.Fatalf("known key after failed refresh: %v", err)
		}
	})
	t.Run("waiting caller honours its context", func(t *testing.T) {
		op := newTestOP(t)
		keys, _ := op.keyCache()
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		// A cancelled caller that starts the fetch still gets a result: the
		// fetch is detached so other waiters are not poisoned.
		if _, err := keys.keys(cctx, op.srv.Client(), op.issuer+"/jwks", false); err != nil {
			t.Fatalf("detached fetch: %v", err)
		}
	})
}

func TestKeyCacheConcurrentColdStart(t *testing.T) {
	op := newTestOP(t)
	keys, _ := op.keyCache()
	cfg := op.config()
	tok := op.sign(op.standardClaims("u", testNonce), "k1")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			_, err := VerifyIDToken(context.Background(), op.srv.Client(), keys, cfg, tok, testNonce, op.now)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := op.hitCount("/jwks"); n != 1 {
		t.Fatalf("64 concurrent cold verifications made %d fetches, want 1", n)
	}
	if keys.Fetches() != 1 {
		t.Fatalf("Fetches() = %d", keys.Fetches())
	}
}

func TestKeyCacheEviction(t *testing.T) {
	op := newTestOP(t)
	clk := &fakeClock{t: op.now}
	keys := NewKeyCache(KeyCacheOptions{Now: clk.Now, MaxKeySets: 2})
	hc := op.srv.Client()
	for _, q := range []string{"?a", "?b", "?c"} {
		clk.Advance(time.Second)
		if _, err := keys.keys(context.Background(), hc, op.issuer+"/jwks"+q, false); err != nil {
			t.Fatal(err)
		}
	}
	keys.mu.Lock()
	n := len(keys.entries)
	_, hasA := keys.entries[op.issuer+"/jwks?a"]
	keys.mu.Unlock()
	if n != 2 || hasA {
		t.Fatalf("entries = %d, oldest kept = %v", n, hasA)
	}
}

func TestParseJWKS(t *testing.T) {
	pool := sharedKeys()
	pub := func(k any, kid, use, alg string) string {
		b, err := json.Marshal(jose.JSONWebKey{Key: k, KeyID: kid, Use: use, Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rsaPub := pub(pool.rsa[0].Public(), "r", "sig", "RS256")
	for _, tc := range []struct {
		name    string
		body    string
		want    int
		wantErr bool
	}{
		{"one rsa", `{"keys":[` + rsaPub + `]}`, 1, false},
		{"rsa and ec", `{"keys":[` + rsaPub + `,` + pub(pool.ec.Public(), "e", "", "") + `]}`, 2, false},
		{"encryption key skipped", `{"keys":[` + rsaPub + `,` + pub(pool.rsa[1].Public(), "enc", "enc", "") + `]}`, 1, false},
		{"unknown kty skipped", `{"keys":[` + rsaPub + `,{"kty":"XYZ","kid":"z"}]}`, 1, false},
		{"weak rsa skipped", `{"keys":[` + rsaPub + `,` + pub(pool.weak.Public(), "w", "", "") + `]}`, 1, false},
		{"only weak", `{"keys":[` + pub(pool.weak.Public(), "w", "", "") + `]}`, 0, true},
		{"private rsa refused", `{"keys":[` + pub(pool.rsa[0], "p", "", "") + `]}`, 0, true},
		{"symmetric refused", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, 0, true},
		{"empty set", `{"keys":[]}`, 0, true},
		{"no keys member", `{}`, 0, true},
		{"not json", `<html>`, 0, true},
		{"too many keys", `{"keys":[` + strings.Repeat(rsaPub+",", maxJWKSKeys) + rsaPub + `]}`, 0, true},
	} {
		keys, err := parseJWKS([]byte(tc.body))
		if (err != nil) != tc.wantErr || len(keys) != tc.want {
			t.Errorf("%s: %d keys, err %v", tc.name, len(keys), err)
		}
	}
}
