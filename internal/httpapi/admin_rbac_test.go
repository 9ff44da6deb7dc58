package httpapi_test

import (
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/ids"
)

// editorPolicy is a PWA policy with a custom resource "documents" and a
// custom role "editor" that may read and write documents and search members.
func editorPolicy() map[string]any {
	return map[string]any{
		"stytch_member": map[string]any{"role_id": "stytch_member", "permissions": []any{
			map[string]any{"resource_id": "stytch.self", "actions": []string{"*"}}}},
		"stytch_admin": map[string]any{"permissions": []any{
			map[string]any{"resource_id": "stytch.member", "actions": []string{"*"}},
			map[string]any{"resource_id": "documents", "actions": []string{"*"}}}},
		"stytch_resources": []any{map[string]any{"resource_id": "ignored", "available_actions": []string{"x"}}},
		"custom_resources": []any{map[string]any{"resource_id": "documents", "description": "Docs", "available_actions": []string{"read", "write", "delete"}}},
		"custom_roles": []any{map[string]any{"role_id": "editor", "description": "Edits", "permissions": []any{
			map[string]any{"resource_id": "documents", "actions": []string{"read", "write"}},
			map[string]any{"resource_id": "stytch.member", "actions": []string{"search"}}}}},
	}
}

// TestAdminRBACPolicy sets a project's policy over PWA and checks that
// member role validation, session authorization checks and a management
// endpoint under a member session all follow it at once, that another
// project keeps the deployment's policy, and that refused policies change
// nothing.
func TestAdminRBACPolicy(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		e := f.e
		other := e.NewProject(ids.Test)
		otherEnv := "/pwa/v3/projects/" + other.ProjectID + "/environments/test"

		// Before: the deployment's (default) policy, no custom role.
		before := e.MustOK(f.pwa("GET", f.env+"/rbac_policy", nil)).Obj("policy")
		if roles := before["custom_roles"].([]any); len(roles) != 0 {
			t.Fatalf("custom roles before = %v", roles)
		}
		if before["stytch_admin"].(map[string]any)["role_id"] != "stytch_admin" || len(before["stytch_resources"].([]any)) == 0 {
			t.Fatalf("default policy = %v", before)
		}
		e.WantError(e.Call("POST", "/v1/b2b/organizations/"+f.orgID+"/members",
			map[string]any{"email_address": "early@acme.example", "roles": []string{"editor"}}), 400, "invalid_rbac_role_id")

		set := e.MustOK(f.pwa("PUT", f.env+"/rbac_policy", map[string]any{"project_slug": "ignored", "policy": editorPolicy()})).Obj("policy")
		if got := set["custom_roles"].([]any); len(got) != 1 || got[0].(map[string]any)["role_id"] != "editor" {
			t.Fatalf("custom roles after PUT = %v", got)
		}
		for _, r := range set["stytch_resources"].([]any) {
			if r.(map[string]any)["resource_id"] == "ignored" {
				t.Errorf("stytch_resources were taken from the request: %v", set["stytch_resources"])
			}
		}
		if got := e.MustOK(f.pwa("GET", f.env+"/rbac_policy", nil)).Obj("policy"); len(got["custom_resources"].([]any)) != 1 {
			t.Errorf("GET after PUT = %v", got)
		}
		// The B2B API publishes the project's policy.
		pol := e.MustOK(e.Call("GET", "/v1/b2b/rbac/policy", nil)).Obj("policy")
		var roleIDs []string
		for _, r := range pol["roles"].([]any) {
			roleIDs = append(roleIDs, r.(map[string]any)["role_id"].(string))
		}
		if !slices.Equal(roleIDs, []string{"stytch_member", "stytch_admin", "editor"}) {
			t.Errorf("B2B policy roles = %v", roleIDs)
		}

		// A member with the custom role: allowed to read documents, not to delete them.
		ed := createMember(e, f.orgID, "ed@acme.example", "editor")
		plain := createMember(e, f.orgID, "pat@acme.example")
		check := func(s minted, action string) *apptest.Response {
			return e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
				"authorization_check": map[string]string{"organization_id": f.orgID, "resource_id": "documents", "action": action}})
		}
		eds, pats := mintSession(e, nil, f.orgID, ed), mintSession(e, nil, f.orgID, plain)
		v := e.MustOK(check(eds, "read")).Obj("verdict")
		if !slices.Equal(toStrings(v["granting_roles"]), []string{"editor"}) {
			t.Errorf("verdict = %v", v)
		}
		e.WantError(check(eds, "delete"), 403, "session_authorization_error")
		e.WantError(check(pats, "read"), 403, "session_authorization_error")
		// A management endpoint under the member session follows the policy:
		// editor may search members, a plain member may not.
		search := func(s minted) *apptest.Response {
			return e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/members/search",
				Body: map[string]any{"organization_ids": []string{f.orgID}}, Header: sessionHeaders(s.Token, "")})
		}
		e.MustOK(search(eds))
		e.WantError(search(pats), 403, "session_authorization_error")

		// Another project is unaffected.
		if got := e.MustOK(f.pwa("GET", otherEnv+"/rbac_policy", nil)).Obj("policy"); len(got["custom_roles"].([]any)) != 0 {
			t.Errorf("other project's policy = %v", got)
		}
		otherOrg := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: other,
			Body: map[string]any{"organization_name": "Other", "organization_slug": "other"}})).Obj("organization")["organization_id"].(string)
		e.WantError(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/" + otherOrg + "/members", Creds: other,
			Body: map[string]any{"email_address": "x@other.example", "roles": []string{"editor"}}}), 400, "invalid_rbac_role_id")

		// Refused policies change nothing.
		bad := func(mut func(p map[string]any)) map[string]any {
			p := editorPolicy()
			mut(p)
			return map[string]any{"policy": p}
		}
		for _, c := range []struct {
			name, errType string
			body          any
		}{
			{"no policy", "invalid_argument", map[string]any{}},
			{"unknown resource in a role", "invalid_permission_resource", bad(func(p map[string]any) {
				p["custom_roles"] = []any{map[string]any{"role_id": "x", "permissions": []any{map[string]any{"resource_id": "nope", "actions": []string{"read"}}}}}
			})},
			{"duplicate role", "rbac_role_duplicate", bad(func(p map[string]any) {
				r := p["custom_roles"].([]any)[0]
				p["custom_roles"] = []any{r, r}
			})},
			{"renamed stytch_admin", "invalid_rbac_stytch_role_edit", bad(func(p map[string]any) {
				p["stytch_admin"].(map[string]any)["role_id"] = "boss"
			})},
			{"redescribed stytch_member", "invalid_rbac_stytch_role_edit", bad(func(p map[string]any) {
				p["stytch_member"].(map[string]any)["description"] = "mine now"
			})},
			{"missing stytch_admin", "invalid_argument", bad(func(p map[string]any) { delete(p, "stytch_admin") })},
			{"custom role with a reserved prefix", "invalid_rbac_custom_role", bad(func(p map[string]any) {
				p["custom_roles"] = []any{map[string]any{"role_id": "stytch_owner", "permissions": []any{map[string]any{"resource_id": "documents", "actions": []string{"read"}}}}}
			})},
			{"custom resource with a reserved prefix", "invalid_stytch_prefixed_resource", bad(func(p map[string]any) {
				p["custom_resources"] = []any{map[string]any{"resource_id": "stytch.docs", "available_actions": []string{"read"}}}
			})},
			{"undeclared action", "invalid_permission_action", bad(func(p map[string]any) {
				p["custom_roles"] = []any{map[string]any{"role_id": "x", "permissions": []any{map[string]any{"resource_id": "documents", "actions": []string{"print"}}}}}
			})},
		} {
			e.WantError(f.pwa("PUT", f.env+"/rbac_policy", c.body), 400, c.errType)
		}
		e.MustOK(check(eds, "read"))
		if got := e.MustOK(f.pwa("GET", f.env+"/rbac_policy", nil)).Obj("policy"); len(got["custom_roles"].([]any)) != 1 {
			t.Errorf("policy after refused PUTs = %v", got)
		}

		// Removing the role takes effect at once; members may keep holding it
		// (as in Stytch) but it grants nothing.
		p := editorPolicy()
		p["custom_roles"] = []any{}
		e.MustOK(f.pwa("PUT", f.env+"/rbac_policy", map[string]any{"policy": p}))
		e.WantError(check(eds, "read"), 403, "session_authorization_error")
		e.WantError(search(eds), 403, "session_authorization_error")

		// Unknown environment, and no workspace key.
		e.WantError(f.pwa("GET", "/pwa/v3/projects/nope/environments/test/rbac_policy", nil), 404, "project_not_found")
		e.WantError(e.Call("GET", f.env+"/rbac_policy", nil), 401, "unauthorized_credentials")
	})
}
