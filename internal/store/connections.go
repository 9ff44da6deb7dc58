package store

import (
	"context"
	"encoding/json"
	"time"
)

// Connection kinds.
const (
	KindSAML     = "saml"
	KindOIDC     = "oidc"
	KindExternal = "external"
)

// Connection is an SSO connection of any kind. Kind-specific settings,
// including sealed private keys and client secrets, are in Config, whose
// shape the sso package owns.
type Connection struct {
	ProjectID      string
	OrganizationID string
	ID             string
	Kind           string
	Status         string // "pending" or "active"
	DisplayName    string
	// SourceID is set on external connections: the SAML or OIDC connection
	// of another organization they log in through. Deleting the source
	// deletes the external connections that point at it.
	SourceID string
	// CallbackURL is the ACS URL, SAML audience and OIDC redirect URL the
	// connection was created with (what its IdP was told). Empty on External
	// connections (they have no callback), and on SAML and OIDC rows from
	// before it was stored until PinCallbackURLs fills them.
	CallbackURL string
	Config      json.RawMessage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ConnectionQueries persist SSO connections, always scoped to a project.
type ConnectionQueries interface {
	CreateConnection(ctx context.Context, c *Connection) error
	GetConnection(ctx context.Context, projectID, id string) (*Connection, error)
	GetConnectionForUpdate(ctx context.Context, projectID, id string) (*Connection, error)
	// GetConnectionByID finds a connection by its globally unique ID alone,
	// for the ACS and OIDC callback URLs, which name no project.
	GetConnectionByID(ctx context.Context, id string) (*Connection, error)
	// UpdateConnection writes c back; ev, when not nil, is the update's
	// event, written with it as CreateOrganization writes its event (and
	// not at all when there is no such connection).
	UpdateConnection(ctx context.Context, c *Connection, ev *Event) error
	DeleteConnection(ctx context.Context, projectID, id string) error
	// ListConnections returns an organization's connections, oldest first.
	ListConnections(ctx context.Context, projectID, organizationID string) ([]*Connection, error)
	// ListConnectionsOfOrganizations returns the connections of all the
	// given organizations in one query, oldest first (searches build a page
	// of organization objects from it without a query per result).
	ListConnectionsOfOrganizations(ctx context.Context, projectID string, organizationIDs ...string) ([]*Connection, error)
	// GetConnections returns the connections with the given IDs that exist
	// in the project, in one query, oldest first; missing IDs are skipped.
	GetConnections(ctx context.Context, projectID string, ids ...string) ([]*Connection, error)
	// CountConnections counts an organization's connections of every kind.
	// Inside Tx, after GetOrganizationForUpdate, the count holds until commit
	// for every transaction that locks the organization the same way.
	CountConnections(ctx context.Context, projectID, organizationID string) (int, error)
	// ListConnectionsBySource returns the external connections whose source is id.
	ListConnectionsBySource(ctx context.Context, projectID, sourceID string) ([]*Connection, error)
	// PinCallbackURLs sets the callback URL of every SAML and OIDC
	// connection that has none to baseURL + "/v1/b2b/sso/callback/" + its
	// ID, and returns how many it set. Idempotent: a pinned URL never changes.
	PinCallbackURLs(ctx context.Context, baseURL string) (int, error)
	// CountCallbackURLsOffBase counts the SAML and OIDC connections whose
	// callback URL is not baseURL + "/v1/b2b/sso/callback/" + their ID.
	CountCallbackURLsOffBase(ctx context.Context, baseURL string) (int, error)
}
