package store

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one committed change (issue 13), written in the change's own
// transaction. Payload is the webhook body in Stytch's event format; the
// other fields are its indexed facts and the actor, for the events API.
type Event struct {
	Seq            int64 // insertion order, assigned by the store
	ID             string
	ProjectID      string
	OrganizationID string // "" for project-level objects
	ObjectType     string
	ObjectID       string
	Action         string
	Source         string
	Type           string // source.object_type.action
	ActorType      string
	ActorID        string
	ActorMemberID  string
	Payload        json.RawMessage
	CreatedAt      time.Time
}

// EventFilter narrows a project's events; zero fields are no constraint.
// Events come back in Seq order after AfterSeq.
type EventFilter struct {
	ProjectID      string
	ObjectType     string
	ObjectID       string
	OrganizationID string
	Type           string
	Since, Until   time.Time // created_at >= Since, < Until
	AfterSeq       int64
	Limit          int
}

// EventQueries persist events.
type EventQueries interface {
	// InsertEvent appends e and sets e.Seq.
	InsertEvent(ctx context.Context, e *Event) error
	GetEvent(ctx context.Context, projectID, id string) (*Event, error)
	// EventsByID returns the events with these IDs (any project), for the
	// dispatcher's claimed deliveries.
	EventsByID(ctx context.Context, ids []string) ([]*Event, error)
	ListEvents(ctx context.Context, f EventFilter) ([]*Event, error)
	// ClaimUnfannedEvents locks (inside Tx) up to limit events whose
	// deliveries are not made yet, oldest first; rows another transaction
	// holds are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL). It reads
	// what fan-out needs (Seq, ID, ProjectID, ObjectID, Type, CreatedAt),
	// not the payload: every event passes through here, most projects
	// have no endpoint, and a delivery loads its event when it is sent.
	ClaimUnfannedEvents(ctx context.Context, limit int) ([]*Event, error)
	MarkEventsFannedOut(ctx context.Context, seqs []int64) error
	// PurgeEvents deletes events created before t (their deliveries and
	// attempts go with them) and returns how many went.
	PurgeEvents(ctx context.Context, before time.Time) (int, error)
}
