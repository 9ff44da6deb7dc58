package rbac

import (
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func perm(resource string, actions ...string) Permission {
	return Permission{ResourceID: resource, Actions: actions}
}

func role(id string, perms ...Permission) Role {
	return Role{RoleID: id, Permissions: perms}
}

func projectPolicy(t *testing.T) Policy {
	t.Helper()
	p, err := LoadPolicy(strings.NewReader(`{
	  "resources":[{"resource_id":"documents","actions":["read","write","publish"]}],
	  "roles":[{"role_id":"writer","permissions":[{"resource_id":"documents","actions":["read","write"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateOrgRoles(t *testing.T) {
	p := projectPolicy(t)
	many := make([]Role, MaxOrgRoles+1)
	for i := range many {
		many[i] = role("r"+strings.Repeat("x", i%50)+string(rune('a'+i%26)), perm(ResourceSSO, "get"))
	}
	tests := []struct {
		name     string
		roles    []Role
		wantType string // "" = valid
		wantText string
	}{
		{"none", nil, "", ""},
		{"sso reader", []Role{role("sso_reader", perm(ResourceSSO, "get"))}, "", ""},
		{"custom resource wildcard", []Role{role("publisher", perm("documents", "*"))}, "", ""},
		{"several", []Role{role("a", perm(ResourceSSO, "get")), role("b", perm("documents", "publish"), perm(ResourceMember, "search"))}, "", ""},
		{"collides with default role", []Role{role(RoleAdmin, perm(ResourceSSO, "get"))}, "invalid_rbac_stytch_role_edit", `"stytch_admin"`},
		{"stytch prefix", []Role{role("stytch_owner", perm(ResourceSSO, "get"))}, "invalid_rbac_stytch_role_edit", `"stytch_owner"`},
		{"collides with custom project role", []Role{role("writer", perm(ResourceSSO, "get"))}, "invalid_rbac_custom_role", `"writer"`},
		{"duplicate", []Role{role("a", perm(ResourceSSO, "get")), role("a", perm(ResourceSSO, "update"))}, "rbac_role_duplicate", `"a"`},
		{"empty id", []Role{role("", perm(ResourceSSO, "get"))}, "empty_rbac_role_id", "role"},
		{"no permissions", []Role{role("idle")}, "rbac_role_missing_permissions", `"idle"`},
		{"unknown resource", []Role{role("a", perm("ghosts", "read"))}, "invalid_permission_resource", `"ghosts"`},
		{"undeclared action", []Role{role("a", perm(ResourceSSO, "purge"))}, "invalid_permission_action", `"purge"`},
		{"no actions", []Role{role("a", perm(ResourceSSO))}, "rbac_permission_missing_actions", `"a"`},
		{"wildcard mixed", []Role{role("a", perm(ResourceSSO, "get", "*"))}, "invalid_wildcard_action", `"a"`},
		{"duplicate action", []Role{role("a", perm(ResourceSSO, "get", "get"))}, "rbac_action_duplicate", `"get"`},
		{"description too long", []Role{{RoleID: "a", Description: strings.Repeat("d", MaxDescriptionLength+1), Permissions: []Permission{perm(ResourceSSO, "get")}}}, "rbac_description_too_long", `"a"`},
		{"too many", many, "too_many_roles", "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateOrgRoles(p, tc.roles)
			if tc.wantType == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ae := apierr.As(err)
			if err == nil || ae.Type != tc.wantType || ae.Status != 400 {
				t.Fatalf("got %v, want 400 %s", err, tc.wantType)
			}
			if !strings.Contains(ae.Message, tc.wantText) {
				t.Errorf("message %q does not mention %s", ae.Message, tc.wantText)
			}
		})
	}
}

func TestRoleExistsAndValidateRoleIDs(t *testing.T) {
	p := projectPolicy(t)
	org := []Role{role("sso_reader", perm(ResourceSSO, "get"))}
	tests := []struct {
		id   string
		want bool
	}{
		{RoleMember, true},
		{RoleAdmin, true},
		{"writer", true},
		{"sso_reader", true},
		{"ghost", false},
		{"", false},
		{"Stytch_admin", false},
	}
	for _, tc := range tests {
		if got := p.RoleExists(tc.id, org); got != tc.want {
			t.Errorf("RoleExists(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
	if p.RoleExists("sso_reader", nil) {
		t.Error("an organization role exists without the organization")
	}
	if err := p.ValidateRoleIDs(org, RoleAdmin, "sso_reader", "writer"); err != nil {
		t.Errorf("valid assignments refused: %v", err)
	}
	if err := p.ValidateRoleIDs(org); err != nil {
		t.Errorf("no assignments refused: %v", err)
	}
	err := p.ValidateRoleIDs(org, RoleAdmin, "ghost", "other")
	ae := apierr.As(err)
	if err == nil || ae.Type != "invalid_rbac_role_id" || ae.Status != 400 || !strings.Contains(ae.Message, `"ghost"`) {
		t.Fatalf("got %v, want invalid_rbac_role_id naming ghost", err)
	}
}
