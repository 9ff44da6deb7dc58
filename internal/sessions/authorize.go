package sessions

import (
	"context"

	"github.com/seamsso/seam/internal/members"
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

// Check is the authorization rule for a subject acting on org: the tenancy
// check, then one of the session's roles (project roles and the subject
// organization's custom roles) must grant action on resource.
func (s *Service) Check(sub *Subject, org *store.Organization, resource, action string) (rbac.Verdict, error) {
	return rbac.Check(s.Policy, organizations.CustomRoles(sub.Org), sub.Org.ID, sub.Roles, rbac.AuthorizationCheck{
		OrganizationID: org.ID, ResourceID: resource, Action: action,
	})
}

// AuthorizeSession implements httpapi.Authorizer: the session named by the
// headers must be live, belong to org, and hold a role granting action on
// resource.
func (s *Service) AuthorizeSession(ctx context.Context, p *store.Project, org *store.Organization, sessionToken, sessionJWT, resource, action string) error {
	sub, err := s.Subject(ctx, p, sessionToken, sessionJWT)
	if err != nil {
		return err
	}
	_, err = s.Check(sub, org, resource, action)
	return err
}

// AuthorizeMember checks a subject acting on a member of org that needs all
// of perms. A permission marked SelfOK is also granted by the same action on
// stytch.self when the subject is the target member itself. With no
// permissions only the tenancy rule applies.
func (s *Service) AuthorizeMember(sub *Subject, org *store.Organization, targetMemberID string, perms []members.Permission) error {
	if sub.Org.ID != org.ID {
		return rbac.TenancyError(sub.Org.ID, org.ID)
	}
	for _, perm := range perms {
		_, err := s.Check(sub, org, perm.Resource, perm.Action)
		if err != nil && perm.SelfOK && targetMemberID != "" && sub.Member.ID == targetMemberID {
			_, err = s.Check(sub, org, rbac.ResourceSelf, perm.Action)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
