package interop

import (
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// authenticate exchanges an SSO token at POST /v1/b2b/sso/authenticate
// (Basic auth, as the application's backend would) and checks the parts of
// the answer every login shares.
func authenticate(t *testing.T, env *apptest.Env, body map[string]any) *apptest.Response {
	t.Helper()
	r := env.Call("POST", "/v1/b2b/sso/authenticate", body)
	if r.Status != http.StatusOK {
		t.Fatalf("sso authenticate: %d %s", r.Status, r.Raw)
	}
	member, session := r.Obj("member"), r.Obj("member_session")
	if member == nil || session == nil || r.Obj("organization") == nil {
		t.Fatalf("authenticate lacks member, member_session or organization: %s", r.Raw)
	}
	if r.Body["member_authenticated"] != true || r.Str("session_token") == "" || r.Str("session_jwt") == "" {
		t.Fatalf("authenticate: member_authenticated/session_token/session_jwt: %s", r.Raw)
	}
	if r.Str("member_id") != member["member_id"] || session["member_id"] != member["member_id"] ||
		r.Str("organization_id") != member["organization_id"] || session["organization_id"] != r.Str("organization_id") {
		t.Fatalf("authenticate: IDs disagree: %s", r.Raw)
	}
	// The session works where the application will use it.
	s := env.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": r.Str("session_token")})
	if s.Status != http.StatusOK || s.Obj("member")["member_id"] != member["member_id"] {
		t.Fatalf("sessions authenticate with the new session token: %d %s", s.Status, s.Raw)
	}
	return r
}

// wantMember checks the member's email and name.
func wantMember(t *testing.T, r *apptest.Response, email, name string) map[string]any {
	t.Helper()
	m := r.Obj("member")
	if m["email_address"] != email || m["name"] != name {
		t.Fatalf("member email %v name %v, want %s %q", m["email_address"], m["name"], email, name)
	}
	return m
}

// roleSources returns, for each role of the member, its source types sorted.
func roleSources(t *testing.T, member map[string]any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	roles, _ := member["roles"].([]any)
	for _, x := range roles {
		role := x.(map[string]any)
		id := role["role_id"].(string)
		srcs, _ := role["sources"].([]any)
		for _, s := range srcs {
			out[id] = append(out[id], s.(map[string]any)["type"].(string))
		}
		sort.Strings(out[id])
	}
	return out
}

// wantRoleSources checks one role's source types (order ignored).
func wantRoleSources(t *testing.T, member map[string]any, roleID string, want ...string) {
	t.Helper()
	got := roleSources(t, member)[roleID]
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("role %s sources = %v, want %v (all roles: %v)", roleID, got, want, member["roles"])
	}
}

// wantSSOFactor checks the session's SSO authentication factor.
func wantSSOFactor(t *testing.T, r *apptest.Response, deliveryMethod, factorKey, connID, externalID string) {
	t.Helper()
	factors, _ := r.Obj("member_session")["authentication_factors"].([]any)
	for _, x := range factors {
		f := x.(map[string]any)
		if f["type"] != "sso" {
			continue
		}
		detail, _ := f[factorKey].(map[string]any)
		if f["delivery_method"] != deliveryMethod || detail == nil || detail["provider_id"] != connID || detail["external_id"] != externalID {
			t.Fatalf("sso factor = %v, want %s with %s{provider_id %s, external_id %s}", f, deliveryMethod, factorKey, connID, externalID)
		}
		return
	}
	t.Fatalf("no sso factor in %v", factors)
}

// wantRegistration checks that the member has an SSO registration for the
// connection with the IdP's subject.
func wantRegistration(t *testing.T, member map[string]any, connID, externalID string) {
	t.Helper()
	regs, _ := member["sso_registrations"].([]any)
	for _, x := range regs {
		reg := x.(map[string]any)
		if reg["connection_id"] == connID {
			if reg["external_id"] != externalID {
				t.Fatalf("registration external_id = %v, want %s", reg["external_id"], externalID)
			}
			return
		}
	}
	t.Fatalf("no sso registration for %s in %v", connID, regs)
}

// wantTokenUsed checks that a used SSO token is refused.
func wantTokenUsed(t *testing.T, env *apptest.Env, token string) {
	t.Helper()
	env.WantError(env.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}), http.StatusNotFound, "sso_token_not_found")
}
