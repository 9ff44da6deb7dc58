package store

import (
	"context"
	"time"
)

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

// MemberLifecycleQueries count members and persist retired email
// addresses, always scoped to a project.
type MemberLifecycleQueries interface {
	// CountMembers counts the members a search with f would find, without
	// its cursor and limit.
	CountMembers(ctx context.Context, f MemberFilter) (int, error)

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
