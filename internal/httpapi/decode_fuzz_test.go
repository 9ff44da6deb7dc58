package httpapi

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sso"
)

// FuzzDecodeBody feeds arbitrary bodies to the JSON decoder with the
// request types of the SSO and organization endpoints: it must never panic
// and must fail only with a typed 4xx error.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"organization_name":"a"}`, `{"trusted_metadata":{"a":null}}`,
		`{"attribute_mapping":{"email":{"x":1}}}`, `{"idp_initiated_auth_disabled":"yes"}`,
		`{"saml_group_implicit_role_assignments":[{"role_id":1}]}`, `{"a":1} {"b":2}`, "\xff\xfe", `{"x":` + "[[[[[[[[[[" + `}`,
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
			}
		}
	})
}
