package members

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// DirectoryProfile is what a directory (a SCIM user) says about a member.
type DirectoryProfile struct {
	Email  string
	Name   string
	Active bool
}

// ProvisionFromDirectory returns the member of org a directory user is:
// the member with its email address, updated to the profile, or a new
// member, and the member's status before ("" for a new member). It runs in
// the caller's transaction q.
func (s *Service) ProvisionFromDirectory(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, prof DirectoryProfile) (*store.Member, string, error) {
	email, err := NormalizeEmail(prof.Email)
	if err != nil {
		return nil, "", err
	}
	// One locking read: it finds the member to adopt, or nothing for the
	// create below (whose unique email then settles a concurrent create).
	m, err := q.GetMemberByEmailForUpdate(ctx, org.ProjectID, org.ID, email)
	if err == nil {
		before := m.Status
		return m, before, s.SyncFromDirectory(ctx, q, m, prof)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, "", apierr.Internal(err)
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
		return nil, "", conflictError(err)
	}
	return m, "", nil
}

// SyncFromDirectory applies a directory profile to a member locked in the
// caller's transaction q: email address, name, and active. active=false
// deletes the member (Deactivate: sessions revoked in the same transaction);
// active=true brings a deleted member back (Restore) and makes a pending or
// invited one active. The directory records the change's event.
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
	if prof.Active && (m.Status == StatusPending || m.Status == StatusInvited) {
		m.Status = StatusActive
	}
	m.UpdatedAt = s.Now()
	if err := q.UpdateMember(ctx, m); err != nil {
		return conflictError(err)
	}
	if !prof.Active {
		return s.Deactivate(ctx, q, m)
	}
	return s.Restore(ctx, q, m)
}
