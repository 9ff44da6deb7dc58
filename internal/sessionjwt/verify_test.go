package sessionjwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestVerifyRejectsForgeries(t *testing.T) {
	good := mustSign(t, keyA(), sampleClaims())
	parts := strings.Split(good, ".")
	payload := parts[1]
	kid := keyA().KID

	der, err := x509.MarshalPKIXPublicKey(&keyA().Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hs256 := func(secret []byte) string {
		input := b64([]byte(`{"alg":"HS256","kid":"`+kid+`","typ":"JWT"}`)) + "." + payload
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(input))
		return input + "." + b64(mac.Sum(nil))
	}
	jwkJSON, _ := json.Marshal(jose.JSONWebKey{Key: &keyA().Private.PublicKey, KeyID: kid})

	otherKeySameKID := signRaw(t, attackerKey(), headerFor(kid), string(mustDecode(t, payload)))
	embedded := func() string {
		pub, _ := json.Marshal(jose.JSONWebKey{Key: &attackerKey().PublicKey})
		return signRaw(t, attackerKey(), `{"alg":"RS256","kid":"`+kid+`","typ":"JWT","jwk":`+string(pub)+`}`, string(mustDecode(t, payload)))
	}()
	rs512 := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: jose.JSONWebKey{Key: keyA().Private, KeyID: kid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign(mustDecode(t, payload))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	}()
	ps256 := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.PS256, Key: jose.JSONWebKey{Key: keyA().Private, KeyID: kid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign(mustDecode(t, payload))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	}()
	tamperedPayload := func() string {
		m := rawPayload(t)
		m["sub"] = "member-test-someone-else"
		b, _ := json.Marshal(m)
		return parts[0] + "." + b64(b) + "." + parts[2]
	}()

	tests := []struct {
		name  string
		token string
		cause error
	}{
		{"empty", "", errEmpty},
		{"garbage", "not a jwt", errMalformed},
		{"two parts", parts[0] + "." + parts[1], errMalformed},
		{"four parts", good + ".x", errMalformed},
		{"bad base64", parts[0] + ".%%%." + parts[2], errMalformed},
		{"too large", strings.Repeat("a", MaxTokenBytes+1), errTooLarge},
		{"alg none", b64([]byte(`{"alg":"none","kid":"`+kid+`"}`)) + "." + payload + ".", errMalformed},
		{"alg none with signature", b64([]byte(`{"alg":"none","kid":"`+kid+`"}`)) + "." + payload + "." + parts[2], errMalformed},
		{"HS256 keyed with DER public key", hs256(der), errMalformed},
		{"HS256 keyed with PEM public key", hs256(pemKey), errMalformed},
		{"HS256 keyed with JWK public key", hs256(jwkJSON), errMalformed},
		{"RS512", rs512, errMalformed},
		{"PS256", ps256, errMalformed},
		{"no kid", signRaw(t, keyA().Private, `{"alg":"RS256","typ":"JWT"}`, string(mustDecode(t, payload))), errNoKIDHeader},
		{"no typ", signRaw(t, keyA().Private, `{"alg":"RS256","kid":"`+kid+`"}`, string(mustDecode(t, payload))), errNotJWTType},
		{"other typ", signRaw(t, keyA().Private, `{"alg":"RS256","kid":"`+kid+`","typ":"at+jwt"}`, string(mustDecode(t, payload))), errNotJWTType},
		{"typ not a string", signRaw(t, keyA().Private, `{"alg":"RS256","kid":"`+kid+`","typ":1}`, string(mustDecode(t, payload))), errNotJWTType},
		{"unknown kid", signRaw(t, keyA().Private, headerFor("jwk-test-unknown"), string(mustDecode(t, payload))), errUnknownKID},
		{"other key, our kid", otherKeySameKID, errBadSignature},
		{"embedded attacker jwk", embedded, errBadSignature},
		{"tampered payload", tamperedPayload, errBadSignature},
		{"signature stripped", parts[0] + "." + parts[1] + ".", errBadSignature},
		{"crit header", signRaw(t, keyA().Private, `{"alg":"RS256","kid":"`+kid+`","typ":"JWT","crit":["exp"],"exp":1}`, string(mustDecode(t, payload))), errMalformed},
		{"payload is an array", signRaw(t, keyA().Private, headerFor(kid), `[]`), errNotObject},
		{"payload is null", signRaw(t, keyA().Private, headerFor(kid), `null`), errNotObject},
		{"payload is not JSON", signRaw(t, keyA().Private, headerFor(kid), `{"iss":`), errNotObject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.token, []SigningKey{keyA(), keyB()}, testProject, testIssuer, issued)
			assertAPIError(t, err, TypeUnparsable, tc.token)
			if !errors.Is(err, tc.cause) {
				t.Errorf("cause = %v, want %v", errors.Unwrap(err), tc.cause)
			}
			// Skipping the expiry check must not skip anything else.
			_, err = VerifyIgnoringExpiry(tc.token, []SigningKey{keyA(), keyB()}, testProject, testIssuer, issued)
			assertAPIError(t, err, TypeUnparsable, tc.token)
		})
	}
}

func mustDecode(t *testing.T, part string) []byte {
	t.Helper()
	b, err := b64dec(part)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyClaimChecks(t *testing.T) {
	kid := keyA().KID
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		issuer string // "" = testIssuer
		want   string // "" = accepted
	}{
		{"valid", func(map[string]any) {}, "", ""},
		{"aud as a string", func(m map[string]any) { m["aud"] = testProject }, "", ""},
		{"aud with several entries", func(m map[string]any) { m["aud"] = []string{"other", testProject} }, "", ""},
		{"fractional dates", func(m map[string]any) { m["exp"] = 1704164945.5 }, "", ""},
		{"roles absent", func(m map[string]any) { delete(session(m), "roles") }, "", ""},
		{"wrong aud", func(m map[string]any) { m["aud"] = []string{"project-test-other"} }, "", TypeInvalidAudience},
		{"empty aud", func(m map[string]any) { m["aud"] = []string{} }, "", TypeInvalidAudience},
		{"missing aud", func(m map[string]any) { delete(m, "aud") }, "", TypeInvalidAudience},
		{"aud wrong type", func(m map[string]any) { m["aud"] = 7 }, "", TypeInvalidAudience},
		{"wrong iss", func(m map[string]any) { m["iss"] = "https://evil.example" }, "", TypeInvalidIssuer},
		{"stytch iss not accepted by seam", func(m map[string]any) { m["iss"] = "stytch.com/" + testProject }, "", TypeInvalidIssuer},
		{"iss with trailing slash", func(m map[string]any) { m["iss"] = testIssuer + "/" }, "", TypeInvalidIssuer},
		{"missing iss", func(m map[string]any) { delete(m, "iss") }, "", TypeInvalidIssuer},
		{"iss not a string", func(m map[string]any) { m["iss"] = []string{testIssuer} }, "", TypeInvalidIssuer},
		{"expected issuer differs", func(map[string]any) {}, "https://other.example", TypeInvalidIssuer},
		{"missing sub", func(m map[string]any) { delete(m, "sub") }, "", TypeInvalidClaims},
		{"empty sub", func(m map[string]any) { m["sub"] = "" }, "", TypeInvalidClaims},
		{"missing iat", func(m map[string]any) { delete(m, "iat") }, "", TypeInvalidClaims},
		{"missing nbf", func(m map[string]any) { delete(m, "nbf") }, "", TypeInvalidClaims},
		{"missing exp", func(m map[string]any) { delete(m, "exp") }, "", TypeInvalidClaims},
		{"exp as string", func(m map[string]any) { m["exp"] = "1704164945" }, "", TypeInvalidClaims},
		{"exp negative", func(m map[string]any) { m["exp"] = -1 }, "", TypeInvalidClaims},
		{"exp huge", func(m map[string]any) { m["exp"] = 1e300 }, "", TypeInvalidClaims},
		{"missing session", func(m map[string]any) { delete(m, ClaimSession) }, "", TypeInvalidClaims},
		{"session null", func(m map[string]any) { m[ClaimSession] = nil }, "", TypeInvalidClaims},
		{"session wrong type", func(m map[string]any) { m[ClaimSession] = "x" }, "", TypeInvalidClaims},
		{"session without id", func(m map[string]any) { delete(session(m), "id") }, "", TypeInvalidClaims},
		{"started_at missing", func(m map[string]any) { delete(session(m), "started_at") }, "", TypeInvalidClaims},
		{"started_at empty", func(m map[string]any) { session(m)["started_at"] = "" }, "", TypeInvalidClaims},
		{"last_accessed_at missing", func(m map[string]any) { delete(session(m), "last_accessed_at") }, "", TypeInvalidClaims},
		{"expires_at not RFC 3339", func(m map[string]any) { session(m)["expires_at"] = "2024-01-03 02:04:05" }, "", TypeInvalidClaims},
		{"roles with empty entry", func(m map[string]any) { session(m)["roles"] = []string{""} }, "", TypeInvalidClaims},
		{"roles wrong type", func(m map[string]any) { session(m)["roles"] = "stytch_admin" }, "", TypeInvalidClaims},
		{"missing organization", func(m map[string]any) { delete(m, ClaimOrganization) }, "", TypeInvalidClaims},
		{"organization without id", func(m map[string]any) { m[ClaimOrganization] = map[string]any{"slug": "acme"} }, "", TypeInvalidClaims},
		{"nbf in the future", func(m map[string]any) { m["nbf"] = issued.Add(time.Minute).Unix() }, "", TypeInvalidClaims},
		{"nbf within skew", func(m map[string]any) { m["nbf"] = issued.Add(ClockSkew).Unix() }, "", ""},
		{"expired", func(m map[string]any) { m["exp"] = issued.Unix() }, "", TypeExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := rawPayload(t)
			tc.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			tok := signRaw(t, keyA().Private, headerFor(kid), string(b))
			iss := tc.issuer
			if iss == "" {
				iss = testIssuer
			}
			c, err := Verify(tok, []SigningKey{keyA()}, testProject, iss, issued)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if c.MemberID != testMember {
					t.Errorf("member = %q", c.MemberID)
				}
				return
			}
			assertAPIError(t, err, tc.want, tok)
		})
	}
}

func session(m map[string]any) map[string]any { return m[ClaimSession].(map[string]any) }

func TestVerifyExpiryBoundaries(t *testing.T) {
	tok := mustSign(t, keyA(), sampleClaims())
	keys := []SigningKey{keyA()}
	exp := issued.Add(Lifetime)
	tests := []struct {
		now  time.Time
		want string
	}{
		{issued.Add(-ClockSkew), ""},
		{issued.Add(-ClockSkew - time.Second), TypeInvalidClaims},
		{exp.Add(-time.Second), ""},
		{exp.Add(-time.Nanosecond), ""},
		{exp, TypeExpired},
		{exp.Add(time.Hour), TypeExpired},
	}
	for _, tc := range tests {
		_, err := Verify(tok, keys, testProject, testIssuer, tc.now)
		if tc.want == "" {
			if err != nil {
				t.Errorf("at %v: %v", tc.now, err)
			}
			continue
		}
		assertAPIError(t, err, tc.want, tok)
	}
}

func TestVerifyIgnoringExpiry(t *testing.T) {
	tok := mustSign(t, keyA(), sampleClaims())
	later := issued.Add(48 * time.Hour)
	if _, err := Verify(tok, []SigningKey{keyA()}, testProject, testIssuer, later); err == nil {
		t.Fatal("Verify accepted an expired token")
	}
	c, err := VerifyIgnoringExpiry(tok, []SigningKey{keyA()}, testProject, testIssuer, later)
	if err != nil {
		t.Fatalf("VerifyIgnoringExpiry: %v", err)
	}
	if c.Session.ID != testSession || c.MemberID != testMember || c.Organization.OrganizationID != testOrg {
		t.Errorf("claims = %+v", c)
	}
	// Everything but exp is still enforced.
	for _, tc := range []struct {
		project, issuer, want string
	}{
		{"project-test-other", testIssuer, TypeInvalidAudience},
		{testProject, "https://other.example", TypeInvalidIssuer},
	} {
		_, err := VerifyIgnoringExpiry(tok, []SigningKey{keyA()}, tc.project, tc.issuer, later)
		assertAPIError(t, err, tc.want, tok)
	}
	_, err = VerifyIgnoringExpiry(tok, []SigningKey{keyB()}, testProject, testIssuer, later)
	assertAPIError(t, err, TypeUnparsable, tok)
}

func TestVerifyEmptyProjectNeverMatches(t *testing.T) {
	m := rawPayload(t)
	m["aud"] = []string{""}
	b, _ := json.Marshal(m)
	tok := signRaw(t, keyA().Private, headerFor(keyA().KID), string(b))
	_, err := Verify(tok, []SigningKey{keyA()}, "", testIssuer, issued)
	assertAPIError(t, err, TypeInvalidAudience, tok)
}

func TestKeyRotation(t *testing.T) {
	oldKey, newKey := keyA(), keyB()
	oldTok := mustSign(t, oldKey, sampleClaims())
	newTok := mustSign(t, newKey, sampleClaims())
	now := issued.Add(time.Minute)

	for _, set := range [][]SigningKey{{oldKey, newKey}, {newKey, oldKey}} {
		for _, tok := range []string{oldTok, newTok} {
			if _, err := Verify(tok, set, testProject, testIssuer, now); err != nil {
				t.Errorf("token rejected during rotation: %v", err)
			}
		}
	}
	// Old key retired.
	if _, err := Verify(newTok, []SigningKey{newKey}, testProject, testIssuer, now); err != nil {
		t.Errorf("new token rejected after rotation: %v", err)
	}
	_, err := Verify(oldTok, []SigningKey{newKey}, testProject, testIssuer, now)
	assertAPIError(t, err, TypeUnparsable, oldTok)
	if !errors.Is(err, errUnknownKID) {
		t.Errorf("cause = %v, want unknown kid", errors.Unwrap(err))
	}
	// An unusable key in the set is skipped rather than trusted.
	broken := SigningKey{KID: oldKey.KID}
	_, err = Verify(oldTok, []SigningKey{broken, newKey}, testProject, testIssuer, now)
	assertAPIError(t, err, TypeUnparsable, oldTok)
	// No keys at all.
	_, err = Verify(oldTok, nil, testProject, testIssuer, now)
	assertAPIError(t, err, TypeUnparsable, oldTok)
}
