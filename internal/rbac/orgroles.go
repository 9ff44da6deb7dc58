package rbac

import (
	"fmt"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// ValidateOrgRoles checks an organization's custom roles (the organization
// object's custom_roles) against the project policy: every role has a
// unique, non-reserved ID that is not already a project role, at least one
// permission, and only resources and actions the project policy declares.
// The error is a 400 *apierr.Error (see the package documentation for types).
func ValidateOrgRoles(p Policy, roles []Role) error {
	if len(roles) > MaxOrgRoles {
		return badRequest("too_many_roles", "An organization may define at most %d custom roles.", MaxOrgRoles)
	}
	idx := indexResources(p.Resources)
	seen := make(map[string]bool, len(roles))
	for _, r := range roles {
		if err := checkID("role", r.RoleID); err != nil {
			return err
		}
		if strings.HasPrefix(r.RoleID, ReservedRolePrefix) {
			return badRequest("invalid_rbac_stytch_role_edit", "The role %q uses the reserved prefix %q; organizations cannot define or edit Stytch roles.", r.RoleID, ReservedRolePrefix)
		}
		if _, ok := p.Role(r.RoleID); ok {
			return badRequest("invalid_rbac_custom_role", "The role %q is already a project role; organization custom roles need their own IDs.", r.RoleID)
		}
		if seen[r.RoleID] {
			return badRequest("rbac_role_duplicate", "The role %q is defined twice.", r.RoleID)
		}
		seen[r.RoleID] = true
		owner := fmt.Sprintf("role %q", r.RoleID)
		if err := checkDescription(owner, r.Description); err != nil {
			return err
		}
		if len(r.Permissions) == 0 {
			return badRequest("rbac_role_missing_permissions", "The role %q has no permissions.", r.RoleID)
		}
		if err := checkPermissions(owner, r.Permissions, idx); err != nil {
			return err
		}
	}
	return nil
}

// RoleExists reports whether roleID is a project role or one of the
// organization's custom roles.
func (p Policy) RoleExists(roleID string, orgRoles []Role) bool {
	if _, ok := p.Role(roleID); ok {
		return true
	}
	for _, r := range orgRoles {
		if r.RoleID == roleID {
			return true
		}
	}
	return false
}

// ValidateRoleIDs checks role assignments (implicit role assignments on SSO
// connections, email-domain assignments, member roles): each ID must name a
// project role or one of the organization's custom roles. The error is a 400
// *apierr.Error of type invalid_rbac_role_id naming the first unknown role.
func (p Policy) ValidateRoleIDs(orgRoles []Role, roleIDs ...string) error {
	for _, id := range roleIDs {
		if !p.RoleExists(id, orgRoles) {
			return InvalidRoleIDError(id)
		}
	}
	return nil
}

// InvalidRoleIDError is the error for a role assignment that names no
// existing role.
func InvalidRoleIDError(roleID string) *apierr.Error {
	return badRequest("invalid_rbac_role_id", "The role_id %.140q does not exist in the project's RBAC policy or the organization's custom roles.", roleID)
}
