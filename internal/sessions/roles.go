package sessions

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// sessionRoles computes the roles a session holds now (see the package
// documentation) under policy, its project's.
func (s *Service) sessionRoles(ctx context.Context, q store.Queries, policy rbac.Policy, org *store.Organization, m *store.Member, sess *store.MemberSession) ([]string, error) {
	roles, err := s.Members.Roles(ctx, q, policy, org, m, nil)
	if err != nil {
		return nil, err
	}
	return members.SessionRoles(roles, members.SSOFactorConnections(sess.AuthenticationFactors)), nil
}

// policyOf is project p's RBAC policy, from the document its row carries
// (no query). A request parses it once and passes it on (Subject.Policy).
func (s *Service) policyOf(p *store.Project) (rbac.Policy, error) {
	policy, err := s.Policies.Of(p.RBACPolicy)
	if err != nil {
		return rbac.Policy{}, apierr.Internal(err)
	}
	return policy, nil
}
