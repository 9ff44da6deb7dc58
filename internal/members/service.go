package members

import (
	"context"
	"errors"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Member statuses.
const (
	StatusActive  = "active"
	StatusPending = "pending"
	StatusInvited = "invited"
)

// Service implements the member rules over a store.
type Service struct {
	Store store.Store
	Now   func() time.Time
	IDs   ids.Generator
	// Policies gives each project's RBAC policy.
	Policies rbac.Policies
	// Events records member changes in their transactions (nil: none).
	Events *events.Recorder
	// OrgChanged records an organization update made here (custom roles)
	// in its transaction; wired to the organizations service.
	OrgChanged func(ctx context.Context, q store.Queries, o *store.Organization) error
}

// NotFound is the error for an unknown member reference.
func NotFound() *apierr.Error {
	return apierr.NotFound("member_not_found", "The member could not be found in this organization.")
}

// keptByDeleted ends the duplicate errors: a deleted member keeps its
// address and external ID (see StatusDeleted), and the fix is to bring it
// back rather than to create another.
const keptByDeleted = " If it is a deleted member, reactivate it (Reactivate Member) instead of creating another."

func conflictError(err error) error {
	var c *store.ErrConflict
	if errors.As(err, &c) {
		switch c.Field {
		case "email_address":
			return apierr.BadRequest("duplicate_member_email", "A member with this email address already exists in the organization."+keptByDeleted)
		case "external_id":
			return apierr.BadRequest("duplicate_member_external_id", "A member with this external_id already exists in the organization."+keptByDeleted)
		}
		return apierr.BadRequest("duplicate_member", "A member with these identifiers already exists.")
	}
	return apierr.Internal(err)
}

func env(p *store.Project) ids.Environment { return ids.Environment(p.Environment) }
