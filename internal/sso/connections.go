package sso

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/store"
)

// Get returns a connection of the given kind ("" for any) in the organization.
func (s *Service) Get(ctx context.Context, org *store.Organization, kind, id string) (*store.Connection, error) {
	if !IsConnectionID(kind, id) {
		return nil, connNotFound(kind, id)
	}
	c, err := s.Store.GetConnection(ctx, org.ProjectID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.OrganizationID != org.ID || (kind != "" && c.Kind != kind))) {
		return nil, connNotFound(kind, id)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return c, nil
}

// List returns the organization's connections, oldest first.
func (s *Service) List(ctx context.Context, org *store.Organization) ([]*store.Connection, error) {
	cs, err := s.Store.ListConnections(ctx, org.ProjectID, org.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return cs, nil
}

// Delete removes a connection of any kind. The organization's default
// connection cannot be deleted (unset sso_default_connection_id first);
// the connection is dropped from the organization's JIT allow-list; and
// external connections that log in through it are deleted with it.
func (s *Service) Delete(ctx context.Context, org *store.Organization, id string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		o, err := q.GetOrganizationForUpdate(ctx, org.ProjectID, org.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		c, err := loadForUpdate(ctx, q, o, "", id)
		if err != nil {
			return err
		}
		if o.SSODefaultConnectionID == c.ID {
			return apierr.BadRequest("cannot_delete_default_sso_connection",
				"This connection is the organization's sso_default_connection_id; set another default (or clear it) before deleting it.")
		}
		if err := s.detachExternals(ctx, q, o.ProjectID, c.ID); err != nil {
			return err
		}
		if err := q.DeleteConnection(ctx, o.ProjectID, c.ID); err != nil {
			return apierr.Internal(err)
		}
		if err := s.record(ctx, q, c, events.Delete); err != nil {
			return err
		}
		return organizations.DropJITConnection(ctx, q, o, c.ID)
	})
}

// ConnectionBelongs is the organizations hook: is id a connection of org?
func (s *Service) ConnectionBelongs(ctx context.Context, q store.Queries, projectID, orgID, id string) (bool, error) {
	if !IsConnectionID("", id) {
		return false, nil
	}
	c, err := q.GetConnection(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.OrganizationID == orgID, nil
}

// ActiveConnection is the organization object's summary of a connection.
type ActiveConnection struct {
	ConnectionID     string
	DisplayName      string
	IdentityProvider string
}

// Active lists the organization's active connections.
func (s *Service) Active(ctx context.Context, org *store.Organization) ([]ActiveConnection, error) {
	cs, err := s.List(ctx, org)
	if err != nil {
		return nil, err
	}
	return activeOf(cs)[org.ID], nil
}

// ActiveOfOrganizations is Active for every organization of one project in
// a single query, keyed by organization ID (a search page builds its
// organization objects from it).
func (s *Service) ActiveOfOrganizations(ctx context.Context, projectID string, orgIDs []string) (map[string][]ActiveConnection, error) {
	cs, err := s.Store.ListConnectionsOfOrganizations(ctx, projectID, orgIDs...)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return activeOf(cs), nil
}

// activeOf groups the active connections among cs by organization, keeping
// their order.
func activeOf(cs []*store.Connection) map[string][]ActiveConnection {
	out := map[string][]ActiveConnection{}
	for _, c := range cs {
		if c.Status != "active" {
			continue
		}
		out[c.OrganizationID] = append(out[c.OrganizationID],
			ActiveConnection{ConnectionID: c.ID, DisplayName: c.DisplayName, IdentityProvider: identityProviderOf(c)})
	}
	return out
}

// DetachOrganization is the organizations hook run before an organization is
// deleted: External connections of other organizations that log in through
// its connections are about to go with them (foreign-key cascade), so their
// organizations stop naming them as default or JIT-allowed connections.
func (s *Service) DetachOrganization(ctx context.Context, q store.Queries, o *store.Organization) error {
	cs, err := q.ListConnections(ctx, o.ProjectID, o.ID)
	if err != nil {
		return apierr.Internal(err)
	}
	for _, c := range cs {
		if err := s.detachExternals(ctx, q, o.ProjectID, c.ID); err != nil {
			return err
		}
	}
	return nil
}
