package members

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// SetOrgRoles replaces an organization's custom roles (PUT
// /v1/b2b/rbac/organizations/{organization_id}) after validating them
// against the project policy. Assignments of a removed role stop counting
// at once: roles no policy defines are left out of members and sessions.
func (s *Service) SetOrgRoles(ctx context.Context, projectID, orgRef string, roles []rbac.Role) (*store.Organization, error) {
	if roles == nil {
		roles = []rbac.Role{}
	}
	raw, err := json.Marshal(roles)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	var out *store.Organization
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		o, err := q.GetOrganizationForUpdate(ctx, projectID, orgRef)
		if errors.Is(err, store.ErrNotFound) {
			return organizations.NotFound(orgRef)
		}
		if err != nil {
			return apierr.Internal(err)
		}
		policy, err := s.policy(ctx, q, projectID)
		if err != nil {
			return err
		}
		if err := rbac.ValidateOrgRoles(policy, roles); err != nil {
			return err
		}
		o.CustomRoles, o.UpdatedAt = raw, s.Now()
		if err := q.UpdateOrganization(ctx, o); err != nil {
			return apierr.Internal(err)
		}
		out = o
		if s.OrgChanged == nil {
			return nil
		}
		return s.OrgChanged(ctx, q, o)
	})
	return out, err
}
