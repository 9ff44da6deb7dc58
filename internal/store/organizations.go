package store

import (
	"context"
	"encoding/json"
	"time"
)

// Organization is a customer of the product that uses Seam. Scalar fields
// that are filtered or unique are columns; the long tail of Stytch settings
// lives in Settings, which the organizations service owns the shape of.
type Organization struct {
	ProjectID              string
	ID                     string
	Name                   string
	Slug                   string
	ExternalID             string // "" when unset; unique per project when set
	LogoURL                string
	SSOJITProvisioning     string
	SSODefaultConnectionID string
	TrustedMetadata        json.RawMessage // JSON object
	Settings               json.RawMessage // JSON object
	CustomRoles            json.RawMessage // JSON array of RBAC roles
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// OrganizationFilter narrows an organization search. Empty slices are
// "no constraint"; all set constraints must hold.
type OrganizationFilter struct {
	IDs         []string
	Slugs       []string
	ExternalIDs []string
	NameFuzzy   []string // any of these substrings, case-insensitive
	ProjectID   string
	Keyset
}

// OrganizationQueries persist organizations. Every lookup is scoped to a
// project so one project's credentials never reach another's data.
type OrganizationQueries interface {
	// CreateOrganization inserts o. ev, when not nil, is the creation's
	// event: the store writes it with o atomically, even outside Tx (one
	// statement on PostgreSQL); ev.Seq is not reported.
	CreateOrganization(ctx context.Context, o *Organization, ev *Event) error
	// GetOrganization resolves ref as an organization ID, slug or external ID.
	GetOrganization(ctx context.Context, projectID, ref string) (*Organization, error)
	// GetOrganizationForUpdate is GetOrganization with a row lock (inside Tx).
	GetOrganizationForUpdate(ctx context.Context, projectID, ref string) (*Organization, error)
	UpdateOrganization(ctx context.Context, o *Organization) error
	DeleteOrganization(ctx context.Context, projectID, id string) error
	// SearchOrganizations returns matches ordered by (created_at, id) and the
	// total count of matches ignoring the cursor and limit.
	SearchOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, int, error)
}
