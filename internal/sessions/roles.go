package sessions

import (
	"context"

	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// sessionRoles computes the roles a session holds now (see the package
// documentation).
func (s *Service) sessionRoles(ctx context.Context, q store.Queries, org *store.Organization, m *store.Member, sess *store.MemberSession) ([]string, error) {
	roles, err := s.Members.Roles(ctx, q, org, m, nil)
	if err != nil {
		return nil, err
	}
	return members.SessionRoles(roles, members.SSOFactorConnections(sess.AuthenticationFactors)), nil
}
