package rbac

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestDefaultPolicyRoles(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		role      string
		resources []string
	}{
		{RoleMember, []string{ResourceSelf}},
		{RoleAdmin, []string{ResourceOrganization, ResourceMember, ResourceSSO, ResourceSCIM}},
	}
	for _, tc := range tests {
		r, ok := p.Role(tc.role)
		if !ok {
			t.Fatalf("default policy lacks role %s", tc.role)
		}
		var got []string
		for _, perm := range r.Permissions {
			got = append(got, perm.ResourceID)
			if !slices.Equal(perm.Actions, []string{Wildcard}) {
				t.Errorf("%s on %s: actions %v, want [*]", tc.role, perm.ResourceID, perm.Actions)
			}
		}
		if !slices.Equal(got, tc.resources) {
			t.Errorf("%s grants on %v, want %v", tc.role, got, tc.resources)
		}
	}
	if len(p.Roles) != 2 {
		t.Errorf("default policy has %d roles, want 2", len(p.Roles))
	}
}

func TestDefaultPolicyResources(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		resource string
		must     []string
	}{
		{ResourceSSO, []string{"create", "get", "update", "delete"}},
		{ResourceSCIM, []string{"create", "get", "update", "delete"}},
		{ResourceOrganization, []string{"update.info.name", "update.settings.default-sso-connection", "update.settings.sso-jit-provisioning", "update.settings.implicit-roles", "delete"}},
		{ResourceMember, []string{"create", "update.settings.roles", "search", "delete"}},
		{ResourceSelf, []string{"update.info.name", "delete", "revoke-sessions"}},
		{ResourceCustomOrgRoles, []string{"get"}},
	}
	for _, tc := range tests {
		r, ok := p.Resource(tc.resource)
		if !ok {
			t.Fatalf("default policy lacks resource %s", tc.resource)
		}
		for _, a := range tc.must {
			if !slices.Contains(r.Actions, a) {
				t.Errorf("%s lacks action %s", tc.resource, a)
			}
		}
		if err := checkDeclaredActions(r); err != nil {
			t.Errorf("%s: %v", tc.resource, err)
		}
	}
	if got := len(DefaultPolicy().Resources); got != len(tests) {
		t.Errorf("default policy has %d resources, want %d", got, len(tests))
	}
	sso, _ := p.Resource(ResourceSSO)
	if !slices.Equal(sso.Actions, []string{"create", "get", "update", "delete"}) {
		t.Errorf("stytch.sso actions = %v", sso.Actions)
	}
}

func TestDefaultPolicyIsSelfConsistent(t *testing.T) {
	p := DefaultPolicy()
	idx := indexResources(p.Resources)
	for _, r := range p.Roles {
		if err := checkPermissions("role "+r.RoleID, r.Permissions, idx); err != nil {
			t.Errorf("default role %s: %v", r.RoleID, err)
		}
	}
}

func TestDefaultPolicyIsFresh(t *testing.T) {
	a := DefaultPolicy()
	a.Roles[0].Permissions[0].Actions[0] = "changed"
	a.Resources[0].Actions = nil
	b := DefaultPolicy()
	if b.Roles[0].Permissions[0].Actions[0] != Wildcard || len(b.Resources[0].Actions) == 0 {
		t.Fatal("DefaultPolicy shares state between calls")
	}
}

func TestPolicyJSONShape(t *testing.T) {
	b, err := json.Marshal(Policy{Roles: []Role{{RoleID: "r", Permissions: []Permission{{ResourceID: "x"}}}}, Resources: []Resource{{ResourceID: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"roles":[{"role_id":"r","description":"","permissions":[{"resource_id":"x","actions":[]}]}],"resources":[{"resource_id":"x","description":"","actions":[]}],"scopes":[]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	b, err = json.Marshal(Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"roles":[],"resources":[],"scopes":[]}` {
		t.Errorf("empty policy = %s", b)
	}
	b, err = json.Marshal(Scope{Scope: "read"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"scope":"read","description":"","permissions":[]}` {
		t.Errorf("scope = %s", b)
	}
}

func TestPolicyJSONRoundTrip(t *testing.T) {
	p := DefaultPolicy()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Policy
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the policy:\n%s\n%s", b, b2)
	}
}

func TestClone(t *testing.T) {
	p := DefaultPolicy()
	p.Scopes = []Scope{{Scope: "s", Permissions: []Permission{{ResourceID: ResourceSSO, Actions: []string{"get"}}}}}
	c := p.Clone()
	c.Roles[1].Permissions[0].Actions[0] = "x"
	c.Resources[2].Actions[0] = "x"
	c.Scopes[0].Permissions[0].Actions[0] = "x"
	if p.Roles[1].Permissions[0].Actions[0] != Wildcard || p.Resources[2].Actions[0] != "create" || p.Scopes[0].Permissions[0].Actions[0] != "get" {
		t.Fatal("Clone shares slices with the original")
	}
}
