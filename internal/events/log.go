package events

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// Event is the API object of GET /v1/events: who changed what, when and
// through which surface, with the webhook payload that was sent.
type Event struct {
	EventID        string          `json:"event_id"`
	EventType      string          `json:"event_type"`
	Action         string          `json:"action"`
	ObjectType     string          `json:"object_type"`
	ObjectID       string          `json:"object_id"`
	OrganizationID string          `json:"organization_id"`
	Source         string          `json:"source"`
	Actor          Actor           `json:"actor"`
	CreatedAt      time.Time       `json:"created_at"`
	Payload        json.RawMessage `json:"payload"`
}

// ViewOf is the API object of a stored event.
func ViewOf(e *store.Event) Event {
	return Event{EventID: e.ID, EventType: e.Type, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		OrganizationID: e.OrganizationID, Source: e.Source,
		Actor:     Actor{Type: e.ActorType, ID: e.ActorID, MemberID: e.ActorMemberID},
		CreatedAt: e.CreatedAt, Payload: e.Payload}
}

// Query filters GET /v1/events; zero fields are no constraint.
type Query struct {
	ObjectType     string
	ObjectID       string
	OrganizationID string
	EventType      string
	Since, Until   time.Time
	Cursor         string
	Limit          int
}

// Page limits of the events API.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Log reads a project's events.
type Log struct {
	Store store.Store
}

// List returns a page of the project's events, oldest first, and the
// cursor of the next page ("" after the last).
func (l *Log) List(ctx context.Context, projectID string, q Query) ([]Event, string, error) {
	after, err := decodeCursor(q.Cursor)
	if err != nil {
		return nil, "", err
	}
	if q.EventType != "" && !ValidType(q.EventType) {
		return nil, "", apierr.BadRequest("invalid_event_type", "event_type must be source.object_type.action, e.g. direct.member.update.")
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 0 || limit > MaxPageSize {
		return nil, "", apierr.BadRequest("invalid_limit", "limit is 1 to 1000.")
	}
	evs, err := l.Store.ListEvents(ctx, store.EventFilter{ProjectID: projectID, ObjectType: q.ObjectType, ObjectID: q.ObjectID,
		OrganizationID: q.OrganizationID, Type: q.EventType, Since: q.Since, Until: q.Until, AfterSeq: after, Limit: limit + 1})
	if err != nil {
		return nil, "", apierr.Internal(err)
	}
	next := ""
	if len(evs) > limit {
		evs = evs[:limit]
		next = encodeCursor(evs[limit-1].Seq)
	}
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		out = append(out, ViewOf(e))
	}
	return out, next, nil
}

// Cursors are opaque to callers: the position after which the next page
// starts.
func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("events:" + strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	bad := apierr.BadRequest("invalid_cursor", "cursor is not a cursor this API returned.")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), "events:") {
		return 0, bad
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(raw), "events:"), 10, 64)
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}
