package members

import (
	"context"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
)

// record writes m's event through q, the transaction of the change, with
// the member's API object (the same JSON the API returns).
func (s *Service) record(ctx context.Context, q store.Queries, org *store.Organization, m *store.Member, a events.Action) error {
	if s.Events == nil {
		return nil
	}
	var obj any
	if a != events.Delete {
		v, err := s.View(ctx, q, org, m)
		if err != nil {
			return err
		}
		obj = v
	}
	return s.recordObject(ctx, q, m, a, obj)
}

// recordObject is record with the API object already rendered.
func (s *Service) recordObject(ctx context.Context, q store.Queries, m *store.Member, a events.Action, obj any) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.Record(ctx, q, events.Change{ProjectID: m.ProjectID, OrganizationID: m.OrganizationID,
		ObjectType: events.ObjectMember, ObjectID: m.ID, Action: a, Object: obj})
}
