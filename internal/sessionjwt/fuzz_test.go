package sessionjwt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
)

func assertInvariants(t *testing.T, c *Claims, now time.Time, checkedExpiry bool) {
	t.Helper()
	if c == nil || c.MemberID == "" || c.Session.ID == "" || c.Organization.OrganizationID == "" ||
		c.IssuedAt.IsZero() || c.Session.StartedAt.IsZero() || c.Session.ExpiresAt.IsZero() || c.Session.LastAccessedAt.IsZero() {
		t.Fatalf("accepted claims lack required values: %+v", c)
	}
	if c.Issuer != testIssuer || c.ProjectID != testProject {
		t.Fatalf("accepted iss=%q project=%q", c.Issuer, c.ProjectID)
	}
	if checkedExpiry && !now.Before(c.Expiry) {
		t.Fatalf("accepted an expired token: exp %v now %v", c.Expiry, now)
	}
	if now.Add(ClockSkew).Before(c.NotBefore) {
		t.Fatalf("accepted a not-yet-valid token")
	}
	for name := range c.Custom {
		if IsReservedClaim(name) {
			t.Fatalf("reserved claim %q reported as custom", name)
		}
	}
}

func assertTyped(t *testing.T, err error) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("untyped error %v", err)
	}
	switch ae.Type {
	case TypeUnparsable, TypeInvalidAudience, TypeInvalidIssuer, TypeInvalidClaims, TypeExpired:
	default:
		t.Fatalf("unexpected type %s", ae.Type)
	}
}

// FuzzDecodeClaims exercises the claim parser on arbitrary payloads, as if
// they had been signed by a trusted key.
func FuzzDecodeClaims(f *testing.F) {
	m := `{"iss":"https://seam.example.test","aud":["` + testProject + `"],"sub":"m","iat":1704164645,"nbf":1704164645,"exp":1704164945,` +
		`"https://stytch.com/session":{"id":"s","started_at":"2024-01-02T02:04:05Z","last_accessed_at":"2024-01-02T03:04:05Z","expires_at":"2024-01-03T02:04:05Z","attributes":{"ip_address":"","user_agent":""},"authentication_factors":[],"roles":["stytch_member"]},` +
		`"https://stytch.com/organization":{"organization_id":"o","slug":"s"},"plan":"gold"}`
	for _, s := range []string{
		m,
		strings.Replace(m, `"aud":[`, `"aud":`, 1),
		strings.Replace(m, `1704164945`, `1704164945.9`, 1),
		strings.Replace(m, `"2024-01-03T02:04:05Z"`, `"2024-01-03T02:04:05.123456+05:30"`, 1),
		strings.Replace(m, `"roles":["stytch_member"]`, `"roles":null`, 1),
		strings.Replace(m, `"iat":1704164645`, `"iat":"1704164645"`, 1),
		`{}`, `[]`, `null`, `{"aud":{}}`, `{"exp":1e400}`, ``,
	} {
		f.Add([]byte(s), int64(1704164700))
	}
	f.Fuzz(func(t *testing.T, payload []byte, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<34), 0)
		for _, checkExpiry := range []bool{true, false} {
			c, err := decodeClaims(payload, testProject, testIssuer, now, checkExpiry)
			if err != nil {
				assertTyped(t, err)
				continue
			}
			assertInvariants(t, c, now, checkExpiry)
		}
	})
}

// FuzzVerify feeds arbitrary token strings through the whole verifier.
func FuzzVerify(f *testing.F) {
	good, err := Sign(keyA(), sampleClaims())
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good,
		parts[0] + "." + parts[1] + ".",
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
		parts[0] + ".." + parts[2],
		"a.b.c", "...", "", strings.Repeat(".", 100),
		`{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`,
	} {
		f.Add(s)
	}
	keys := []SigningKey{keyA(), keyB()}
	f.Fuzz(func(t *testing.T, token string) {
		now := issued.Add(time.Minute)
		c, err := Verify(token, keys, testProject, testIssuer, now)
		if err != nil {
			assertTyped(t, err)
			if strings.Contains(err.Error(), token) && len(token) > 16 {
				t.Fatal("error text contains the token")
			}
			return
		}
		assertInvariants(t, c, now, true)
	})
}
