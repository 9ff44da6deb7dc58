package scim

import (
	"context"
	"slices"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// recordChange records what a SCIM request did to member m, inside the
// transaction that did it and after everything it changes is written, so
// that the event's member object shows the member as the API now returns it
// (its scim_registration included). before is the member's status before
// the request ("" when the request created it). The source and actor (SCIM,
// the connection's token) are in ctx, set where the request authenticated.
// A member deleted by the request is a delete event, as Delete Member
// records; a member that is deleted before and after changed nothing any
// read can see, and records nothing.
func (s *Service) recordChange(ctx context.Context, q store.Queries, sc *Scope, before string, m *store.Member) error {
	return s.record(ctx, q, before, m, func() (*members.Member, error) { return s.Members.View(ctx, q, sc.Org, m) })
}

// recordCreate is recordChange for a member this request created (before
// is "") together with its SCIM user u: the member's view is built from the
// two rows just written (members.ViewCreated), not read back, which saves
// four queries per provisioned user.
func (s *Service) recordCreate(ctx context.Context, q store.Queries, sc *Scope, m *store.Member, u *store.SCIMUser) error {
	return s.record(ctx, q, "", m, func() (*members.Member, error) {
		policy, err := s.Policies.Of(sc.Project.RBACPolicy)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		return s.Members.ViewCreated(policy, sc.Org, m, &store.SCIMRegistration{User: u, GroupRoles: sc.Conn.GroupRoles})
	})
}

// record writes the event of a change of m; view renders the member for
// the non-delete actions.
func (s *Service) record(ctx context.Context, q store.Queries, before string, m *store.Member, view func() (*members.Member, error)) error {
	if s.Events == nil {
		return nil
	}
	wasLive := before != "" && before != members.StatusDeleted
	var a events.Action
	switch {
	case members.IsDeleted(m) && !wasLive:
		return nil
	case members.IsDeleted(m):
		a = events.Delete
	case before == "":
		a = events.Create
	default:
		a = events.Update
	}
	var obj any
	if a != events.Delete {
		v, err := view()
		if err != nil {
			return err
		}
		obj = v
	}
	return s.Events.Record(ctx, q, events.Change{ProjectID: m.ProjectID, OrganizationID: m.OrganizationID,
		ObjectType: events.ObjectMember, ObjectID: m.ID, Action: a, Object: obj})
}

// recordGroupChange records a member update for each member whose SCIM
// groups a group change touched: the member object lists its groups (in
// scim_registration) and holds the roles they grant. Deleted members are
// skipped (no read shows them).
func (s *Service) recordGroupChange(ctx context.Context, q store.Queries, sc *Scope, memberIDs []string) error {
	if s.Events == nil {
		return nil
	}
	ids := slices.Clone(memberIDs)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		m, err := q.GetMember(ctx, sc.Project.ID, id)
		if err != nil {
			return mapInternal(err)
		}
		if members.IsDeleted(m) {
			continue
		}
		if err := s.recordChange(ctx, q, sc, m.Status, m); err != nil {
			return err
		}
	}
	return nil
}

// recordConnection records a change of the SCIM connection itself (create,
// update, token rotation steps, delete) with its API object, never a token:
// the view carries only the tokens' last four characters.
func (s *Service) recordConnection(ctx context.Context, q store.Queries, c *store.SCIMConnection, a events.Action, v *Connection) error {
	var obj any
	if a != events.Delete {
		obj = v
	}
	return s.Events.Record(ctx, q, events.Change{ProjectID: c.ProjectID, OrganizationID: c.OrganizationID,
		ObjectType: events.ObjectSCIMConnection, ObjectID: c.ID, Action: a, Object: obj})
}
