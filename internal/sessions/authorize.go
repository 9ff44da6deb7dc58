package sessions

import (
	"context"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Subject is the member session behind a request's session headers.
type Subject struct {
	Session *store.MemberSession
	Member  *store.Member
	Org     *store.Organization // the session's organization
	Roles   []string            // the roles the session holds
	// Policy is the project's RBAC policy the roles were computed under;
	// the request's other RBAC decisions use it too.
	Policy rbac.Policy
}

// Subject resolves member-session headers (either or both) to their live
// session, its member, organization and roles. It writes nothing.
func (s *Service) Subject(ctx context.Context, p *store.Project, token, jwt string) (*Subject, error) {
	sess, err := s.resolve(ctx, s.Store, p, token, jwt)
	if err != nil {
		return nil, err
	}
	return s.subjectOf(ctx, s.Store, p, sess)
}

// Principal resolves member-session headers to the principal of a call:
// the project secret alone when both are empty, else the live session's
// member, organization and roles.
func (s *Service) Principal(ctx context.Context, p *store.Project, token, jwt string) (rbac.Principal, error) {
	if token == "" && jwt == "" {
		policy, err := s.policyOf(p)
		if err != nil {
			return rbac.Principal{}, err
		}
		return rbac.ProjectPrincipal(policy), nil
	}
	sub, err := s.Subject(ctx, p, token, jwt)
	if err != nil {
		return rbac.Principal{}, err
	}
	// What this call changes is recorded as the member's doing.
	events.NoteMember(ctx, sub.Member.ID)
	return sub.Principal(), nil
}

// Principal is the subject as an RBAC principal.
func (sub *Subject) Principal() rbac.Principal {
	return rbac.SessionPrincipal(rbac.SessionRoles{
		MemberID: sub.Member.ID, OrgID: sub.Org.ID, Roles: sub.Roles, OrgRoles: organizations.CustomRoles(sub.Org),
	}, sub.Policy)
}

// AuthorizeSession implements httpapi.Authorizer: the session named by the
// headers must be live, belong to org, and hold a role granting action on
// resource.
func (s *Service) AuthorizeSession(ctx context.Context, p *store.Project, org *store.Organization, sessionToken, sessionJWT, resource, action string) error {
	pr, err := s.Principal(ctx, p, sessionToken, sessionJWT)
	if err != nil {
		return err
	}
	return pr.Require(org.ID, "", rbac.Need{Resource: resource, Action: action})
}
