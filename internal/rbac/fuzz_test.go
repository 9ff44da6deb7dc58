package rbac

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

// assertReloadable checks that a loaded policy, written out as JSON (as
// GET /v1/b2b/rbac/policy would) and loaded again, is unchanged: exports are
// valid inputs.
func assertReloadable(t *testing.T, p Policy) {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	again, err := LoadPolicy(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reloading the exported policy failed: %v\n%s", err, b)
	}
	b2, _ := json.Marshal(again)
	if !bytes.Equal(b, b2) {
		t.Fatalf("reload changed the policy:\n%s\n%s", b, b2)
	}
}

func FuzzLoadPolicy(f *testing.F) {
	seeds := []string{
		`{}`,
		`null`,
		`{"roles":[{"role_id":"stytch_member","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`,
		`{"resources":[{"resource_id":"docs","actions":["read","write"]}],"roles":[{"role_id":"editor","permissions":[{"resource_id":"docs","actions":["*"]}]}]}`,
		`{"resources":[{"resource_id":"stytch.sso","actions":["get"]}]}`,
		`{"scopes":[{"scope":"s","permissions":[{"resource_id":"stytch.member","actions":["search"]}]}]}`,
		`{"roles":[{"role_id":"stytch_admin","permissions":[]}]}`,
		`{"roles":[{"role_id":"a","permissions":[{"resource_id":"stytch.sso","actions":["*","get"]}]}]}`,
		`{"roles":[{"role_id":"\u0000","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`,
		`{"roles":[{"role_id":"a\xff","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`,
		`{"roles":` + strings.Repeat("[", 200),
		`[]`, `"x"`, `1e999`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if b, err := json.Marshal(DefaultPolicy()); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadPolicy(bytes.NewReader(data))
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != 400 || ae.Type == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, id := range []string{RoleMember, RoleAdmin} {
			if _, ok := p.Role(id); !ok {
				t.Fatalf("loaded policy lacks %s", id)
			}
		}
		idx := indexResources(p.Resources)
		for _, r := range p.Roles {
			if err := checkPermissions("role", r.Permissions, idx); err != nil {
				t.Fatalf("loaded policy has an invalid role %q: %v", r.RoleID, err)
			}
		}
		assertReloadable(t, p)
	})
}

func FuzzValidateOrgRoles(f *testing.F) {
	f.Add([]byte(`[{"role_id":"sso_reader","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]`))
	f.Add([]byte(`[{"role_id":"stytch_member","permissions":[]}]`))
	f.Add([]byte(`[{"role_id":"x","permissions":[{"resource_id":"stytch.sso","actions":["*"]}]},{"role_id":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var roles []Role
		if json.Unmarshal(data, &roles) != nil {
			return
		}
		p := DefaultPolicy()
		err := ValidateOrgRoles(p, roles)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// A valid set of organization roles can never widen a project
		// role: any grant to a subject holding only project roles is the
		// same with and without the organization roles.
		for _, res := range p.Resources {
			for _, a := range slices.Concat(res.Actions, []string{"unknown"}) {
				for _, role := range p.Roles {
					g1, ok1 := Authorize(p, nil, []string{role.RoleID}, res.ResourceID, a)
					g2, ok2 := Authorize(p, roles, []string{role.RoleID}, res.ResourceID, a)
					if ok1 != ok2 || len(g1) != len(g2) {
						t.Fatalf("org roles changed the grant of project role %s on %s/%s", role.RoleID, res.ResourceID, a)
					}
				}
			}
		}
	})
}
