package rbac

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestAuthorize(t *testing.T) {
	p := projectPolicy(t) // defaults + documents resource + writer role
	org := []Role{
		role("sso_reader", perm(ResourceSSO, "get")),
		role("doc_publisher", perm("documents", "publish"), perm(ResourceSSO, "update")),
	}
	// Invalid on purpose: ValidateOrgRoles refuses it, Authorize must still
	// not let it widen the project's stytch_member.
	hostile := append(slices.Clone(org), role(RoleMember, perm(ResourceSSO, "*")))

	tests := []struct {
		name     string
		orgRoles []Role
		subject  []string
		resource string
		action   string
		want     []string // nil = denied
	}{
		{"admin wildcard get", nil, []string{RoleAdmin}, ResourceSSO, "get", []string{RoleAdmin}},
		{"admin wildcard delete", nil, []string{RoleMember, RoleAdmin}, ResourceSSO, "delete", []string{RoleAdmin}},
		{"admin wildcard any string", nil, []string{RoleAdmin}, ResourceSSO, "not-declared", []string{RoleAdmin}},
		{"member cannot touch sso", nil, []string{RoleMember}, ResourceSSO, "get", nil},
		{"member self wildcard", nil, []string{RoleMember}, ResourceSelf, "update.info.name", []string{RoleMember}},
		{"admin has no self", nil, []string{RoleAdmin}, ResourceSelf, "delete", nil},
		{"admin lacks custom-org-roles", nil, []string{RoleAdmin}, ResourceCustomOrgRoles, "get", nil},
		{"specific action allowed", nil, []string{"writer"}, "documents", "write", []string{"writer"}},
		{"specific action denied", nil, []string{"writer"}, "documents", "publish", nil},
		{"resource must match", nil, []string{"writer"}, ResourceSSO, "read", nil},
		{"org role grants", org, []string{RoleMember, "sso_reader"}, ResourceSSO, "get", []string{"sso_reader"}},
		{"org role other action", org, []string{"sso_reader"}, ResourceSSO, "update", nil},
		{"org role second permission", org, []string{"doc_publisher"}, ResourceSSO, "update", []string{"doc_publisher"}},
		{"org role unknown without org", nil, []string{"sso_reader"}, ResourceSSO, "get", nil},
		{"several granting roles in policy order", org, []string{"sso_reader", RoleAdmin, RoleMember}, ResourceSSO, "get", []string{RoleAdmin, "sso_reader"}},
		{"unknown roles ignored", org, []string{"ghost", "", "sso_reader"}, ResourceSSO, "get", []string{"sso_reader"}},
		{"only unknown roles", org, []string{"ghost"}, ResourceSSO, "get", nil},
		{"duplicate subject roles", nil, []string{RoleAdmin, RoleAdmin}, ResourceSSO, "get", []string{RoleAdmin}},
		{"no roles", nil, nil, ResourceSSO, "get", nil},
		{"empty action", nil, []string{RoleAdmin}, ResourceSSO, "", nil},
		{"empty resource", nil, []string{RoleAdmin}, "", "get", nil},
		{"case sensitive role", nil, []string{"STYTCH_ADMIN"}, ResourceSSO, "get", nil},
		{"case sensitive resource", nil, []string{RoleAdmin}, "Stytch.sso", "get", nil},
		{"wildcard is not a prefix match", nil, []string{"writer"}, "documents", "*", nil},
		{"org role cannot widen project role", hostile, []string{RoleMember}, ResourceSSO, "delete", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Authorize(p, tc.orgRoles, tc.subject, tc.resource, tc.action)
			if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
				t.Errorf("Authorize = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}

func TestAuthorizeRedefinedDefaultRole(t *testing.T) {
	p, err := LoadPolicy(strings.NewReader(`{"roles":[{"role_id":"stytch_member","permissions":[{"resource_id":"stytch.sso","actions":["get"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Authorize(p, nil, []string{RoleMember}, ResourceSSO, "get"); !ok {
		t.Error("redefined stytch_member does not grant stytch.sso get")
	}
	if _, ok := Authorize(p, nil, []string{RoleMember}, ResourceSelf, "delete"); ok {
		t.Error("redefined stytch_member still has its old stytch.self permission")
	}
}

func TestCheck(t *testing.T) {
	p := DefaultPolicy()
	org := []Role{role("sso_reader", perm(ResourceSSO, "get"))}
	const orgA = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
	const orgB = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
	tests := []struct {
		name       string
		subjectOrg string
		roles      []string
		req        AuthorizationCheck
		wantType   string
		wantMsg    string
		wantRoles  []string
	}{
		{"allowed", orgA, []string{RoleMember, "sso_reader"}, AuthorizationCheck{orgA, ResourceSSO, "get"}, "", "", []string{"sso_reader"}},
		{"admin allowed", orgA, []string{RoleMember, RoleAdmin}, AuthorizationCheck{orgA, ResourceSSO, "update"}, "", "", []string{RoleAdmin}},
		{"other organization", orgA, []string{RoleAdmin}, AuthorizationCheck{orgB, ResourceSSO, "get"}, "session_authorization_tenancy_error",
			"Subject organization_id " + orgA + " does not match authZ request organization_id " + orgB, nil},
		{"tenancy checked before permissions", orgA, nil, AuthorizationCheck{orgB, ResourceSSO, "get"}, "session_authorization_tenancy_error", "", nil},
		{"empty subject organization", "", []string{RoleAdmin}, AuthorizationCheck{"", ResourceSSO, "get"}, "session_authorization_tenancy_error", "", nil},
		{"not permitted", orgA, []string{RoleMember}, AuthorizationCheck{orgA, ResourceSSO, "delete"}, "session_authorization_error",
			"The Member is not authorized to perform the requested action on that resource.", nil},
		{"org role lacks action", orgA, []string{"sso_reader"}, AuthorizationCheck{orgA, ResourceSSO, "delete"}, "session_authorization_error", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Check(p, org, tc.subjectOrg, tc.roles, tc.req)
			if tc.wantType == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if !v.Authorized || !slices.Equal(v.GrantingRoles, tc.wantRoles) {
					t.Errorf("verdict %+v, want granting %v", v, tc.wantRoles)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed; want %s", tc.wantType)
			}
			ae := apierr.As(err)
			if ae.Status != 403 || ae.Type != tc.wantType {
				t.Errorf("got %d %s, want 403 %s", ae.Status, ae.Type, tc.wantType)
			}
			if tc.wantMsg != "" && ae.Message != tc.wantMsg {
				t.Errorf("message %q, want %q", ae.Message, tc.wantMsg)
			}
			if v.Authorized {
				t.Error("verdict authorized alongside an error")
			}
		})
	}
}

func TestTenancyErrorClipsLongIDs(t *testing.T) {
	long := string(make([]byte, 5000))
	if n := len(TenancyError("org", long).Message); n > 600 {
		t.Errorf("message is %d bytes", n)
	}
}

func TestVerdictJSON(t *testing.T) {
	tests := []struct {
		v    Verdict
		want string
	}{
		{Verdict{}, `{"authorized":false,"granting_roles":[]}`},
		{Verdict{Authorized: true, GrantingRoles: []string{RoleAdmin}}, `{"authorized":true,"granting_roles":["stytch_admin"]}`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.v, b, err, tc.want)
		}
	}
	b, _ := json.Marshal(AuthorizationCheck{"o", "r", "a"})
	if string(b) != `{"organization_id":"o","resource_id":"r","action":"a"}` {
		t.Errorf("AuthorizationCheck JSON = %s", b)
	}
}

func BenchmarkCheck(b *testing.B) {
	p := DefaultPolicy()
	org := []Role{role("sso_reader", perm(ResourceSSO, "get")), role("doc", perm(ResourceMember, "search"))}
	req := AuthorizationCheck{OrganizationID: "org", ResourceID: ResourceSSO, Action: "get"}
	for b.Loop() {
		if _, err := Check(p, org, "org", []string{RoleMember, "sso_reader"}, req); err != nil {
			b.Fatal(err)
		}
	}
}
