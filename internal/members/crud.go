package members

import (
	"context"
	"errors"
	"slices"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/custommeta"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Create validates and stores a new member of org. A member session may
// create members with the permissions the fields need (Needs), never with
// trusted_metadata.
func (s *Service) Create(ctx context.Context, pr rbac.Principal, p *store.Project, org *store.Organization, in CreateParams) (*store.Member, error) {
	if err := pr.RefuseTrustedMetadata(in.TrustedMetadata.Set); err != nil {
		return nil, err
	}
	if err := pr.Require(org.ID, "", in.Needs()...); err != nil {
		return nil, err
	}
	if !in.EmailAddress.Has() || in.EmailAddress.V == "" {
		return nil, apierr.BadRequest("invalid_email", "email_address is required.")
	}
	email, err := NormalizeEmail(in.EmailAddress.V)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &store.Member{
		ProjectID: p.ID, OrganizationID: org.ID, ID: s.IDs.New(ids.Member, env(p)), Email: email,
		Status: StatusActive, Roles: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	if in.CreateMemberAsPending.V {
		m.Status = StatusPending
	}
	if in.Name.Set {
		if err := validateName(in.Name.V); err != nil {
			return nil, err
		}
		m.Name = in.Name.V
	}
	if m.TrustedMetadata, err = custommeta.New("trusted_metadata", in.TrustedMetadata.V); err != nil {
		return nil, err
	}
	if m.UntrustedMetadata, err = custommeta.New("untrusted_metadata", in.UntrustedMetadata.V); err != nil {
		return nil, err
	}
	m.IsBreakglass, m.MFAEnrolled = in.IsBreakglass.V, in.MFAEnrolled.V
	if err := validatePhone(in.MFAPhoneNumber.V); err != nil {
		return nil, err
	}
	m.MFAPhoneNumber = in.MFAPhoneNumber.V
	if err := validateExternalID(in.ExternalID.V); err != nil {
		return nil, err
	}
	m.ExternalID = in.ExternalID.V
	if in.Roles.Set {
		if m.Roles, err = validateRoles(pr.Policy(), org, in.Roles.V); err != nil {
			return nil, err
		}
	}
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		if err := s.checkNotRetiredByOther(ctx, q, org, m.Email, m.ID, "retired_member_email"); err != nil {
			return err
		}
		if err := q.CreateMember(ctx, m); err != nil {
			return conflictError(err)
		}
		return s.record(ctx, q, org, m, events.Create)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Get finds a member of org by member ID or external ID.
func (s *Service) Get(ctx context.Context, q store.Queries, org *store.Organization, ref string) (*store.Member, error) {
	if ref == "" || len(ref) > 256 {
		return nil, NotFound()
	}
	m, err := q.GetOrgMember(ctx, org.ProjectID, org.ID, ref)
	return found(m, err)
}

// GetByEmail finds a member of org by email address (case-insensitive).
func (s *Service) GetByEmail(ctx context.Context, q store.Queries, org *store.Organization, email string) (*store.Member, error) {
	if email == "" || len(email) > 320 {
		return nil, NotFound()
	}
	m, err := q.GetMemberByEmail(ctx, org.ProjectID, org.ID, email)
	return found(m, err)
}

// found maps a store read of a member to the API's answer: a deleted
// member is not found, as an absent one (see StatusDeleted).
func found(m *store.Member, err error) (*store.Member, error) {
	if errors.Is(err, store.ErrNotFound) || (err == nil && IsDeleted(m)) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return m, nil
}

// Update applies a partial update under a row lock; on any error nothing is
// written. authorize, when set, sees the locked member before anything
// changes. Removing direct roles that an SSO connection also grants revokes
// the member's sessions with a factor from that connection unless
// preserve_existing_sessions is true (Stytch's rule, so that a session
// cannot keep a role only through a factor the admin meant to demote).
func (s *Service) Update(ctx context.Context, pr rbac.Principal, org *store.Organization, ref string, in UpdateParams,
	check func(m *store.Member) error) (*store.Member, error) {
	var out *store.Member
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		m, err := q.GetOrgMemberForUpdate(ctx, org.ProjectID, org.ID, ref)
		if _, err := found(m, err); err != nil {
			return err
		}
		if err := s.authorizeUpdate(pr, org, m, in); err != nil {
			return err
		}
		if check != nil {
			if err := check(m); err != nil {
				return err
			}
		}
		before, oldEmail := slices.Clone(m.Roles), m.Email
		if err := s.apply(pr.Policy(), org, m, in); err != nil {
			return err
		}
		if m.Email != oldEmail {
			if err := s.checkNotRetiredByOther(ctx, q, org, m.Email, m.ID, "retired_member_email"); err != nil {
				return err
			}
		}
		m.UpdatedAt = s.Now()
		if err := q.UpdateMember(ctx, m); err != nil {
			return conflictError(err)
		}
		// The replaced address is retired (reserved for this member) unless
		// unlink_email asks to drop it (Stytch's rule).
		if m.Email != oldEmail && !in.UnlinkEmail.V {
			if err := s.retireEmail(ctx, q, m, oldEmail); err != nil {
				return err
			}
		}
		if in.Roles.Set && !in.PreserveExistingSessions.V {
			if err := s.revokeDemotedSSOSessions(ctx, q, org, m, removed(before, m.Roles)); err != nil {
				return err
			}
		}
		out = m
		return s.record(ctx, q, org, m, events.Update)
	})
	return out, err
}

func (s *Service) apply(policy rbac.Policy, org *store.Organization, m *store.Member, in UpdateParams) error {
	var err error
	if in.Name.Set {
		if err := validateName(in.Name.V); err != nil {
			return err
		}
		m.Name = in.Name.V
	}
	if in.TrustedMetadata.Set {
		if m.TrustedMetadata, err = custommeta.Merge("trusted_metadata", m.TrustedMetadata, in.TrustedMetadata.V); err != nil {
			return err
		}
	}
	if in.UntrustedMetadata.Set {
		if m.UntrustedMetadata, err = custommeta.Merge("untrusted_metadata", m.UntrustedMetadata, in.UntrustedMetadata.V); err != nil {
			return err
		}
	}
	if in.IsBreakglass.Set {
		m.IsBreakglass = in.IsBreakglass.V
	}
	if in.MFAPhoneNumber.Set {
		if err := validatePhone(in.MFAPhoneNumber.V); err != nil {
			return err
		}
		m.MFAPhoneNumber = in.MFAPhoneNumber.V
	}
	if in.MFAEnrolled.Set {
		m.MFAEnrolled = in.MFAEnrolled.V
	}
	if in.DefaultMFAMethod.Set {
		if err := validateDefaultMFAMethod(in.DefaultMFAMethod.V); err != nil {
			return err
		}
		m.DefaultMFAMethod = in.DefaultMFAMethod.V
	}
	if in.EmailAddress.Set {
		email, err := NormalizeEmail(in.EmailAddress.V)
		if err != nil {
			return err
		}
		if email != m.Email {
			m.Email, m.EmailVerified = email, false
		}
	}
	if in.ExternalID.Set {
		if err := validateExternalID(in.ExternalID.V); err != nil {
			return err
		}
		m.ExternalID = in.ExternalID.V
	}
	if in.Roles.Set {
		if m.Roles, err = validateRoles(policy, org, in.Roles.V); err != nil {
			return err
		}
	}
	return nil
}

func removed(before, after []string) []string {
	var out []string
	for _, r := range before {
		if !slices.Contains(after, r) {
			out = append(out, r)
		}
	}
	return out
}

// revokeDemotedSSOSessions deletes the member's sessions that hold an SSO
// factor from a connection that implicitly grants one of the removed roles.
func (s *Service) revokeDemotedSSOSessions(ctx context.Context, q store.Queries, org *store.Organization, m *store.Member, removedRoles []string) error {
	if len(removedRoles) == 0 {
		return nil
	}
	policy, err := s.policy(ctx, q, org.ProjectID)
	if err != nil {
		return err
	}
	roles, err := s.Roles(ctx, q, policy, org, m, nil)
	if err != nil {
		return err
	}
	var conns []string
	for _, r := range roles {
		if !slices.Contains(removedRoles, r.RoleID) {
			continue
		}
		for _, src := range r.Sources {
			if src.Type == SourceSSOConnection || src.Type == SourceSSOGroup {
				conns = append(conns, src.Details["connection_id"])
			}
		}
	}
	if len(conns) == 0 {
		return nil
	}
	sessions, err := q.ListMemberSessions(ctx, m.ProjectID, m.ID, s.Now())
	if err != nil {
		return apierr.Internal(err)
	}
	for _, sess := range sessions {
		for _, c := range SSOFactorConnections(sess.AuthenticationFactors) {
			if slices.Contains(conns, c) {
				if err := q.DeleteSession(ctx, m.ProjectID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return apierr.Internal(err)
				}
				break
			}
		}
	}
	return nil
}

// Delete deletes a member of org (Deactivate: status deleted, sessions
// revoked in the same transaction, registrations, retired addresses,
// email address and external ID kept) so that Reactivate can bring it back.
// A member session needs stytch.member delete (stytch.self for itself).
func (s *Service) Delete(ctx context.Context, pr rbac.Principal, org *store.Organization, ref string) (string, error) {
	var id string
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		m, err := q.GetOrgMemberForUpdate(ctx, org.ProjectID, org.ID, ref)
		if _, err := found(m, err); err != nil {
			return err
		}
		if err := pr.Require(org.ID, m.ID, rbac.Need{Resource: rbac.ResourceMember, Action: "delete", SelfOK: true}); err != nil {
			return err
		}
		id = m.ID
		if err := s.Deactivate(ctx, q, m); err != nil {
			return err
		}
		return s.record(ctx, q, org, m, events.Delete)
	})
	return id, err
}

// authorizeUpdate is what a member session may change on m: the tenancy
// rule first, never trusted_metadata, never its own email address, and the
// permissions the fields need (its own name and the like through
// stytch.self).
func (s *Service) authorizeUpdate(pr rbac.Principal, org *store.Organization, m *store.Member, in UpdateParams) error {
	if err := pr.Require(org.ID, m.ID); err != nil {
		return err
	}
	if err := pr.RefuseTrustedMetadata(in.TrustedMetadata.Set); err != nil {
		return err
	}
	if in.EmailAddress.Set && pr.MemberID() == m.ID {
		return rbac.PermissionError() // members cannot change their own email address
	}
	return pr.Require(org.ID, m.ID, in.Needs()...)
}
