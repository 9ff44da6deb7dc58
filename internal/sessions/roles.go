package sessions

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// sessionRoles computes the roles a session holds now (see the package
// documentation) under project p's policy, which came with p's row.
func (s *Service) sessionRoles(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, m *store.Member, sess *store.MemberSession) ([]string, error) {
	policy, err := s.Policies.Of(p.RBACPolicy)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	roles, err := s.Members.Roles(ctx, q, policy, org, m, nil)
	if err != nil {
		return nil, err
	}
	return members.SessionRoles(roles, members.SSOFactorConnections(sess.AuthenticationFactors)), nil
}
