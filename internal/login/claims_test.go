package login

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOIDCClaimsThatCannotBeStored: NUL or invalid UTF-8 in the identity
// keys (sub, the email claim) refuses the login with a typed failure; in
// other claims it is cleaned, so nothing unstorable reaches the database
// (PostgreSQL refuses NUL in text and jsonb).
func TestOIDCClaimsThatCannotBeStored(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"email": "ada@acme.example", "name": "Ada", "locale": "en"}
	}
	with := func(k string, v any) map[string]any {
		c := base()
		c[k] = v
		return c
	}
	tests := []struct {
		name     string
		mapping  map[string]string
		subject  string
		claims   map[string]any
		refused  string // the claim named in the refusal
		wantName string
		check    func(id *identity) bool
	}{
		{"clean", nil, "sub-1", base(), "", "Ada", nil},
		{"sub with NUL", nil, "sub\x00evil", base(), "sub", "", nil},
		{"sub invalid UTF-8", nil, "sub\xff", base(), "sub", "", nil},
		{"email with NUL", nil, "sub-1", with("email", "ada@acme.example\x00.evil"), "email", "", nil},
		{"mapped email claim invalid UTF-8", map[string]string{"email": "upn"}, "sub-1", with("upn", "ada\xff@acme.example"), "upn", "", nil},
		{"name with NUL cleaned", nil, "sub-1", with("name", "Ada\x00 Lovelace"), "", "Ada Lovelace", nil},
		{"name invalid UTF-8 cleaned", nil, "sub-1", with("name", "Ada\xff"), "", "Ada\uFFFD", nil},
		{"given and family names cleaned", nil, "sub-1", map[string]any{"email": "ada@acme.example", "given_name": "A\x00da", "family_name": "L\x00"}, "", "Ada L", nil},
		{"attribute key with NUL dropped", nil, "sub-1", with("de\x00pt", "x"), "", "Ada", func(id *identity) bool {
			for k := range id.Attributes {
				if strings.ContainsRune(k, 0) {
					return false
				}
			}
			return true
		}},
		{"attribute value cleaned", nil, "sub-1", with("dept", "eng\x00"), "", "Ada", func(id *identity) bool {
			return id.Attributes["dept"][0] == "eng"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, f := mapOIDCIdentity("oidc-connection-test-x", tt.mapping, tt.subject, tt.claims)
			if tt.refused != "" {
				if f == nil || f.ErrorType != "invalid_oidc_claim" || f.Status != 400 || !strings.Contains(f.Detail, tt.refused) {
					t.Fatalf("want refusal naming %s, got %+v", tt.refused, f)
				}
				return
			}
			if f != nil {
				t.Fatalf("refused: %+v", f)
			}
			if id.Name != tt.wantName {
				t.Fatalf("name %q, want %q", id.Name, tt.wantName)
			}
			if tt.check != nil && !tt.check(id) {
				t.Fatalf("attributes %v", id.Attributes)
			}
			b, _ := json.Marshal(id.Attributes)
			if strings.Contains(string(b), `\u0000`) {
				t.Fatalf("attributes keep a NUL: %s", b)
			}
		})
	}
}

func TestCleanClaimsAtDepth(t *testing.T) {
	c := cleanClaims(map[string]any{
		"groups": []any{"a\x00", "b"}, "nested": map[string]any{"k\x00": "v", "ok": "x\xff"}, "n": 1.0, "b\x00ad": "z",
	})
	b, _ := json.Marshal(c)
	if strings.Contains(string(b), `\u0000`) || !json.Valid(b) || strings.Contains(string(b), "b\x00ad") {
		t.Fatalf("cleaned claims %s", b)
	}
	if got := string(b); got != `{"groups":["a","b"],"n":1,"nested":{"ok":"x�"}}` {
		t.Fatalf("cleaned claims %s", got)
	}
}
