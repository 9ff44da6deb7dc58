package rbac

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/digestcache"
)

func TestFromDocument(t *testing.T) {
	docs := Resource{ResourceID: "docs", Actions: []string{"read", "write"}}
	base := func() Document {
		d := DocumentOf(DefaultPolicy())
		d.CustomResources = []DocumentResource{{ResourceID: docs.ResourceID, AvailableActions: docs.Actions}}
		d.CustomRoles = []Role{{RoleID: "reader", Permissions: []Permission{{ResourceID: "docs", Actions: []string{"read"}}}}}
		return d
	}
	for _, c := range []struct {
		name    string
		mut     func(*Document)
		errType string
	}{
		{"valid", func(*Document) {}, ""},
		{"stytch_resources are ignored", func(d *Document) { d.StytchResources = nil }, ""},
		{"empty role_id and description keep the default role's", func(d *Document) { d.StytchAdmin.RoleID, d.StytchAdmin.Description = "", "" }, ""},
		{"stytch_user without permissions", func(d *Document) { d.StytchUser = &Role{RoleID: "stytch_user"} }, ""},
		{"stytch_user with permissions", func(d *Document) {
			d.StytchUser = &Role{Permissions: []Permission{{ResourceID: "docs", Actions: []string{"read"}}}}
		}, "feature_not_supported_by_seam"},
		{"missing stytch_member", func(d *Document) { d.StytchMember = nil }, "invalid_argument"},
		{"renamed stytch_member", func(d *Document) { d.StytchMember.RoleID = "member" }, "invalid_rbac_stytch_role_edit"},
		{"redescribed stytch_admin", func(d *Document) { d.StytchAdmin.Description = "new" }, "invalid_rbac_stytch_role_edit"},
		{"reserved custom role", func(d *Document) { d.CustomRoles[0].RoleID = "stytch_reader" }, "invalid_rbac_custom_role"},
		{"default role among custom roles", func(d *Document) { d.CustomRoles[0].RoleID = RoleAdmin }, "invalid_rbac_custom_role"},
		{"reserved custom resource", func(d *Document) { d.CustomResources[0].ResourceID = "stytch.docs" }, "invalid_stytch_prefixed_resource"},
		{"unknown resource", func(d *Document) { d.CustomRoles[0].Permissions[0].ResourceID = "images" }, "invalid_permission_resource"},
		{"undeclared action", func(d *Document) { d.CustomRoles[0].Permissions[0].Actions = []string{"delete"} }, "invalid_permission_action"},
		{"duplicate role", func(d *Document) { d.CustomRoles = append(d.CustomRoles, d.CustomRoles[0]) }, "rbac_role_duplicate"},
		{"duplicate resource", func(d *Document) { d.CustomResources = append(d.CustomResources, d.CustomResources[0]) }, "rbac_resource_duplicate"},
		{"custom role without permissions", func(d *Document) { d.CustomRoles[0].Permissions = nil }, "rbac_role_missing_permissions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := base()
			c.mut(&d)
			p, stored, err := FromDocument(DefaultPolicy(), d)
			if c.errType != "" {
				var ae *apierr.Error
				if !errors.As(err, &ae) || ae.Type != c.errType {
					t.Fatalf("err = %v, want %s", err, c.errType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The stored document reads back as the same policy.
			back, err := Policies{}.Of(stored)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := back.Role("reader"); !ok || !slices.EqualFunc(back.Roles, p.Roles, func(a, b Role) bool { return a.RoleID == b.RoleID }) {
				t.Errorf("read back roles = %v, want %v", back.Roles, p.Roles)
			}
			if _, ok := back.Resource("docs"); !ok {
				t.Errorf("read back resources = %v", back.Resources)
			}
			if len(DocumentOf(back).StytchResources) != len(reservedResources()) {
				t.Errorf("reserved resources = %v", DocumentOf(back).StytchResources)
			}
		})
	}
}

func TestPoliciesOf(t *testing.T) {
	def := DefaultPolicy()
	def.Roles = append(def.Roles, Role{RoleID: "deployment-role", Permissions: []Permission{{ResourceID: ResourceSelf, Actions: []string{Wildcard}}}})
	// A project's own policy replaces the deployment's entirely.
	_, stored, err := FromDocument(def, DocumentOf(DefaultPolicy()))
	if err != nil {
		t.Fatal(err)
	}
	withRole := DocumentOf(DefaultPolicy())
	withRole.CustomRoles = append(withRole.CustomRoles, Role{RoleID: "project-role", Permissions: []Permission{{ResourceID: ResourceMember, Actions: []string{"search"}}}})
	_, storedWithRole, err := FromDocument(def, withRole)
	if err != nil {
		t.Fatal(err)
	}
	for name, ps := range map[string]Policies{"parsing each time": {Default: def}, "remembering parsed documents": {Default: def, Parsed: &digestcache.Cache[Policy]{}}} {
		t.Run(name, func(t *testing.T) {
			for range 2 { // the second round reads what the first remembered
				if p, err := ps.Of(nil); err != nil || !p.RoleExists("deployment-role", nil) {
					t.Errorf("no stored policy: %v %v", p.Roles, err)
				}
				if p, err := ps.Of(stored); err != nil || p.RoleExists("deployment-role", nil) || p.RoleExists("project-role", nil) {
					t.Errorf("own policy: %v %v", p.Roles, err)
				}
				// A changed document is another document.
				if p, err := ps.Of(storedWithRole); err != nil || !p.RoleExists("project-role", nil) {
					t.Errorf("changed policy: %v %v", p.Roles, err)
				}
				if _, err := ps.Of([]byte(`{"roles":[{"role_id":"x"}]}`)); err == nil {
					t.Error("a corrupt stored policy was accepted")
				}
			}
		})
	}
}

// BenchmarkPoliciesOf is the cost a request pays to use a project's own
// policy (parsing and validating the stored document; a project without one
// pays nothing): here 10 custom resources and 20 custom roles.
func BenchmarkPoliciesOf(b *testing.B) {
	d := DocumentOf(DefaultPolicy())
	for i := range 10 {
		d.CustomResources = append(d.CustomResources, DocumentResource{ResourceID: fmt.Sprintf("res-%d", i), AvailableActions: []string{"read", "write", "delete"}})
	}
	for i := range 20 {
		d.CustomRoles = append(d.CustomRoles, Role{RoleID: fmt.Sprintf("role-%d", i), Permissions: []Permission{
			{ResourceID: fmt.Sprintf("res-%d", i%10), Actions: []string{"read"}}, {ResourceID: ResourceMember, Actions: []string{"search"}}}})
	}
	_, stored, err := FromDocument(DefaultPolicy(), d)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Policies{}).Of(stored); err != nil {
			b.Fatal(err)
		}
	}
}
