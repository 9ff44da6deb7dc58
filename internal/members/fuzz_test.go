package members

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/store"
)

func encodeCursorForTest(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// FuzzNormalizeEmail: never panics; accepted addresses are lower-case,
// trimmed, bounded and idempotent.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", " A@B.CO ", "a@b", "@", "a@@b.com", "\xff@x.com", "a.b+c@d-e.f.example", strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		if e != strings.ToLower(e) || len(e) > 254 || strings.Count(e, "@") != 1 || e != strings.TrimSpace(e) {
			t.Fatalf("accepted %q as %q", s, e)
		}
		if again, err := NormalizeEmail(e); err != nil || again != e {
			t.Fatalf("not idempotent: %q -> %q (%v)", e, again, err)
		}
	})
}

// FuzzAttributes: stored attributes and session factors come back from the
// database as arbitrary JSON; their readers never panic and stay bounded.
func FuzzAttributes(f *testing.F) {
	for _, s := range []string{`{"groups":["a","b"]}`, `{"groups":"a"}`, `[]`, `null`, `{"groups":[1,{}]}`,
		`[{"saml_sso_factor":{"provider_id":"c"}},{"oidc_sso_factor":null}]`, `[{"saml_sso_factor":"x"}]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if g := GroupsFromAttributes(raw); len(g) > MaxGroups {
			t.Fatalf("%d groups", len(g))
		}
		for _, c := range SSOFactorConnections(raw) {
			if c == "" {
				t.Fatal("empty connection ID")
			}
		}
		var groups []string
		_ = json.Unmarshal(raw, &groups)
		out := SSOAttributes(map[string]any{"raw": string(raw)}, groups)
		if len(out) > MaxSSOAttributesBytes || !json.Valid(out) {
			t.Fatalf("attributes of %d bytes, valid=%v", len(out), json.Valid(out))
		}
	})
}

// FuzzSearchQuery: any query body is accepted into a bounded filter or
// refused with an error, never a panic.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{`{"operator":"AND","operands":[{"filter_name":"member_ids","filter_value":["m"]}]}`,
		`{"operator":"OR","operands":[{"filter_name":"member_is_breakglass","filter_value":true}]}`,
		`{"operands":[{"filter_name":"member_email_fuzzy","filter_value":"%_"}]}`, `{"operands":null}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var q search.Query
		if json.Unmarshal(raw, &q) != nil {
			return
		}
		var filter store.MemberFilter
		res := memberSearch()
		if err := res.Apply(&filter, &q); err != nil {
			return
		}
		if len(filter.Conditions) > res.MaxOperands {
			t.Fatalf("%d conditions", len(filter.Conditions))
		}
		for _, c := range filter.Conditions {
			if len(c.Values) > search.MaxFilterValues {
				t.Fatalf("%d values", len(c.Values))
			}
		}
		_, _ = search.Decode(string(raw), res.Prefix)
	})
}
