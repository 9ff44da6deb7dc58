// Package events records every committed change of a project's objects as
// an event in Stytch's webhook format (issue 13), in the same transaction as
// the change: a transactional outbox, so an event exists if and only if its
// change committed. The webhooks package delivers them; GET /v1/events reads
// them as an audit log.
//
// A domain service records a change in one line, inside its store.Tx:
//
//	err := s.Events.Record(ctx, q, events.Change{ProjectID: p, OrganizationID: o,
//		ObjectType: events.ObjectMember, ObjectID: m.ID, Action: events.Update, Object: view})
//
// Who made the change (the source and actor) travels in the context, set
// once by the surface that authenticated the caller (the HTTP layer, the
// SCIM handler, the setup page, the CLI) with WithOrigin.
package events
