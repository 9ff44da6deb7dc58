package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sso"
)

// FuzzDecodeBody feeds arbitrary bodies to the JSON decoder with the
// request types of the SSO and organization endpoints: it must never panic,
// must fail only with a typed 4xx error, and what it accepts is valid UTF-8
// without NUL, so no decoded string can be refused by a database.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"organization_name":"a"}`, `{"trusted_metadata":{"a":null}}`,
		`{"attribute_mapping":{"email":{"x":1}}}`, `{"idp_initiated_auth_disabled":"yes"}`,
		`{"saml_group_implicit_role_assignments":[{"role_id":1}]}`, `{"a":1} {"b":2}`, "\xff\xfe", `{"display_name":"\u0000"}`, "{\"display_name\":\"\xff\"}", `{"a":1,"a":2}`, `{"x":` + "[[[[[[[[[[" + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{&organizations.Fields{}, &sso.SAMLUpdate{}, &sso.OIDCUpdate{}, &sso.ExternalCreate{}, &organizations.SearchParams{}} {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			if err := decodeJSON(r, v); err != nil {
				e := apierr.As(err)
				if e.Status < 400 || e.Status >= 500 || e.Type == "" {
					t.Fatalf("decode error is not a typed 4xx: %+v", e)
				}
				continue
			}
			out, _ := json.Marshal(v)
			if !utf8.Valid(body) || bytes.Contains(out, []byte(`\u0000`)) {
				t.Fatalf("accepted %q, decoded %s", body, out)
			}
		}
	})
}
