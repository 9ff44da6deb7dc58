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

// ClaimUnfannedEvents reads the oldest events waiting in the fan-out queue
// (event_fanout, filled by a trigger on events; migration 0017). On
// PostgreSQL the queue rows are locked, and rows another replica holds are
// skipped.
func (q *queries) ClaimUnfannedEvents(ctx context.Context, limit int) ([]*store.Event, error) {
	lock := ""
	if q.d.name() == "postgres" {
		lock = " FOR UPDATE OF f SKIP LOCKED"
	}
	return queryAll(ctx, q, `SELECT e.seq, e.id, e.project_id, e.object_id, e.event_type, e.created_at
		FROM event_fanout f JOIN events e ON e.seq = f.seq ORDER BY f.seq LIMIT $1`+lock,
		[]any{limit}, func(rows rowScanner) (*store.Event, error) {
			e := &store.Event{}
			return e, rows.Scan(&e.Seq, &e.ID, &e.ProjectID, &e.ObjectID, &e.Type, timeCol{&e.CreatedAt})
		})
}

// MarkEventsFannedOut takes the events out of the fan-out queue.
func (q *queries) MarkEventsFannedOut(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	_, err := q.ex.ExecContext(ctx, `DELETE FROM event_fanout WHERE seq IN (`+seqList(seqs)+`)`)
	return q.mapErr(err)
}

// seqList formats event sequence numbers, which this store assigned, for
// an IN list: one statement whatever the batch size.
func seqList(seqs []int64) string {
	list := make([]string, len(seqs))
	for i, s := range seqs {
		list[i] = strconv.FormatInt(s, 10)
	}
	return strings.Join(list, ",")
}

// purgeBatch is how many of the oldest events one cleanup round reads.
const purgeBatch = 1000

// PurgeEvents deletes the events created before `before`. It walks the
// primary key from the oldest event (events are appended in time order, so
// the expired ones are at its start) in rounds of purgeBatch and stops at
// the first event that has not expired: no index on created_at is needed,
// which every event insert would maintain for an hourly cleanup. An event
// whose writer's clock ran behind another's by more than the gap between
// them is only deleted by a later cleanup.
func (q *queries) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		oldest, err := queryAll(ctx, q, `SELECT seq, created_at FROM events ORDER BY seq LIMIT $1`, []any{purgeBatch},
			func(rows rowScanner) (*store.Event, error) {
				e := &store.Event{}
				return e, rows.Scan(&e.Seq, timeCol{&e.CreatedAt})
			})
		if err != nil {
			return total, err
		}
		expired := 0
		for expired < len(oldest) && oldest[expired].CreatedAt.Before(before) {
			expired++
		}
		if expired == 0 {
			return total, nil
		}
		last := oldest[expired-1].Seq
		// An expired event still queued for fan-out (its deliveries would be
		// purged with it) leaves the queue first.
		if _, err := q.ex.ExecContext(ctx, `DELETE FROM event_fanout WHERE seq IN
			(SELECT seq FROM events WHERE seq <= $1 AND created_at < $2)`, last, ts(before)); err != nil {
			return total, q.mapErr(err)
		}
		// created_at is checked again: an event committed after the read
		// above with a lower seq (its writer took the number earlier) is new.
		res, err := q.ex.ExecContext(ctx, `DELETE FROM events WHERE seq <= $1 AND created_at < $2`, last, ts(before))
		if err != nil {
			return total, q.mapErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, q.mapErr(err)
		}
		total += int(n)
		if expired < len(oldest) {
			return total, nil
		}
	}
}

func (q *queries) EventsByID(ctx context.Context, ids []string) ([]*store.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cond, args := q.d.inSet("id", 1, ids)
	return queryAll(ctx, q, `SELECT `+eventCols+` FROM events WHERE `+cond, args, scanEvent)
}
