package members

import (
	"context"
	"errors"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// ActionUnlinkRetiredEmail is the stytch.member (or stytch.self) action
// Stytch's frontend SDK documents for Unlink Retired Email.
const ActionUnlinkRetiredEmail = "update.info.unlink.retired-email"

func noDeletedMember() *apierr.Error {
	return apierr.NotFound("no_deleted_member_found_for_reactivation",
		"No deleted member with this member_id exists in the organization (reactivation takes the member_id, not an external_id).")
}

// Reactivate brings back a deleted member of org as an active member, as it
// was when it was deleted, with its SSO registrations (Restore). Stytch's
// rules: the member must have a verified email address, and the address must
// not belong to another member meanwhile (a deleted member keeps its address
// reserved, so only a retired address of another member can collide). A
// member session needs stytch.member create.
func (s *Service) Reactivate(ctx context.Context, pr rbac.Principal, org *store.Organization, memberID string) (*store.Member, error) {
	if err := pr.Require(org.ID, "", rbac.Need{Resource: rbac.ResourceMember, Action: "create"}); err != nil {
		return nil, err
	}
	var out *store.Member
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		m, err := q.GetOrgMemberForUpdate(ctx, org.ProjectID, org.ID, memberID)
		// The lookup also matches external IDs; reactivation takes the
		// member_id only.
		if errors.Is(err, store.ErrNotFound) || (err == nil && (m.ID != memberID || !IsDeleted(m))) {
			return noDeletedMember()
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if !m.EmailVerified {
			return apierr.BadRequest("email_unverified_for_reactivation",
				"Only a member whose email address was verified (email_address_verified true) can be reactivated.")
		}
		if err := s.checkNotRetiredByOther(ctx, q, org, m.Email, m.ID, "reactivation_email_belongs_to_another_member"); err != nil {
			return err
		}
		if err := s.Restore(ctx, q, m); err != nil {
			return err
		}
		out = m
		return s.record(ctx, q, org, m, events.Update)
	})
	return out, err
}

// DangerouslyGet finds a member of the project by member ID alone, in any
// organization; with includeDeleted a deleted member is found too, with
// status "deleted". Only the project secret may call it: it crosses
// organizations.
func (s *Service) DangerouslyGet(ctx context.Context, q store.Queries, projectID, memberID string, includeDeleted bool) (*store.Member, error) {
	if memberID == "" || len(memberID) > 256 {
		return nil, NotFound()
	}
	m, err := q.GetMember(ctx, projectID, memberID)
	if err == nil && includeDeleted && IsDeleted(m) {
		return m, nil
	}
	return found(m, err)
}

// DeleteExternalID clears the member's external ID (Stytch's Delete Member
// External ID); a member without one is returned unchanged. Changing an
// external ID needs every stytch.member action, as an update of the field
// does.
func (s *Service) DeleteExternalID(ctx context.Context, pr rbac.Principal, org *store.Organization, ref string) (*store.Member, error) {
	return s.Update(ctx, pr, org, ref, UpdateParams{ExternalID: opt.Of("")}, nil)
}

// Count is the number of members of org, deleted ones left out (Stytch's
// organization metrics).
func (s *Service) Count(ctx context.Context, org *store.Organization) (int, error) {
	n, err := s.Store.CountMembers(ctx, store.MemberFilter{ProjectID: org.ProjectID, OrganizationIDs: []string{org.ID},
		ExcludeStatuses: HiddenStatuses()})
	if err != nil {
		return 0, apierr.Internal(err)
	}
	return n, nil
}

// UnlinkRetiredEmailParams is the body of POST .../members/{member_id}/unlink_retired_email.
type UnlinkRetiredEmailParams struct {
	EmailID      string `json:"email_id"`
	EmailAddress string `json:"email_address"`
}

// UnlinkRetiredEmail forgets one of the member's retired email addresses,
// named by email_id, email_address or both (then they must name the same
// one), so that other members of the organization may use it. A member
// session needs stytch.member update.info.unlink.retired-email (or the
// stytch.self action for its own member).
func (s *Service) UnlinkRetiredEmail(ctx context.Context, pr rbac.Principal, org *store.Organization, ref string, in UnlinkRetiredEmailParams) (*store.Member, error) {
	if in.EmailID == "" && in.EmailAddress == "" {
		return nil, apierr.BadRequest("retired_email_missing_email_identifiers", "Pass email_id, email_address or both to name the retired email address.")
	}
	var out *store.Member
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		m, err := q.GetOrgMemberForUpdate(ctx, org.ProjectID, org.ID, ref)
		if _, err := found(m, err); err != nil {
			return err
		}
		if err := pr.Require(org.ID, m.ID, rbac.Need{Resource: rbac.ResourceMember, Action: ActionUnlinkRetiredEmail, SelfOK: true}); err != nil {
			return err
		}
		list, err := q.ListRetiredEmails(ctx, org.ProjectID, m.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		var hit *store.RetiredEmail
		for _, r := range list {
			byID := in.EmailID == "" || r.ID == in.EmailID
			byAddress := in.EmailAddress == "" || strings.EqualFold(r.Email, strings.TrimSpace(in.EmailAddress))
			if byID && byAddress {
				hit = r
				break
			}
		}
		if hit == nil {
			return apierr.NotFound("email_not_found",
				"The member has no retired email address with this email_id / email_address (both, when given, must name the same one).")
		}
		if err := q.DeleteRetiredEmail(ctx, org.ProjectID, hit.ID); err != nil {
			return apierr.Internal(err)
		}
		out = m
		return s.record(ctx, q, org, m, events.Update)
	})
	return out, err
}

// retireEmail records old as a retired address of m (its email changed to
// another one). If m takes back one of its own retired addresses, that one
// is no longer retired.
func (s *Service) retireEmail(ctx context.Context, q store.Queries, m *store.Member, old string) error {
	if r, err := q.GetRetiredEmailByAddress(ctx, m.ProjectID, m.OrganizationID, m.Email); err == nil && r.MemberID == m.ID {
		if err := q.DeleteRetiredEmail(ctx, m.ProjectID, r.ID); err != nil {
			return apierr.Internal(err)
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return apierr.Internal(err)
	}
	err := q.CreateRetiredEmail(ctx, &store.RetiredEmail{
		ProjectID: m.ProjectID, OrganizationID: m.OrganizationID, MemberID: m.ID,
		ID: s.IDs.New(ids.MemberEmail, ids.EnvOf(m.ID, ids.Member)), Email: old, CreatedAt: s.Now(),
	})
	var c *store.ErrConflict
	if errors.As(err, &c) {
		// Another member retired the address meanwhile (a concurrent update):
		// it is reserved already, and this update must not pass as if not.
		return apierr.BadRequest("retired_member_email", "The replaced email address is a retired email address of another member of the organization.")
	}
	if err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// checkNotRetiredByOther refuses an email address that another member of
// org has retired: it stays theirs until it is unlinked.
func (s *Service) checkNotRetiredByOther(ctx context.Context, q store.Queries, org *store.Organization, email, memberID, errorType string) error {
	r, err := q.GetRetiredEmailByAddress(ctx, org.ProjectID, org.ID, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.MemberID == memberID) {
		return nil
	}
	if err != nil {
		return apierr.Internal(err)
	}
	return apierr.BadRequest(errorType,
		"This email address is a retired email address of another member of the organization; unlink it from that member first (Unlink Retired Email).")
}

// RetiredEmail is an entry of the member object's retired_email_addresses.
type RetiredEmail struct {
	EmailID      string `json:"email_id"`
	EmailAddress string `json:"email_address"`
}

// withRetiredEmails fills the retired addresses of member views of one
// project with one query.
func withRetiredEmails(ctx context.Context, q store.Queries, projectID string, views ...*Member) error {
	if len(views) == 0 {
		return nil
	}
	byID := make(map[string]*Member, len(views))
	memberIDs := make([]string, 0, len(views))
	for _, v := range views {
		byID[v.MemberID] = v
		memberIDs = append(memberIDs, v.MemberID)
	}
	list, err := q.ListRetiredEmails(ctx, projectID, memberIDs...)
	if err != nil {
		return apierr.Internal(err)
	}
	for _, r := range list {
		if v := byID[r.MemberID]; v != nil {
			v.RetiredEmailAddresses = append(v.RetiredEmailAddresses, RetiredEmail{EmailID: r.ID, EmailAddress: r.Email})
		}
	}
	return nil
}
