package store

import (
	"context"
	"time"
)

// DeletedMember is a member as it was when it was deleted. Stytch keeps
// deleted members (status "deleted") so that they can be reactivated; Seam
// moves them out of the members table, so that every query over members
// sees only members that exist, and keeps them here.
type DeletedMember struct {
	Member    Member
	DeletedAt time.Time
}

// RetiredEmail is an email address a member had before an update replaced
// it. It stays reserved for the member within its organization until it is
// unlinked (Stytch's retired_email_addresses).
type RetiredEmail struct {
	ProjectID      string
	OrganizationID string
	MemberID       string
	ID             string
	Email          string // lower-cased
	CreatedAt      time.Time
}

// MemberLifecycleQueries persist deleted members and retired email
// addresses, always scoped to a project.
type MemberLifecycleQueries interface {
	// ArchiveMember records m as deleted at at. Call it in the transaction
	// that deletes m, before DeleteMember.
	ArchiveMember(ctx context.Context, m *Member, at time.Time) error
	// GetDeletedMember finds a deleted member of the project by member ID.
	GetDeletedMember(ctx context.Context, projectID, id string) (*DeletedMember, error)
	// GetDeletedMemberForUpdate is GetDeletedMember with a row lock (inside Tx).
	GetDeletedMemberForUpdate(ctx context.Context, projectID, id string) (*DeletedMember, error)
	// ForgetDeletedMember removes the record of a deleted member (it was
	// reactivated).
	ForgetDeletedMember(ctx context.Context, projectID, id string) error
	// CountMembers counts the members of an organization (deleted members
	// are not members).
	CountMembers(ctx context.Context, projectID, organizationID string) (int, error)

	// CreateRetiredEmail fails with ErrConflict{Field: "email_address"} when
	// the address is already retired in the organization.
	CreateRetiredEmail(ctx context.Context, r *RetiredEmail) error
	// ListRetiredEmails returns the retired addresses of the members, oldest
	// first.
	ListRetiredEmails(ctx context.Context, projectID string, memberIDs ...string) ([]*RetiredEmail, error)
	// GetRetiredEmailByAddress finds the retired address of an organization,
	// matched case-insensitively.
	GetRetiredEmailByAddress(ctx context.Context, projectID, organizationID, email string) (*RetiredEmail, error)
	DeleteRetiredEmail(ctx context.Context, projectID, id string) error
}
