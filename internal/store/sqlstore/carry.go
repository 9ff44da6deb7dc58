package sqlstore

import (
	"context"

	"github.com/seamsso/seam/internal/store"
)

// eventInsertCols are the columns a new event row is written with (seq is
// the table's to assign).
const eventInsertCols = `id, project_id, organization_id, object_type, object_id, action,
	source, event_type, actor_type, actor_id, actor_member_id, payload, created_at`

// eventArgs are e's values for eventInsertCols, in order.
func eventArgs(e *store.Event) []any {
	return []any{e.ID, e.ProjectID, e.OrganizationID, e.ObjectType, e.ObjectID, e.Action, e.Source, e.Type,
		e.ActorType, e.ActorID, e.ActorMemberID, js(e.Payload, "{}"), ts(e.CreatedAt)}
}

// writeOne runs stmt, a write of one row whose placeholders are $1..$len(args),
// and reports store.ErrNotFound when it changed no row. When ev is not nil,
// ev is the change's event: it is written if and only if the row is, in the
// same atomic unit. ev.Seq is not reported: nothing that writes an event
// reads its seq back, and on PostgreSQL the statement costs less without a
// result set.
//
// On PostgreSQL that unit is one statement: the change runs as a
// data-modifying CTE and the event's INSERT selects from it, so a change
// and its event cost one round trip and need no transaction of their own
// (an autocommitted statement is atomic). SQLite allows no INSERT, UPDATE or
// DELETE inside WITH; it is in-process, so there the two are separate
// statements in one transaction — the caller's, or one opened here when q
// is the pool.
func (q *queries) writeOne(ctx context.Context, ev *store.Event, stmt string, args ...any) error {
	if ev == nil {
		res, err := q.ex.ExecContext(ctx, stmt, args...)
		return q.affectedOne(res, err)
	}
	if q.d.name() == "postgres" {
		evArgs := eventArgs(ev)
		ph, _ := placeholders(len(args)+1, len(evArgs))
		res, err := q.ex.ExecContext(ctx, `WITH change AS (`+stmt+` RETURNING 1)
			INSERT INTO events (`+eventInsertCols+`) SELECT `+ph+`
			WHERE EXISTS (SELECT FROM change)`, append(args, evArgs...)...)
		return q.affectedOne(res, err)
	}
	if q.pool != nil {
		return q.pool.tx(ctx, func(tq *queries) error { return tq.writeOne(ctx, ev, stmt, args...) })
	}
	if err := q.writeOne(ctx, nil, stmt, args...); err != nil {
		return err
	}
	return q.InsertEvent(ctx, ev)
}
