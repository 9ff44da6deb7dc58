package organizations

import (
	"context"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
)

// record writes o's event through q, the transaction of the change, with
// the organization's API object.
func (s *Service) record(ctx context.Context, q store.Queries, o *store.Organization, a events.Action) error {
	c, err := s.change(ctx, q, o, a)
	if err != nil {
		return err
	}
	return s.Events.Record(ctx, q, c)
}

// change is o's change for its event; the organization's connections are
// read through q.
func (s *Service) change(ctx context.Context, q store.Queries, o *store.Organization, a events.Action) (events.Change, error) {
	var obj any
	if a != events.Delete && s.Events != nil {
		var active []ActiveConnection
		if s.Hooks.Active != nil {
			var err error
			if active, err = s.Hooks.Active(ctx, q, o); err != nil {
				return events.Change{}, err
			}
		}
		obj = View(o, active)
	}
	return events.Change{ProjectID: o.ProjectID, OrganizationID: o.ID,
		ObjectType: events.ObjectOrganization, ObjectID: o.ID, Action: a, Object: obj}, nil
}

// RecordUpdate records an update of o that another domain made in q's
// transaction (the organization's custom roles).
func (s *Service) RecordUpdate(ctx context.Context, q store.Queries, o *store.Organization) error {
	return s.record(ctx, q, o, events.Update)
}
