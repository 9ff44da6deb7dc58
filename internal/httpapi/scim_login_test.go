package httpapi_test

import (
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestSCIMThenSAMLLogin: a person provisioned by SCIM and then logging in
// with SAML is one member, whose session holds the SCIM group's role; after
// deprovisioning, the session is gone and the next SAML login is refused
// (403 member_deactivated at the ACS).
func TestSCIMThenSAMLLogin(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		c, conn := newSCIM(e, "acme", nil)
		u := c.must(201, c.do("POST", "/Users", scimUser("ada@acme.example", "ada@acme.example", nil)))
		g := c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
			"displayName": "Admins", "members": []any{map[string]any{"value": u["id"]}}}))
		e.MustOK(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+conn["connection_id"].(string), map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": g["id"], "role_id": "stytch_admin"}},
		}))

		login := func() *apptest.Response {
			b := e.Browser()
			reqID, _ := f.start(t, b, "")
			resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
			token, _ := tokenFrom(t, resp, body)
			return e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token})
		}
		r := e.MustOK(login())
		if r.Str("member_id") != u["id"] {
			t.Fatalf("SAML login landed on %s, SCIM provisioned %s", r.Str("member_id"), u["id"])
		}
		if roles := fmtList(r.Obj("member_session")["roles"]); !strings.Contains(roles, "stytch_admin") {
			t.Fatalf("session roles %s lack the SCIM group's role", roles)
		}
		if m := r.Obj("member"); m["scim_registration"] == nil || len(m["sso_registrations"].([]any)) != 1 {
			t.Fatalf("member: %v", m)
		}

		c.must(200, c.do("PATCH", "/Users/"+u["id"].(string), map[string]any{
			"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}},
		}))
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": r.Str("session_jwt")}), 404, "session_not_found")
		// The next login is refused at the ACS already, before any token.
		b := e.Browser()
		reqID, _ := f.start(t, b, "")
		resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
		if resp.StatusCode != 403 || !strings.Contains(body, "member_deactivated") {
			t.Fatalf("login of a deprovisioned member: %d %s", resp.StatusCode, body)
		}
	})
}
