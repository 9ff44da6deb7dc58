package store

import (
	"context"
	"time"
)

// SetupLink lets whoever holds its URL configure SSO for one organization
// (Seam extension, internal/setup). The URL's secret is never stored:
// TokenHash is its SHA-256.
type SetupLink struct {
	ID             string
	ProjectID      string
	OrganizationID string
	TokenHash      []byte
	// ConnectionKind pins the link to "saml" or "oidc"; "" allows both.
	ConnectionKind string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      time.Time // zero while the link is not revoked
}

// SetupLinkQueries persist setup links.
type SetupLinkQueries interface {
	CreateSetupLink(ctx context.Context, l *SetupLink) error
	// GetSetupLinkByTokenHash finds a link, expired or revoked or not, by
	// the hash of its secret (across projects: the URL names nothing else).
	GetSetupLinkByTokenHash(ctx context.Context, hash []byte) (*SetupLink, error)
	// ListSetupLinks returns an organization's links, newest first.
	ListSetupLinks(ctx context.Context, projectID, organizationID string) ([]*SetupLink, error)
	// RevokeSetupLink marks a link of the organization revoked at at;
	// ErrNotFound when the organization has no such link that is not
	// revoked already.
	RevokeSetupLink(ctx context.Context, projectID, organizationID, id string, at time.Time) error
}
