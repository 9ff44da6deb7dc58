// Package sso implements the SSO connection rules shared by every connection
// kind (SAML, OIDC and External): creation, partial updates with validation
// and activation, key material sealed at rest, deletion, and the runtime
// trust settings the login pipeline reads.
package sso

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/digestcache"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Fetcher retrieves a customer-supplied URL through the guarded outbound
// client; it returns *apierr.Error values suitable for the API.
type Fetcher interface {
	FetchMetadata(ctx context.Context, url string) ([]byte, error)
}

// Service manages SSO connections.
type Service struct {
	Store   store.Store
	Sealer  *keys.Sealer
	Now     func() time.Time
	IDs     ids.Generator
	Rand    io.Reader
	BaseURL string // public origin; ACS and audience URLs derive from it
	// Policies gives each project's RBAC policy.
	Policies rbac.Policies
	Fetch    Fetcher
	// HTTPClient is the guarded outbound client, for OIDC discovery.
	HTTPClient *http.Client
	// KeyBits is the RSA size of generated signing keys (2048 by default).
	KeyBits int
	// OutboundAdmit admits one outbound fetch (metadata URL, OIDC
	// discovery) for a project, or refuses it with a 429 error; nil admits
	// every fetch.
	OutboundAdmit func(projectID string) error
	// MetadataRefreshInterval is how often a connection configured from a
	// metadata URL is fetched again (DefaultMetadataRefreshInterval if 0).
	MetadataRefreshInterval time.Duration
	// MetadataMetrics counts refresh outcomes; nil counts nothing.
	MetadataMetrics MetadataMetrics
	// Events records connection changes in their transactions (nil: none).
	Events *events.Recorder

	// runtimes caches decoded SAML configurations by content (zero value
	// ready; see runtime_cache.go).
	runtimes digestcache.Cache[*samlDecoded]
	// privateKeys caches parsed SP private keys by a digest of their
	// sealed form (zero value ready; see unsealKey).
	privateKeys digestcache.Cache[*rsa.PrivateKey]
}

// CallbackURL is the ACS URL, SAML audience and OIDC redirect URL of a
// connection: the one it was created with, which its IdP was told. A row
// from before the URL was stored, not yet pinned by `seam serve`, gets the
// current base URL's.
func (s *Service) CallbackURL(c *store.Connection) string {
	if c.CallbackURL != "" {
		return c.CallbackURL
	}
	return s.newCallbackURL(c.ID)
}

// newCallbackURL is the callback URL a new connection is created with.
func (s *Service) newCallbackURL(connectionID string) string {
	return s.BaseURL + "/v1/b2b/sso/callback/" + connectionID
}

func (s *Service) keyBits() int {
	if s.KeyBits == 0 {
		return 2048
	}
	return s.KeyBits
}

// env is the environment of a project, used in generated IDs.
func env(p *store.Project) ids.Environment { return ids.Environment(p.Environment) }

// connNotFound is the error for an unknown connection of a given kind.
func connNotFound(kind, id string) *apierr.Error {
	typ := "sso_connection_not_found"
	switch kind {
	case store.KindSAML:
		typ = "saml_connection_not_found"
	case store.KindOIDC:
		typ = "oidc_connection_not_found"
	case store.KindExternal:
		typ = "external_connection_not_found"
	}
	return apierr.NotFound(typ, "SSO connection "+apierr.Quote(id)+" was not found in this organization.")
}

// IsConnectionID reports whether id has the ID format of a connection of
// kind ("" for any kind). Callers check it before any lookup, so text that
// cannot be an ID never reaches a query; it answers as not found.
func IsConnectionID(kind, id string) bool {
	saml, oidc, ext := ids.Has(id, ids.SAMLConnection), ids.Has(id, ids.OIDCConnection), ids.Has(id, ids.ExternalConnection)
	switch kind {
	case store.KindSAML:
		return saml
	case store.KindOIDC:
		return oidc
	case store.KindExternal:
		return ext
	}
	return saml || oidc || ext
}

// loadForUpdate locks a connection of the expected kind that belongs to org.
// kind "" accepts any kind.
func loadForUpdate(ctx context.Context, q store.Queries, org *store.Organization, kind, id string) (*store.Connection, error) {
	if !IsConnectionID(kind, id) {
		return nil, connNotFound(kind, id)
	}
	c, err := q.GetConnectionForUpdate(ctx, org.ProjectID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.OrganizationID != org.ID || (kind != "" && c.Kind != kind))) {
		return nil, connNotFound(kind, id)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return c, nil
}

// sealAAD binds a sealed key to its connection and key ID so a ciphertext
// cannot be moved to another connection.
func sealAAD(connectionID, keyID string) []byte {
	return []byte("seam/sso/" + connectionID + "/" + keyID)
}

// Updated is a changed connection with its API object encoded once, for
// both the change's event and the caller's response.
type Updated struct {
	*store.Connection
	// Object is the connection's API object (SAMLView, OIDCView or
	// ExternalView) as JSON.
	Object json.RawMessage
}

// mutate locks a connection of kind (any kind for "") in org, lets fn
// change it, and writes it back with its event, all in one transaction;
// fn's error rolls everything back, so a failed update leaves the row as it
// was. fn returns how to render the changed connection's API object from
// the config it already holds decoded, so the object costs no second decode
// of the config; it is encoded once, for the event and the result.
func (s *Service) mutate(ctx context.Context, org *store.Organization, kind, id string, fn func(q store.Queries, c *store.Connection) (view func() any, err error)) (*Updated, error) {
	var out *Updated
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		c, err := loadForUpdate(ctx, q, org, kind, id)
		if err != nil {
			return err
		}
		view, err := fn(q, c)
		if err != nil {
			return err
		}
		c.UpdatedAt = s.Now()
		obj, err := json.Marshal(view())
		if err != nil {
			return apierr.Internal(err)
		}
		// The event rides on the update (one statement on PostgreSQL).
		ev, err := s.eventOf(ctx, c, events.Update, json.RawMessage(obj))
		if err != nil {
			return err
		}
		if err := q.UpdateConnection(ctx, c, ev); err != nil {
			return apierr.Internal(err)
		}
		out = &Updated{Connection: c, Object: obj}
		return nil
	})
	return out, err
}

// createBasics validates the fields every create body has.
func createBasics(idp, display opt.Value[string]) (identityProvider, displayName string, err error) {
	identityProvider = "generic"
	if idp.Has() {
		if err := validateIdentityProvider(idp.V); err != nil {
			return "", "", err
		}
		identityProvider = idp.V
	}
	displayName = display.Or("")
	if err := validateDisplayName(displayName); err != nil {
		return "", "", err
	}
	return identityProvider, displayName, nil
}

// MaxConnectionsPerOrganization bounds an organization's SSO connections of
// all kinds: each SAML connection costs an RSA key, and every organization
// view lists them.
const MaxConnectionsPerOrganization = 50

// reserveConnection locks org's row and refuses a new connection beyond
// the limit. It runs inside the transaction that inserts the connection:
// every create locks the organization, so creates of one organization
// serialize and the count holds until the insert commits (PostgreSQL keeps
// the row lock until commit; SQLite's IMMEDIATE transactions hold the
// write lock from their start). Lock order: deleting a connection locks
// its organization, the connection, then the organizations of the External
// connections that point at it; so a create that locks a source connection
// (CreateExternal) locks its own organization after it.
func reserveConnection(ctx context.Context, q store.Queries, org *store.Organization) error {
	if _, err := q.GetOrganizationForUpdate(ctx, org.ProjectID, org.ID); errors.Is(err, store.ErrNotFound) {
		return organizations.NotFound(org.ID)
	} else if err != nil {
		return apierr.Internal(err)
	}
	n, err := q.CountConnections(ctx, org.ProjectID, org.ID)
	if err != nil {
		return apierr.Internal(err)
	}
	if n >= MaxConnectionsPerOrganization {
		return apierr.BadRequest("too_many_sso_connections",
			"An organization can have at most "+strconv.Itoa(MaxConnectionsPerOrganization)+" SSO connections; delete one first.")
	}
	return nil
}

// create stores a new connection of org under the per-organization cap, in
// one transaction. Whatever is expensive (key generation) is done by the
// caller before, so the organization's lock is held only for the count and
// the insert.
func (s *Service) create(ctx context.Context, org *store.Organization, c *store.Connection) (*store.Connection, error) {
	var out *store.Connection
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		if err := reserveConnection(ctx, q, org); err != nil {
			return err
		}
		var err error
		out, err = s.insert(ctx, q, org, c)
		return err
	})
	return out, err
}

// insert stores a new connection of org, created now. Callers hold the
// reservation of reserveConnection in the same transaction.
func (s *Service) insert(ctx context.Context, q store.Queries, org *store.Organization, c *store.Connection) (*store.Connection, error) {
	now := s.Now()
	c.ProjectID, c.OrganizationID, c.CreatedAt, c.UpdatedAt = org.ProjectID, org.ID, now, now
	if c.Kind != store.KindExternal {
		c.CallbackURL = s.newCallbackURL(c.ID)
	}
	if err := q.CreateConnection(ctx, c); err != nil {
		return nil, apierr.Internal(err)
	}
	if err := s.record(ctx, q, c, events.Create); err != nil {
		return nil, err
	}
	return c, nil
}
