package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const eventCols = `seq, id, project_id, organization_id, object_type, object_id, action, source, event_type,
	actor_type, actor_id, actor_member_id, payload, created_at`

// skipLocked is appended to a claim's SELECT: PostgreSQL replicas skip the
// rows another replica's claim holds instead of waiting for them. SQLite
// has one writer at a time (IMMEDIATE transactions), so it needs nothing.
func (q *queries) skipLocked() string {
	if q.d.name() == "postgres" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

func scanEvent(rows rowScanner) (*store.Event, error) {
	e := &store.Event{}
	err := rows.Scan(&e.Seq, &e.ID, &e.ProjectID, &e.OrganizationID, &e.ObjectType, &e.ObjectID, &e.Action, &e.Source,
		&e.Type, &e.ActorType, &e.ActorID, &e.ActorMemberID, jsonCol{&e.Payload, "{}"}, timeCol{&e.CreatedAt})
	return e, err
}

func (q *queries) InsertEvent(ctx context.Context, e *store.Event) error {
	err := q.ex.QueryRowContext(ctx, `INSERT INTO events (`+eventInsertCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq`, eventArgs(e)...).Scan(&e.Seq)
	return q.mapErr(err)
}

func (q *queries) GetEvent(ctx context.Context, projectID, id string) (*store.Event, error) {
	e, err := scanEvent(q.ex.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return nil, q.mapErr(err)
	}
	return e, nil
}

func (q *queries) ListEvents(ctx context.Context, f store.EventFilter) ([]*store.Event, error) {
	conds := []string{"project_id = $1", "seq > $2"}
	args := []any{f.ProjectID, f.AfterSeq}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.Replace(cond, "?", "$"+itoa(len(args)), 1))
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.OrganizationID != "" {
		add("organization_id = ?", f.OrganizationID)
	}
	if f.Type != "" {
		add("event_type = ?", f.Type)
	}
	if !f.Since.IsZero() {
		add("created_at >= ?", ts(f.Since))
	}
	if !f.Until.IsZero() {
		add("created_at < ?", ts(f.Until))
	}
	args = append(args, f.Limit)
	return queryAll(ctx, q, `SELECT `+eventCols+` FROM events WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY seq LIMIT $`+itoa(len(args)), args, scanEvent)
}

func (q *queries) ClaimUnfannedEvents(ctx context.Context, limit int) ([]*store.Event, error) {
	return queryAll(ctx, q, `SELECT seq, id, project_id, object_id, event_type, created_at
		FROM events WHERE fanned_out = $1 ORDER BY seq LIMIT $2`+q.skipLocked(),
		[]any{false, limit}, func(rows rowScanner) (*store.Event, error) {
			e := &store.Event{}
			return e, rows.Scan(&e.Seq, &e.ID, &e.ProjectID, &e.ObjectID, &e.Type, timeCol{&e.CreatedAt})
		})
}

func (q *queries) MarkEventsFannedOut(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	// The list is integers this store assigned, formatted here: one
	// statement whatever the batch size.
	list := make([]string, len(seqs))
	for i, s := range seqs {
		list[i] = strconv.FormatInt(s, 10)
	}
	_, err := q.ex.ExecContext(ctx, `UPDATE events SET fanned_out = $1 WHERE seq IN (`+strings.Join(list, ",")+`)`, true)
	return q.mapErr(err)
}

func (q *queries) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM events WHERE created_at < $1`, ts(before))
	if err != nil {
		return 0, q.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), q.mapErr(err)
}

func (q *queries) EventsByID(ctx context.Context, ids []string) ([]*store.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cond, args := q.d.inSet("id", 1, ids)
	return queryAll(ctx, q, `SELECT `+eventCols+` FROM events WHERE `+cond, args, scanEvent)
}
