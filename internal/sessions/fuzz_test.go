package sessions

import (
	"encoding/json"
	"testing"

	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// FuzzStoredSessionJSON: factor lists and custom claims are read back from
// the database; whatever they hold, merging never panics and the results
// stay bounded and valid JSON.
func FuzzStoredSessionJSON(f *testing.F) {
	for _, s := range []string{`[]`, `[{"type":"sso","delivery_method":"sso_saml","created_at":"2026-01-01T00:00:00Z","saml_sso_factor":{"provider_id":"c"}}]`,
		`[{"created_at":"not a time","saml_sso_factor":{"provider_id":"x"}}]`, `{"a":1}`, `null`, `[1,"x",null]`, `{`} {
		f.Add([]byte(s), "c", []byte(`{"k":"v","iss":"x","n":null}`))
	}
	f.Fuzz(func(t *testing.T, stored []byte, conn string, patch []byte) {
		reg := &store.SSORegistration{ID: "r", ConnectionID: conn, ExternalID: "e"}
		if out, err := addFactor(stored, SSOFactor(store.KindSAML, reg, t0)); err == nil {
			list := factorList(out)
			if len(list) == 0 || len(list) > maxFactors || !json.Valid(out) {
				t.Fatalf("factor list of %d entries, valid=%v", len(list), json.Valid(out))
			}
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(patch, &p) != nil {
			return
		}
		if out, err := mergeClaims(stored, p); err == nil && (len(out) > MaxCustomClaimsBytes || !json.Valid(out)) {
			t.Fatalf("claims of %d bytes, valid=%v", len(out), json.Valid(out))
		}
	})
}

// FuzzHeaderKID: the unverified header read for foreign-key lookup never
// panics and returns only key IDs in the kid format (checked before they
// are looked up).
func FuzzHeaderKID(f *testing.F) {
	for _, s := range []string{"eyJhbGciOiJSUzI1NiIsImtpZCI6Imp3ay10ZXN0LTEifQ.e30.sig", "eyJraWQiOiJqd2stdGVzdC0wMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAifQ.e30.x", "", ".", "a.b.c", "!!.x", "eyJraWQiOjF9.x", "e30.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		kid, ok := headerKID(tok)
		if ok != (kid != "") || (ok && !sessionjwt.IsKID(kid)) {
			t.Fatalf("headerKID(%q) = %q, %v", tok, kid, ok)
		}
	})
}
