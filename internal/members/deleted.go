package members

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// StatusDeleted is a deleted member: Delete Member, or a directory's
// deprovisioning (SCIM active=false or DELETE). The member stays in the
// members table with this status, keeping its email address, external ID
// and SSO registrations, so that Reactivate Member (or the directory's
// active=true) can bring it back as it was. It is the one soft-delete rule:
// every read but DangerouslyGet with include_deleted and the directory's own
// reads passes through IsDeleted or HiddenStatuses, so that gets, searches,
// counts, logins and sessions never see a deleted member.
const StatusDeleted = "deleted"

// IsDeleted reports whether m is a deleted member, which ordinary reads,
// logins and sessions treat as absent.
func IsDeleted(m *store.Member) bool { return m.Status == StatusDeleted }

// HiddenStatuses are the statuses that searches and counts leave out
// (store.MemberFilter.ExcludeStatuses).
func HiddenStatuses() []string { return []string{StatusDeleted} }

// refuseDeactivated keeps a deleted member from logging in: a login must
// not undo the deletion, nor create a second member for the same person.
func refuseDeactivated(m *store.Member) error {
	if IsDeleted(m) {
		return apierr.Forbidden("member_deactivated",
			"This member was deleted or deactivated by the organization's directory; it must be reactivated before it can log in.")
	}
	return nil
}

// Deactivate deletes a member locked in q: status deleted and, in the same
// transaction, every session of the member revoked, so that no session of a
// deleted person outlives the change. Its SSO registrations stay. Delete
// Member and SCIM deprovisioning both call it; deactivating a deleted member
// only makes sure it has no session. The caller records the change's event
// once everything it changes is written (its object then shows it all).
func (s *Service) Deactivate(ctx context.Context, q store.Queries, m *store.Member) error {
	if _, err := q.DeleteMemberSessions(ctx, m.ProjectID, m.ID); err != nil {
		return apierr.Internal(err)
	}
	if IsDeleted(m) {
		return nil
	}
	m.Status, m.UpdatedAt = StatusDeleted, s.Now()
	if err := q.UpdateMember(ctx, m); err != nil {
		return conflictError(err)
	}
	return nil
}

// Restore makes a deleted member locked in q active again, as it was, with
// its SSO registrations. Reactivate Member (after Stytch's checks) and the
// directory's active=true both call it; the caller records the event.
func (s *Service) Restore(ctx context.Context, q store.Queries, m *store.Member) error {
	if !IsDeleted(m) {
		return nil
	}
	m.Status, m.UpdatedAt = StatusActive, s.Now()
	if err := q.UpdateMember(ctx, m); err != nil {
		return conflictError(err)
	}
	return nil
}
