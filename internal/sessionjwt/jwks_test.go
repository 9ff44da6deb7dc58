package sessionjwt

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestJWKSShape(t *testing.T) {
	doc, err := JWKS([]SigningKey{keyA(), keyB()})
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Keys) != 2 {
		t.Fatalf("%d keys", len(parsed.Keys))
	}
	for i, k := range parsed.Keys {
		var names []string
		for name := range k {
			names = append(names, name)
		}
		slices.Sort(names)
		if want := []string{"alg", "e", "key_ops", "kid", "kty", "n", "use"}; !slices.Equal(names, want) {
			t.Errorf("key %d has members %v, want exactly %v (no private parameters)", i, names, want)
		}
		if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["e"] != "AQAB" {
			t.Errorf("key %d = %v", i, k)
		}
		if ops, _ := k["key_ops"].([]any); len(ops) != 1 || ops[0] != "verify" {
			t.Errorf("key %d key_ops = %v", i, k["key_ops"])
		}
	}
	if parsed.Keys[0]["kid"] != keyA().KID || parsed.Keys[1]["kid"] != keyB().KID {
		t.Error("kids out of order")
	}
	for _, forbidden := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
		if strings.Contains(string(doc), forbidden) {
			t.Errorf("JWKS contains private member %s", forbidden)
		}
	}
}

// TestJWKSWithGoJose verifies tokens with go-jose's own JWK Set parsing and
// JWT validation, independently of Verify.
func TestJWKSWithGoJose(t *testing.T) {
	doc, err := JWKS([]SigningKey{keyA(), keyB()})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("go-jose cannot parse the JWKS: %v", err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || !k.Valid() || k.Algorithm != "RS256" || k.Use != "sig" {
			t.Errorf("key %s: public=%v valid=%v alg=%s use=%s", k.KeyID, k.IsPublic(), k.Valid(), k.Algorithm, k.Use)
		}
	}
	for _, key := range []SigningKey{keyA(), keyB()} {
		if got := set.Key(key.KID); len(got) != 1 {
			t.Fatalf("kid %s matches %d keys", key.KID, len(got))
		}
		tok := mustSign(t, key, sampleClaims())
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		var std jwt.Claims
		var sess struct {
			Session map[string]any `json:"https://stytch.com/session"`
		}
		if err := parsed.Claims(&set, &std, &sess); err != nil {
			t.Fatalf("go-jose rejects a token signed with %s: %v", key.KID, err)
		}
		if err := std.ValidateWithLeeway(jwt.Expected{Issuer: testIssuer, AnyAudience: jwt.Audience{testProject}, Time: issued}, 0); err != nil {
			t.Errorf("go-jose claim validation: %v", err)
		}
		if std.Subject != testMember || sess.Session["id"] != testSession {
			t.Errorf("sub=%s session=%v", std.Subject, sess.Session)
		}
	}
	// A token from a key that is not in the set must fail go-jose too.
	doc, _ = JWKS([]SigningKey{keyB()})
	var onlyB jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &onlyB); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(mustSign(t, keyA(), sampleClaims()), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var std jwt.Claims
	if err := parsed.Claims(&onlyB, &std); err == nil {
		t.Error("go-jose accepted a token whose key is not in the set")
	}
}

func TestJWKSEdgeCases(t *testing.T) {
	doc, err := JWKS(nil)
	if err != nil || string(doc) != `{"keys":[]}` {
		t.Errorf("empty JWKS = %s, %v", doc, err)
	}
	if _, err := JWKS([]SigningKey{keyA(), {KID: keyA().KID, Private: keyB().Private}}); err == nil {
		t.Error("duplicate kid accepted")
	}
	if _, err := JWKS([]SigningKey{{KID: "k"}}); err == nil {
		t.Error("key without private part accepted")
	}
	if _, err := PublicJWKs([]SigningKey{{Private: keyA().Private}}); err == nil {
		t.Error("key without kid accepted")
	}
}
