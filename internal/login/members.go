package login

import (
	"context"
)

// memberExists reports whether an identity already has a member in the
// organization: by its SSO registration with the connection, else by email.
// It only chooses between the login and signup redirect URLs.
func (s *Service) memberExists(ctx context.Context, projectID, orgID, connID, subject, email string) (bool, error) {
	m, _, err := s.Members.FindBySSO(ctx, s.Store, projectID, connID, subject)
	if err != nil || (m != nil && m.OrganizationID == orgID) {
		return m != nil, err
	}
	org, err := s.Store.GetOrganization(ctx, projectID, orgID)
	if err != nil {
		return false, err
	}
	m, err = s.Members.FindByEmail(ctx, s.Store, org, email)
	return m != nil, err
}
