package interop

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestCrewjamExternalConnection logs into organization B through an
// External connection that uses organization A's SAML connection: the
// AuthnRequest, IdP and certificates are A's, the member lands in B with
// the External connection's implicit roles. Deleting A's connection takes
// the External connection with it.
func TestCrewjamExternalConnection(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-ext-source")
	orgB := s.env.CreateOrg("Interop external target", "crewjam-ext-target")["organization_id"].(string)
	s.env.MustOK(s.env.Call("PUT", "/v1/b2b/organizations/"+orgB, map[string]any{"sso_jit_provisioning": "ALL_ALLOWED"}))
	r := s.env.MustOK(s.env.Call("POST", "/v1/b2b/sso/external/"+orgB, map[string]any{
		"external_organization_id": s.conn.OrgID, "external_connection_id": s.conn.ID, "display_name": "via A",
		"connection_implicit_role_assignments": []any{map[string]any{"role_id": "stytch_admin"}},
	}))
	ext := r.Obj("connection")["connection_id"].(string)

	b := s.browser(t)
	token := landing(t, b, b.Get(startURL(s.env, ext, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}})), signupURL)
	if post := lastACSPost(t, b); post.Action.String() != s.conn.ACSURL {
		t.Fatalf("the IdP posted to %s, want the source connection's ACS %s", post.Action, s.conn.ACSURL)
	}
	// The attempt is the source connection's: it verified the response.
	wantLatestLogin(t, s.conn.Logins(t), "success")

	res := authenticate(t, s.env, map[string]any{"sso_token": token})
	if res.Str("organization_id") != orgB {
		t.Fatalf("member landed in %s, want organization B %s", res.Str("organization_id"), orgB)
	}
	member := wantMember(t, res, userEmail, userFullName)
	wantRoleSources(t, member, "stytch_admin", "sso_connection")
	wantSSOFactor(t, res, "sso_saml", "saml_sso_factor", ext, userEmail)

	// A has no member for this login: it happened in B.
	search := s.env.MustOK(s.env.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{s.conn.OrgID}}))
	if ms, _ := search.Body["members"].([]any); len(ms) != 0 {
		t.Fatalf("organization A has %d members after a login into B", len(ms))
	}

	s.env.MustOK(s.env.Call("DELETE", "/v1/b2b/sso/"+s.conn.OrgID+"/connections/"+s.conn.ID, nil))
	got := s.env.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?" + url.Values{
		"connection_id": {ext}, "public_token": {s.env.Creds.PublicToken},
	}.Encode(), NoAuth: true})
	s.env.WantError(got, http.StatusNotFound, "sso_connection_not_found")
}
