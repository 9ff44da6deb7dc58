package rbac

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/seamsso/seam/internal/apierr"
)

func TestLoadPolicyAccepts(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, p Policy)
	}{
		{
			name: "empty object gives defaults",
			file: `{}`,
			check: func(t *testing.T, p Policy) {
				if len(p.Roles) != 2 || len(p.Resources) != len(DefaultPolicy().Resources) || len(p.Scopes) != 0 {
					t.Errorf("got %d roles %d resources %d scopes", len(p.Roles), len(p.Resources), len(p.Scopes))
				}
			},
		},
		{
			name: "custom resource and role",
			file: `{"resources":[{"resource_id":"documents","description":"Docs","actions":["read","write"]}],
			        "roles":[{"role_id":"editor","description":"Edits","permissions":[{"resource_id":"documents","actions":["read","write"]},{"resource_id":"stytch.sso","actions":["get"]}]}]}`,
			check: func(t *testing.T, p Policy) {
				r, ok := p.Resource("documents")
				if !ok || !slices.Equal(r.Actions, []string{"read", "write"}) || r.Description != "Docs" {
					t.Errorf("documents resource = %+v", r)
				}
				role, ok := p.Role("editor")
				if !ok || len(role.Permissions) != 2 || role.Description != "Edits" {
					t.Errorf("editor role = %+v", role)
				}
				if _, ok := p.Role(RoleMember); !ok {
					t.Error("stytch_member was dropped")
				}
				if _, ok := p.Role(RoleAdmin); !ok {
					t.Error("stytch_admin was dropped")
				}
			},
		},
		{
			name: "default role permissions redefined",
			file: `{"roles":[{"role_id":"stytch_member","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`,
			check: func(t *testing.T, p Policy) {
				r, _ := p.Role(RoleMember)
				if len(r.Permissions) != 1 || r.Permissions[0].ResourceID != ResourceSSO || !slices.Equal(r.Permissions[0].Actions, []string{"get"}) {
					t.Errorf("stytch_member = %+v", r)
				}
				if r.Description != DefaultPolicy().Roles[0].Description {
					t.Error("empty description in the file replaced the default description")
				}
			},
		},
		{
			name: "default role emptied explicitly",
			file: `{"roles":[{"role_id":"stytch_admin","description":"Admins","permissions":[]}]}`,
			check: func(t *testing.T, p Policy) {
				r, _ := p.Role(RoleAdmin)
				if len(r.Permissions) != 0 || r.Description != "Admins" {
					t.Errorf("stytch_admin = %+v", r)
				}
			},
		},
		{
			name: "default role without permissions key keeps defaults",
			file: `{"roles":[{"role_id":"stytch_admin","description":"Admins"}]}`,
			check: func(t *testing.T, p Policy) {
				r, _ := p.Role(RoleAdmin)
				if len(r.Permissions) != 4 || r.Description != "Admins" {
					t.Errorf("stytch_admin = %+v", r)
				}
			},
		},
		{
			name: "reserved resource restated with known actions is accepted",
			file: `{"resources":[{"resource_id":"stytch.sso","description":"x","actions":["create","get","update","delete"]}]}`,
			check: func(t *testing.T, p Policy) {
				n := 0
				for _, r := range p.Resources {
					if r.ResourceID == ResourceSSO {
						n++
					}
				}
				if n != 1 {
					t.Errorf("stytch.sso appears %d times", n)
				}
			},
		},
		{
			name: "scopes",
			file: `{"scopes":[{"scope":"read:docs","description":"Read","permissions":[{"resource_id":"stytch.member","actions":["search"]}]}]}`,
			check: func(t *testing.T, p Policy) {
				if len(p.Scopes) != 1 || p.Scopes[0].Scope != "read:docs" {
					t.Errorf("scopes = %+v", p.Scopes)
				}
			},
		},
		{
			name: "wildcard on custom resource",
			file: `{"resources":[{"resource_id":"docs","actions":["read"]}],"roles":[{"role_id":"owner","permissions":[{"resource_id":"docs","actions":["*"]}]}]}`,
			check: func(t *testing.T, p Policy) {
				if _, ok := p.Role("owner"); !ok {
					t.Error("owner missing")
				}
			},
		},
		{
			name:  "null document gives defaults",
			file:  `null`,
			check: func(t *testing.T, p Policy) { _ = p },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LoadPolicy(strings.NewReader(tc.file))
			if err != nil {
				t.Fatalf("LoadPolicy: %v", err)
			}
			tc.check(t, p)
		})
	}
}

func TestLoadPolicyRejects(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantType string
		wantText string // the offender the message must name
	}{
		{"not json", `{"roles":`, "invalid_argument", "unexpected end"},
		{"syntax", `{"roles":[}`, "invalid_argument", "syntax error"},
		{"trailing data", `{} {}`, "invalid_argument", "after its JSON object"},
		{"unknown field", `{"role":[]}`, "invalid_argument", `"role"`},
		{"unknown nested field", `{"roles":[{"role_id":"a","perms":[]}]}`, "invalid_argument", `"perms"`},
		{"wrong type", `{"roles":{}}`, "invalid_argument", "wrong type"},
		{"empty role id", `{"roles":[{"role_id":"","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "empty_rbac_role_id", "role"},
		{"blank role id", `{"roles":[{"role_id":"  ","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "empty_rbac_role_id", "role"},
		{"duplicate role", `{"roles":[{"role_id":"a","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]},{"role_id":"a","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "rbac_role_duplicate", `"a"`},
		{"duplicate default role", `{"roles":[{"role_id":"stytch_member"},{"role_id":"stytch_member"}]}`, "rbac_role_duplicate", `"stytch_member"`},
		{"reserved role prefix", `{"roles":[{"role_id":"stytch_owner","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "invalid_rbac_custom_role", `"stytch_owner"`},
		{"custom role without permissions", `{"roles":[{"role_id":"idle"}]}`, "rbac_role_missing_permissions", `"idle"`},
		{"custom role with empty permissions", `{"roles":[{"role_id":"idle","permissions":[]}]}`, "rbac_role_missing_permissions", `"idle"`},
		{"role id too long", `{"roles":[{"role_id":"` + strings.Repeat("r", MaxIDLength+1) + `","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "rbac_role_id_too_long", "longer than"},
		{"empty resource id", `{"resources":[{"resource_id":"","actions":["a"]}]}`, "empty_rbac_resource_id", "resource"},
		{"duplicate resource", `{"resources":[{"resource_id":"docs","actions":["a"]},{"resource_id":"docs","actions":["b"]}]}`, "rbac_resource_duplicate", `"docs"`},
		{"custom stytch resource", `{"resources":[{"resource_id":"stytch.docs","actions":["read"]}]}`, "invalid_stytch_prefixed_resource", `"stytch.docs"`},
		{"extending reserved resource", `{"resources":[{"resource_id":"stytch.sso","actions":["get","purge"]}]}`, "invalid_stytch_prefixed_resource", `"purge"`},
		{"resource without actions", `{"resources":[{"resource_id":"docs","actions":[]}]}`, "rbac_resource_missing_actions", `"docs"`},
		{"resource declares wildcard", `{"resources":[{"resource_id":"docs","actions":["*"]}]}`, "invalid_wildcard_action", `"docs"`},
		{"resource duplicate action", `{"resources":[{"resource_id":"docs","actions":["read","read"]}]}`, "rbac_action_duplicate", `"read"`},
		{"resource empty action", `{"resources":[{"resource_id":"docs","actions":[""]}]}`, "invalid_permission_action", `"docs"`},
		{"resource description too long", `{"resources":[{"resource_id":"docs","description":"` + strings.Repeat("d", MaxDescriptionLength+1) + `","actions":["read"]}]}`, "rbac_description_too_long", `"docs"`},
		{"permission on unknown resource", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"ghost","actions":["read"]}]}]}`, "invalid_permission_resource", `"ghost"`},
		{"permission undeclared action", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"stytch.sso","actions":["purge"]}]}]}`, "invalid_permission_action", `"purge"`},
		{"permission without actions", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"stytch.sso","actions":[]}]}]}`, "rbac_permission_missing_actions", `"r"`},
		{"permission without resource", `{"roles":[{"role_id":"r","permissions":[{"actions":["get"]}]}]}`, "empty_rbac_resource_id", `"r"`},
		{"wildcard with others", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"stytch.sso","actions":["*","get"]}]}]}`, "invalid_wildcard_action", `"r"`},
		{"permission duplicate action", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"stytch.sso","actions":["get","get"]}]}]}`, "rbac_action_duplicate", `"get"`},
		{"default role bad permission", `{"roles":[{"role_id":"stytch_member","permissions":[{"resource_id":"stytch.self","actions":["fly"]}]}]}`, "invalid_permission_action", `"fly"`},
		{"role uses resource of its own file only if declared", `{"roles":[{"role_id":"r","permissions":[{"resource_id":"docs","actions":["read"]}]}],"resources":[{"resource_id":"docs","actions":["write"]}]}`, "invalid_permission_action", `"read"`},
		{"empty scope", `{"scopes":[{"scope":"","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "empty_rbac_scope", "scope"},
		{"duplicate scope", `{"scopes":[{"scope":"s","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]},{"scope":"s","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`, "rbac_scope_duplicate", `"s"`},
		{"scope without permissions", `{"scopes":[{"scope":"s"}]}`, "rbac_scope_missing_permissions", `"s"`},
		{"scope bad permission", `{"scopes":[{"scope":"s","permissions":[{"resource_id":"ghost","actions":["get"]}]}]}`, "invalid_permission_resource", `"ghost"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPolicy(strings.NewReader(tc.file))
			if err == nil {
				t.Fatal("LoadPolicy accepted the file")
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v is not *apierr.Error", err, err)
			}
			if ae.Type != tc.wantType || ae.Status != 400 {
				t.Errorf("got %d %s (%s), want 400 %s", ae.Status, ae.Type, ae.Message, tc.wantType)
			}
			if !strings.Contains(ae.Message, tc.wantText) {
				t.Errorf("message %q does not name %s", ae.Message, tc.wantText)
			}
		})
	}
}

func TestLoadPolicyTooLarge(t *testing.T) {
	big := `{"roles":[],"x":"` + strings.Repeat("a", MaxPolicyBytes) + `"}`
	_, err := LoadPolicy(strings.NewReader(big))
	if apierr.TypeOf(err) != "invalid_argument" || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadPolicyReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := LoadPolicy(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapped read error", err)
	}
}

func TestLoadPolicyReloadsItsOwnOutput(t *testing.T) {
	p, err := LoadPolicy(strings.NewReader(`{"resources":[{"resource_id":"docs","actions":["read"]}],"roles":[{"role_id":"reader","permissions":[{"resource_id":"docs","actions":["read"]}]}],"scopes":[{"scope":"docs:read","permissions":[{"resource_id":"docs","actions":["read"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	assertReloadable(t, p)
}
