package sessions

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

var t0 = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func TestFactorJSON(t *testing.T) {
	reg := &store.SSORegistration{ID: "sso-registration-test-1", ConnectionID: "saml-connection-test-1", ExternalID: "ada@idp"}
	b, err := json.Marshal(SSOFactor(store.KindSAML, reg, t0))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"sso","delivery_method":"sso_saml","last_authenticated_at":"2026-05-06T07:08:09Z","created_at":"2026-05-06T07:08:09Z",` +
		`"updated_at":"2026-05-06T07:08:09Z","saml_sso_factor":{"id":"sso-registration-test-1","provider_id":"saml-connection-test-1","external_id":"ada@idp"}}`
	if string(b) != want {
		t.Errorf("SAML factor:\n got %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(SSOFactor(store.KindOIDC, reg, t0))
	if !strings.Contains(string(b), `"delivery_method":"sso_oidc"`) || !strings.Contains(string(b), `"oidc_sso_factor":{`) || strings.Contains(string(b), "saml_sso_factor") {
		t.Errorf("OIDC factor = %s", b)
	}
	b, _ = json.Marshal(OperatorFactor(t0))
	if string(b) != `{"type":"impersonated","delivery_method":"impersonation","last_authenticated_at":"2026-05-06T07:08:09Z","created_at":"2026-05-06T07:08:09Z","updated_at":"2026-05-06T07:08:09Z"}` {
		t.Errorf("operator factor = %s", b)
	}
}

func TestAddFactor(t *testing.T) {
	c1 := &store.SSORegistration{ID: "r1", ConnectionID: "c1", ExternalID: "x"}
	c2 := &store.SSORegistration{ID: "r2", ConnectionID: "c2", ExternalID: "y"}
	list, err := addFactor(nil, OperatorFactor(t0))
	if err != nil {
		t.Fatal(err)
	}
	list, _ = addFactor(list, SSOFactor(store.KindSAML, c1, t0.Add(time.Minute)))
	list, _ = addFactor(list, SSOFactor(store.KindSAML, c2, t0.Add(2*time.Minute)))
	// The same factor again replaces the old entry, keeping its created_at.
	list, _ = addFactor(list, SSOFactor(store.KindSAML, c1, t0.Add(time.Hour)))
	var got []wireFactor
	if err := json.Unmarshal(list, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Type != "impersonated" || got[1].SAMLSSOFactor.ProviderID != "c2" || got[2].SAMLSSOFactor.ProviderID != "c1" ||
		got[2].CreatedAt != "2026-05-06T07:09:09Z" || got[2].LastAuthenticatedAt != "2026-05-06T08:08:09Z" {
		t.Errorf("factors = %s", list)
	}
	// The same connection through the other protocol is another factor.
	list, _ = addFactor(list, SSOFactor(store.KindOIDC, c1, t0))
	if n := len(factorList(list)); n != 4 {
		t.Errorf("%d factors, want 4", n)
	}
	// Bounded.
	for i := 0; i < 40; i++ {
		list, _ = addFactor(list, SSOFactor(store.KindSAML, &store.SSORegistration{ConnectionID: string(rune('A' + i))}, t0))
	}
	if n := len(factorList(list)); n != maxFactors {
		t.Errorf("%d factors, want the cap %d", n, maxFactors)
	}
	if _, err := addFactor(json.RawMessage(`{"not":"a list"}`), OperatorFactor(t0)); err == nil {
		t.Error("a corrupt factor list was accepted")
	}
}

func TestMergeClaims(t *testing.T) {
	cases := []struct {
		stored string
		patch  map[string]string
		want   string
		errTyp string
	}{
		{"", nil, `{}`, ""},
		{`{}`, map[string]string{"a": `1`, "b": `{"c":[true]}`}, `{"a":1,"b":{"c":[true]}}`, ""},
		{`{"a":1,"b":2}`, map[string]string{"a": `null`, "c": `"x"`}, `{"b":2,"c":"x"}`, ""},
		{`{"a":1}`, map[string]string{"iss": `"evil"`, "sub": `"x"`, "aud": `"x"`, "exp": `1`, "nbf": `1`, "iat": `1`, "jti": `"j"`,
			"https://stytch.com/session": `{}`, "https://stytch.com/organization": `{}`}, `{"a":1}`, ""},
		{`{}`, map[string]string{"big": `"` + strings.Repeat("x", MaxCustomClaimsBytes) + `"`}, "", "invalid_session_custom_claims"},
		{`{}`, map[string]string{"bad": `{`}, "", "invalid_session_custom_claims"},
	}
	for i, c := range cases {
		patch := map[string]json.RawMessage{}
		for k, v := range c.patch {
			patch[k] = json.RawMessage(v)
		}
		if c.patch == nil {
			patch = nil
		}
		got, err := mergeClaims(json.RawMessage(c.stored), patch)
		if c.errTyp != "" {
			if err == nil || !strings.Contains(err.Error(), c.errTyp) {
				t.Errorf("case %d: error %v, want %s", i, err, c.errTyp)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("case %d: got %s %v, want %s", i, got, err, c.want)
		}
	}
}
