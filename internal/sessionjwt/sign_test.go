package sessionjwt

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/ids"
)

func TestRoundTrip(t *testing.T) {
	c := sampleClaims()
	tok := mustSign(t, keyA(), c)
	got, err := Verify(tok, []SigningKey{keyB(), keyA()}, testProject, testIssuer, issued.Add(time.Minute))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Issuer != testIssuer || got.ProjectID != testProject || got.MemberID != testMember {
		t.Errorf("standard claims = %q %q %q", got.Issuer, got.ProjectID, got.MemberID)
	}
	if !got.IssuedAt.Equal(issued) || !got.NotBefore.Equal(issued) || !got.Expiry.Equal(issued.Add(Lifetime)) {
		t.Errorf("times iat=%v nbf=%v exp=%v", got.IssuedAt, got.NotBefore, got.Expiry)
	}
	s := got.Session
	if s.ID != testSession || !s.StartedAt.Equal(c.Session.StartedAt) || !s.LastAccessedAt.Equal(c.Session.LastAccessedAt) || !s.ExpiresAt.Equal(c.Session.ExpiresAt) {
		t.Errorf("session = %+v", s)
	}
	if s.Attributes != c.Session.Attributes || !slices.Equal(s.Roles, c.Session.Roles) {
		t.Errorf("session attributes/roles = %+v %v", s.Attributes, s.Roles)
	}
	if len(s.AuthenticationFactors) != 1 || !bytes.Equal(s.AuthenticationFactors[0], c.Session.AuthenticationFactors[0]) {
		t.Errorf("factors = %s", s.AuthenticationFactors)
	}
	if got.Organization != c.Organization {
		t.Errorf("organization = %+v", got.Organization)
	}
	if len(got.Custom) != 2 || string(got.Custom["plan"]) != `"gold"` || string(got.Custom["seats"]) != `42` {
		t.Errorf("custom = %v", got.Custom)
	}
}

func TestWireFormat(t *testing.T) {
	c := sampleClaims()
	// Sub-second and non-UTC inputs must come out as whole-second UTC.
	east := time.FixedZone("UTC+2", 2*3600)
	c.Session.StartedAt = time.Date(2024, 1, 2, 4, 4, 5, 999_999_999, east)
	c.Custom["iss"] = json.RawMessage(`"https://evil.example"`)
	c.Custom["jti"] = json.RawMessage(`"x"`)
	c.Custom[ClaimSession] = json.RawMessage(`{"id":"forged"}`)
	c.Custom["https://stytch.com/anything"] = json.RawMessage(`1`)
	tok := mustSign(t, keyA(), c)

	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if want := `{"alg":"RS256","kid":"` + keyA().KID + `","typ":"JWT"}`; string(hdr) != want {
		t.Errorf("header %s\nwant   %s", hdr, want)
	}
	body, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	wantSession := `{"id":"` + testSession + `","started_at":"2024-01-02T02:04:05Z","last_accessed_at":"2024-01-02T03:04:05Z","expires_at":"2024-01-03T02:04:05Z",` +
		`"attributes":{"ip_address":"203.0.113.7","user_agent":"Mozilla/5.0"},"authentication_factors":[` + string(c.Session.AuthenticationFactors[0]) + `],"roles":["stytch_member","stytch_admin"]}`
	exact := map[string]string{
		"iss":             `"` + testIssuer + `"`,
		"aud":             `["` + testProject + `"]`,
		"sub":             `"` + testMember + `"`,
		"iat":             "1704164645",
		"nbf":             "1704164645",
		"exp":             "1704164945",
		ClaimSession:      wantSession,
		ClaimOrganization: `{"organization_id":"` + testOrg + `","slug":"acme"}`,
		"plan":            `"gold"`,
		"seats":           `42`,
	}
	for k, want := range exact {
		if string(m[k]) != want {
			t.Errorf("%s = %s\nwant %s", k, m[k], want)
		}
	}
	if len(m) != len(exact) {
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		t.Errorf("payload has claims %v; reserved custom claims leaked", keys)
	}
}

func TestEmptyListsAreArrays(t *testing.T) {
	c := sampleClaims()
	c.Session.Roles = nil
	c.Session.AuthenticationFactors = nil
	c.Custom = nil
	tok := mustSign(t, keyA(), c)
	body, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if !bytes.Contains(body, []byte(`"authentication_factors":[],"roles":[]`)) {
		t.Errorf("payload %s lacks empty arrays", body)
	}
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		name       string
		sessionEnd time.Time
		explicit   time.Time
		want       time.Time
	}{
		{"five minutes", issued.Add(time.Hour), time.Time{}, issued.Add(5 * time.Minute)},
		{"capped at session end", issued.Add(2 * time.Minute), time.Time{}, issued.Add(2 * time.Minute)},
		{"explicit", issued.Add(time.Hour), issued.Add(time.Minute), issued.Add(time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleClaims()
			c.Session.ExpiresAt = tc.sessionEnd
			c.Expiry = tc.explicit
			got, err := Verify(mustSign(t, keyA(), c), []SigningKey{keyA()}, testProject, testIssuer, issued)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Expiry.Equal(tc.want) {
				t.Errorf("exp = %v, want %v", got.Expiry, tc.want)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    SigningKey
		mutate func(*Claims)
		want   string
	}{
		{"no kid", SigningKey{Private: keyA().Private}, nil, "kid"},
		{"no private key", SigningKey{KID: "k"}, nil, "private key"},
		{"weak key", SigningKey{KID: "k", Private: weak}, nil, "2048"},
		{"no issuer", keyA(), func(c *Claims) { c.Issuer = "" }, "issuer"},
		{"no project", keyA(), func(c *Claims) { c.ProjectID = "" }, "project ID"},
		{"no member", keyA(), func(c *Claims) { c.MemberID = "" }, "member ID"},
		{"no session id", keyA(), func(c *Claims) { c.Session.ID = "" }, "session ID"},
		{"no organization", keyA(), func(c *Claims) { c.Organization.OrganizationID = "" }, "organization ID"},
		{"no iat", keyA(), func(c *Claims) { c.IssuedAt = time.Time{} }, "issued-at"},
		{"no started_at", keyA(), func(c *Claims) { c.Session.StartedAt = time.Time{} }, "started_at"},
		{"no session expiry", keyA(), func(c *Claims) { c.Session.ExpiresAt = time.Time{} }, "expires_at"},
		{"session already over", keyA(), func(c *Claims) { c.Session.ExpiresAt = issued }, "expire"},
		{"bad custom JSON", keyA(), func(c *Claims) { c.Custom["x"] = json.RawMessage(`{`) }, "custom claim"},
		{"bad factor JSON", keyA(), func(c *Claims) { c.Session.AuthenticationFactors = []json.RawMessage{json.RawMessage(`nope`)} }, "factor"},
		{"oversized", keyA(), func(c *Claims) {
			c.Custom["blob"] = json.RawMessage(`"` + strings.Repeat("a", MaxTokenBytes) + `"`)
		}, "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleClaims()
			if tc.mutate != nil {
				tc.mutate(&c)
			}
			tok, err := Sign(tc.key, c)
			if err == nil {
				t.Fatalf("signed %d bytes", len(tok))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestIsReservedClaim(t *testing.T) {
	for _, name := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", ClaimSession, ClaimOrganization, "https://stytch.com/x"} {
		if !IsReservedClaim(name) {
			t.Errorf("%q not reserved", name)
		}
	}
	for _, name := range []string{"plan", "ISS", "https://stytch.com", "http://stytch.com/session", "stytch.com/session", ""} {
		if IsReservedClaim(name) {
			t.Errorf("%q reserved", name)
		}
	}
}

func TestFormatTime(t *testing.T) {
	tz := time.FixedZone("x", -5*3600)
	got := FormatTime(time.Date(2021, 12, 29, 7, 33, 9, 123456789, tz))
	if got != "2021-12-29T12:33:09Z" {
		t.Errorf("FormatTime = %s", got)
	}
}

func TestNewKIDAndGenerate(t *testing.T) {
	re := regexp.MustCompile(`^jwk-(test|live)-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a := NewKID(bytes.NewReader(make([]byte, 16)), ids.Test)
	b := NewKID(bytes.NewReader(make([]byte, 16)), ids.Test)
	if a != b || !re.MatchString(a) || !strings.HasPrefix(a, "jwk-test-") {
		t.Errorf("NewKID = %q, %q", a, b)
	}
	if live := NewKID(rand.Reader, ids.Live); !strings.HasPrefix(live, "jwk-live-") || !re.MatchString(live) {
		t.Errorf("live kid %q", live)
	}
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
	k, err := GenerateSigningKey(rand.Reader, ids.Test, now)
	if err != nil {
		t.Fatal(err)
	}
	if k.Private.N.BitLen() != 2048 || !re.MatchString(k.KID) || !k.CreatedAt.Equal(now) || k.CreatedAt.Location() != time.UTC {
		t.Errorf("generated key bits=%d kid=%q created=%v", k.Private.N.BitLen(), k.KID, k.CreatedAt)
	}
	if _, err := Verify(mustSign(t, k, sampleClaims()), []SigningKey{k}, testProject, testIssuer, issued); err != nil {
		t.Errorf("generated key does not round-trip: %v", err)
	}
}

func BenchmarkSign(b *testing.B) {
	key, c := keyA(), sampleClaims()
	for b.Loop() {
		if _, err := Sign(key, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	tok, err := Sign(keyA(), sampleClaims())
	if err != nil {
		b.Fatal(err)
	}
	keys := []SigningKey{keyB(), keyA()}
	now := issued.Add(time.Minute)
	for b.Loop() {
		if _, err := Verify(tok, keys, testProject, testIssuer, now); err != nil {
			b.Fatal(err)
		}
	}
}
