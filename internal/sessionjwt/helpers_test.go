package sessionjwt

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
)

const (
	testProject = "project-test-11111111-2222-4333-8444-555555555555"
	testIssuer  = "https://seam.example.test"
	testMember  = "member-test-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	testOrg     = "organization-test-01234567-89ab-4cde-8f01-23456789abcd"
	testSession = "member-session-test-fedcba98-7654-4321-8fed-cba987654321"
)

// RSA key generation is slow; the tests share three keys.
var testKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
	var out [3]*rsa.PrivateKey
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out[i] = k
	}
	return out
})

func keyA() SigningKey {
	return SigningKey{KID: "jwk-test-aaaaaaaa-0000-4000-8000-000000000001", Private: testKeys()[0], CreatedAt: time.Unix(1700000000, 0).UTC()}
}

func keyB() SigningKey {
	return SigningKey{KID: "jwk-test-bbbbbbbb-0000-4000-8000-000000000002", Private: testKeys()[1], CreatedAt: time.Unix(1700001000, 0).UTC()}
}

// attackerKey is outside every key set.
func attackerKey() *rsa.PrivateKey { return testKeys()[2] }

var issued = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func sampleClaims() Claims {
	return Claims{
		Issuer:    testIssuer,
		ProjectID: testProject,
		MemberID:  testMember,
		IssuedAt:  issued,
		Session: SessionClaims{
			ID:             testSession,
			StartedAt:      issued.Add(-time.Hour),
			LastAccessedAt: issued,
			ExpiresAt:      issued.Add(23 * time.Hour),
			Attributes:     SessionAttributes{IPAddress: "203.0.113.7", UserAgent: "Mozilla/5.0"},
			AuthenticationFactors: []json.RawMessage{json.RawMessage(
				`{"type":"sso","delivery_method":"sso_saml","last_authenticated_at":"2024-01-02T02:04:05Z","saml_sso_factor":{"id":"sso-registration-test-1","provider_id":"saml-connection-test-1","external_id":"alice@example.com"}}`)},
			Roles: []string{"stytch_member", "stytch_admin"},
		},
		Organization: OrganizationClaims{OrganizationID: testOrg, Slug: "acme"},
		Custom:       map[string]json.RawMessage{"plan": json.RawMessage(`"gold"`), "seats": json.RawMessage(`42`)},
	}
}

func mustSign(t *testing.T, key SigningKey, c Claims) string {
	t.Helper()
	tok, err := Sign(key, c)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signRaw builds an RS256 compact JWS over arbitrary header and payload
// bytes, bypassing Sign's validation.
func signRaw(t testing.TB, priv *rsa.PrivateKey, header, payload string) string {
	t.Helper()
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// rawPayload returns a valid payload for keyA as a map the tests can edit.
func rawPayload(t *testing.T) map[string]any {
	t.Helper()
	tok := mustSign(t, keyA(), sampleClaims())
	part := strings.Split(tok, ".")[1]
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func headerFor(kid string) string {
	return `{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`
}

func assertAPIError(t *testing.T, err error, wantType string, token string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want %s", wantType)
	}
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v is not *apierr.Error", err, err)
	}
	if ae.Status != 401 || ae.Type != wantType {
		t.Fatalf("got %d %s (%v), want 401 %s", ae.Status, ae.Type, err, wantType)
	}
	if token != "" && (strings.Contains(err.Error(), token) || (len(token) > 40 && strings.Contains(err.Error(), token[len(token)-40:]))) {
		t.Fatal("error text contains the token")
	}
}

func b64dec(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
