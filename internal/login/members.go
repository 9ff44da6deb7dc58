package login

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/store"
)

// memberExists reports whether an identity already has a member in the
// organization: by its SSO registration with the connection, else by email.
// It only chooses between the login and signup redirect URLs.
func (s *Service) memberExists(ctx context.Context, projectID, orgID, connID, subject, email string) (bool, error) {
	reg, err := s.Store.GetSSORegistration(ctx, projectID, connID, subject)
	switch {
	case err == nil:
		m, err := s.Store.GetMember(ctx, projectID, reg.MemberID)
		if err == nil && m.OrganizationID == orgID {
			return true, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	_, err = s.Store.GetMemberByEmail(ctx, projectID, orgID, email)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
