package members

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

func flatten(roles []MemberRole) []string {
	var out []string
	for _, r := range roles {
		for _, s := range r.Sources {
			e := r.RoleID + ":" + s.Type
			for _, k := range []string{"email_domain", "connection_id", "group"} {
				if v, ok := s.Details[k]; ok {
					e += ":" + v
				}
			}
			out = append(out, e)
		}
	}
	return out
}

func TestComputeRoles(t *testing.T) {
	p := rbac.DefaultPolicy()
	org := &store.Organization{
		CustomRoles: json.RawMessage(`[{"role_id":"editor","permissions":[{"resource_id":"stytch.sso","actions":["update"]}]},
			{"role_id":"viewer","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]`),
		Settings: json.RawMessage(`{"rbac_email_implicit_role_assignments":[{"domain":"acme.example","role_id":"viewer"},
			{"domain":"other.example","role_id":"stytch_admin"}]}`),
	}
	member := func(email string, roles ...string) *store.Member { return &store.Member{Email: email, Roles: roles} }
	cases := []struct {
		name string
		m    *store.Member
		regs []RegistrationRoles
		want []string
	}{
		{"every member holds stytch_member", member("a@x.example"), nil, []string{"stytch_member:direct_assignment"}},
		{"direct roles in order", member("a@x.example", "editor", "stytch_admin"), nil,
			[]string{"stytch_member:direct_assignment", "editor:direct_assignment", "stytch_admin:direct_assignment"}},
		{"deleted roles are dropped", member("a@x.example", "gone", "editor"), nil,
			[]string{"stytch_member:direct_assignment", "editor:direct_assignment"}},
		{"email domain, exact match only", member("a@acme.example"), nil,
			[]string{"stytch_member:direct_assignment", "viewer:email_assignment:acme.example"}},
		{"subdomains do not match", member("a@eu.acme.example"), nil, []string{"stytch_member:direct_assignment"}},
		{"one role, several sources", member("a@acme.example", "viewer"), []RegistrationRoles{{ConnectionID: "c1", ConnectionRoles: []string{"viewer"}}},
			[]string{"stytch_member:direct_assignment", "viewer:direct_assignment", "viewer:email_assignment:acme.example", "viewer:sso_connection:c1"}},
		{"groups", member("a@x.example"), []RegistrationRoles{{ConnectionID: "c1", Groups: []string{"eng", "ops"},
			GroupRoles: []sso.GroupRoleAssignment{{RoleID: "editor", Group: "eng"}, {RoleID: "stytch_admin", Group: "admins"}, {RoleID: "editor", Group: "ops"}}}},
			[]string{"stytch_member:direct_assignment", "editor:sso_connection_group:c1:eng", "editor:sso_connection_group:c1:ops"}},
		{"two connections", member("a@x.example"), []RegistrationRoles{
			{ConnectionID: "c1", ConnectionRoles: []string{"editor"}}, {ConnectionID: "c2", ConnectionRoles: []string{"editor", "editor"}}},
			[]string{"stytch_member:direct_assignment", "editor:sso_connection:c1", "editor:sso_connection:c2"}},
	}
	for _, c := range cases {
		got := flatten(ComputeRoles(p, org, c.m, c.regs))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

func TestSessionRoles(t *testing.T) {
	roles := []MemberRole{
		{RoleID: "stytch_member", Sources: []RoleSource{{Type: SourceDirect}}},
		{RoleID: "a", Sources: []RoleSource{{Type: SourceSSOConnection, Details: map[string]string{"connection_id": "c1"}}}},
		{RoleID: "b", Sources: []RoleSource{{Type: SourceSSOGroup, Details: map[string]string{"connection_id": "c2", "group": "g"}}}},
		{RoleID: "c", Sources: []RoleSource{
			{Type: SourceSSOConnection, Details: map[string]string{"connection_id": "c2"}},
			{Type: SourceEmail, Details: map[string]string{"email_domain": "x"}}}},
	}
	cases := []struct {
		factors []string
		want    []string
	}{
		{nil, []string{"stytch_member", "c"}},
		{[]string{"c1"}, []string{"stytch_member", "a", "c"}},
		{[]string{"c2"}, []string{"stytch_member", "b", "c"}},
		{[]string{"c1", "c2"}, []string{"stytch_member", "a", "b", "c"}},
		{[]string{"c3"}, []string{"stytch_member", "c"}},
	}
	for _, c := range cases {
		if got := SessionRoles(roles, c.factors); !slices.Equal(got, c.want) {
			t.Errorf("factors %v: got %v, want %v", c.factors, got, c.want)
		}
	}
	if got := SessionRoles(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("no roles = %#v, want an empty list", got)
	}
}

func TestPermissions(t *testing.T) {
	var p UpdateParams
	if len(p.Needs()) != 0 {
		t.Error("an empty update needs permissions")
	}
	for _, body := range []string{`{"name":"x","roles":[],"external_id":"e","trusted_metadata":{}}`} {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
	}
	got := fmt.Sprint(p.Needs())
	want := "[{stytch.member update.info.name true} {stytch.member update.settings.roles false} {stytch.member * false}]"
	if got != want {
		t.Errorf("permissions = %s, want %s", got, want)
	}
}
