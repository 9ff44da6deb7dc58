package organizations

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// CustomRoles decodes an organization's custom RBAC roles. They are written
// only after rbac.ValidateOrgRoles accepted them, so a stored document
// always decodes; an empty one means no custom roles.
func CustomRoles(o *store.Organization) []rbac.Role {
	var roles []rbac.Role
	if len(o.CustomRoles) > 0 {
		_ = json.Unmarshal(o.CustomRoles, &roles)
	}
	return roles
}

// EmailRoleAssignments returns the organization's
// rbac_email_implicit_role_assignments.
func EmailRoleAssignments(o *store.Organization) []EmailRoleAssignment {
	return decodeSettings(o.Settings).RBACEmailImplicitRoleAssignments
}
