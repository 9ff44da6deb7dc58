package members

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// StatusDeleted is a member deactivated by the organization's directory
// (SCIM active=false or DELETE): kept, unable to log in, without sessions.
const StatusDeleted = "deleted"

// DirectoryProfile is what a directory (a SCIM user) says about a member.
type DirectoryProfile struct {
	Email  string
	Name   string
	Active bool
}

// refuseDeactivated keeps a deactivated member from logging in: a login
// must not undo the directory's decision.
func refuseDeactivated(m *store.Member) error {
	if m.Status == StatusDeleted {
		return apierr.Forbidden("member_deactivated", "This member was deactivated by the organization's directory; it must be reactivated before it can log in.")
	}
	return nil
}

// ProvisionFromDirectory returns the member of org a directory user is:
// the member with its email address, updated to the profile, or a new
// member. It runs in the caller's transaction q.
func (s *Service) ProvisionFromDirectory(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, prof DirectoryProfile) (*store.Member, error) {
	email, err := NormalizeEmail(prof.Email)
	if err != nil {
		return nil, err
	}
	m, err := q.GetMemberByEmail(ctx, org.ProjectID, org.ID, email)
	if err == nil {
		if m, err = q.GetOrgMemberForUpdate(ctx, org.ProjectID, org.ID, m.ID); err != nil {
			return nil, apierr.Internal(err)
		}
		return m, s.SyncFromDirectory(ctx, q, m, prof)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, apierr.Internal(err)
	}
	now := s.Now()
	m = &store.Member{
		ProjectID: p.ID, OrganizationID: org.ID, ID: s.IDs.New(ids.Member, env(p)), Email: email,
		Name: clipName(prof.Name), Status: StatusActive, Roles: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	if !prof.Active {
		m.Status = StatusDeleted
	}
	if err := q.CreateMember(ctx, m); err != nil {
		return nil, conflictError(err)
	}
	return m, nil
}

// SyncFromDirectory applies a directory profile to a member locked in the
// caller's transaction q: email address, name, and active. Deactivating
// revokes every session of the member in the same transaction, so that no
// session of a deprovisioned person outlives the change.
func (s *Service) SyncFromDirectory(ctx context.Context, q store.Queries, m *store.Member, prof DirectoryProfile) error {
	email, err := NormalizeEmail(prof.Email)
	if err != nil {
		return err
	}
	if email != m.Email {
		m.Email, m.EmailVerified = email, false
	}
	if prof.Name != "" {
		m.Name = clipName(prof.Name)
	}
	deactivate := !prof.Active && m.Status != StatusDeleted
	switch {
	case !prof.Active:
		m.Status = StatusDeleted
	case m.Status == StatusDeleted, m.Status == StatusPending, m.Status == StatusInvited:
		m.Status = StatusActive
	}
	m.UpdatedAt = s.Now()
	if err := q.UpdateMember(ctx, m); err != nil {
		return conflictError(err)
	}
	if deactivate {
		return s.revokeAll(ctx, q, m)
	}
	return nil
}

// Deactivate marks a member locked in q deleted and revokes its sessions.
func (s *Service) Deactivate(ctx context.Context, q store.Queries, m *store.Member) error {
	if m.Status == StatusDeleted {
		return s.revokeAll(ctx, q, m)
	}
	m.Status, m.UpdatedAt = StatusDeleted, s.Now()
	if err := q.UpdateMember(ctx, m); err != nil {
		return conflictError(err)
	}
	return s.revokeAll(ctx, q, m)
}

func (s *Service) revokeAll(ctx context.Context, q store.Queries, m *store.Member) error {
	if _, err := q.DeleteMemberSessions(ctx, m.ProjectID, m.ID); err != nil {
		return apierr.Internal(err)
	}
	return nil
}
