package sso

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
)

// objectType is the event object type of a connection kind.
func objectType(kind string) string {
	switch kind {
	case store.KindSAML:
		return events.ObjectSAMLConnection
	case store.KindOIDC:
		return events.ObjectOIDCConnection
	}
	return events.ObjectExternalConnection
}

// view is the API object of a connection of any kind: the views hold no
// private key or client secret.
func (s *Service) view(c *store.Connection) (any, error) {
	switch c.Kind {
	case store.KindSAML:
		return s.SAMLView(c)
	case store.KindOIDC:
		return s.OIDCView(c)
	}
	return s.ExternalView(c)
}

// record writes c's event through q, the transaction of the change.
func (s *Service) record(ctx context.Context, q store.Queries, c *store.Connection, a events.Action) error {
	e, err := s.event(ctx, c, a)
	if e == nil || err != nil {
		return err
	}
	if err := q.InsertEvent(ctx, e); err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// event is c's event (nil without a recorder).
func (s *Service) event(ctx context.Context, c *store.Connection, a events.Action) (*store.Event, error) {
	return s.eventOf(ctx, c, a, nil)
}

// eventOf is c's event with obj as c's API object, when the caller has it
// (encoded once for the event and the response), or else rendered from c.
func (s *Service) eventOf(ctx context.Context, c *store.Connection, a events.Action, obj any) (*store.Event, error) {
	if s.Events == nil {
		return nil, nil
	}
	switch {
	case a == events.Delete:
		obj = nil
	case obj == nil:
		v, err := s.view(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		obj = v
	}
	return s.Events.Event(ctx, events.Change{ProjectID: c.ProjectID, OrganizationID: c.OrganizationID,
		ObjectType: objectType(c.Kind), ObjectID: c.ID, Action: a, Object: obj})
}

// ActiveIn is Active through q (inside a transaction), for the organization
// object of an event.
func (s *Service) ActiveIn(ctx context.Context, q store.Queries, org *store.Organization) ([]ActiveConnection, error) {
	cs, err := q.ListConnections(ctx, org.ProjectID, org.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return activeOf(cs)[org.ID], nil
}
