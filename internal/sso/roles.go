package sso

import (
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// RoleAssignment grants a role to everyone who logs in through a connection.
type RoleAssignment struct {
	RoleID string `json:"role_id"`
}

// GroupRoleAssignment grants a role to members of an IdP group.
type GroupRoleAssignment struct {
	RoleID string `json:"role_id"`
	Group  string `json:"group"`
}

const maxRoleAssignments = 100

// validateRoles checks that every role exists in the project policy or the
// organization's custom roles, and is not the default member role, which
// every member holds anyway. p's policy came with its row.
func (s *Service) validateRoles(p *store.Project, org *store.Organization, roleIDs []string) error {
	if len(roleIDs) > maxRoleAssignments {
		return apierr.BadRequest("invalid_rbac_role_assignment", "At most 100 implicit role assignments are allowed.")
	}
	policy, err := s.Policies.Of(p.RBACPolicy)
	if err != nil {
		return apierr.Internal(err)
	}
	custom := organizations.CustomRoles(org)
	for _, id := range roleIDs {
		if id == rbac.RoleMember {
			return apierr.BadRequest("cannot_assign_default_rbac_role_id",
				"stytch_member is granted to every member and cannot be assigned implicitly.")
		}
		if !policy.RoleExists(id, custom) {
			return rbac.InvalidRoleIDError(id)
		}
	}
	return nil
}

func roleIDs(a []RoleAssignment) []string {
	out := make([]string, len(a))
	for i, r := range a {
		out[i] = r.RoleID
	}
	return out
}

func groupRoleIDs(a []GroupRoleAssignment) ([]string, error) {
	out := make([]string, len(a))
	for i, r := range a {
		if strings.TrimSpace(r.Group) == "" || len(r.Group) > 256 {
			return nil, apierr.BadRequest("invalid_rbac_role_assignment", "Every group implicit role assignment needs a group name of 1-256 characters.")
		}
		out[i] = r.RoleID
	}
	return out, nil
}
