package oidc

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// BenchmarkVerifyIDToken measures verification with a warm key cache (the
// steady state): header parsing, signature, claims.
func BenchmarkVerifyIDToken(b *testing.B) {
	for _, tc := range []struct{ name, kid string }{{"RS256-2048", "k1"}, {"ES256-P256", "ec"}} {
		b.Run(tc.name, func(b *testing.B) {
			op := newTestOP(b)
			keys, _ := op.keyCache()
			cfg := op.config()
			hc := op.srv.Client()
			tok := op.sign(op.standardClaims("user-42", testNonce), tc.kid)
			ctx := context.Background()
			if _, err := VerifyIDToken(ctx, hc, keys, cfg, tok, testNonce, op.now); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := VerifyIDToken(ctx, hc, keys, cfg, tok, testNonce, op.now); err != nil {
					b.Fatal(err)
				}
			}
			if n := op.hitCount("/jwks"); n != 1 {
				b.Fatalf("warm cache refetched: %d fetches", n)
			}
		})
	}
}

// BenchmarkParseJWKS measures parsing a three-key set (two RSA, one EC).
func BenchmarkParseJWKS(b *testing.B) {
	p := sharedKeys()
	raw, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: p.rsa[0].Public(), KeyID: "a"}, {Key: p.rsa[1].Public(), KeyID: "b"}, {Key: p.ec.Public(), KeyID: "c"},
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJWKS(raw); err != nil {
			b.Fatal(err)
		}
	}
}
