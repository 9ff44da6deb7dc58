// Package store defines Seam's persistence interface and the records it
// stores. Implementations live in sub-packages; every implementation must
// pass the conformance suite in internal/store/storetest.
//
// Records are plain values. Services read them, decide, and write them back
// inside Tx so that concurrent updates of one object serialize on a row lock.
package store

import (
	"context"
	"errors"
)

// ErrNotFound is returned when a looked-up record does not exist (in the
// given project). Services translate it into the Stytch not-found type.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would violate a uniqueness rule.
// Field names the unique field ("slug", "external_id", "email_address", ...).
type ErrConflict struct{ Field string }

func (e *ErrConflict) Error() string { return "store: conflict on " + e.Field }

// Store is a database handle. Queries outside Tx run in their own implicit
// transactions.
type Store interface {
	Queries
	// Tx runs fn in one transaction; fn's error rolls it back. Reads done with
	// the *ForUpdate methods inside fn lock their rows until commit.
	Tx(ctx context.Context, fn func(q Queries) error) error
	Ping(ctx context.Context) error
	Close() error
}

// Queries is every operation, usable on the handle or inside Tx.
type Queries interface {
	ProjectQueries
	ProjectAdminQueries
	WorkspaceKeyQueries
	OrganizationQueries
	ConnectionQueries
	LoginQueries
	MemberQueries
	MemberLifecycleQueries
	SessionQueries
	TestIdPQueries
	MetadataRefreshQueries
	SealedQueries
	EventQueries
	WebhookQueries
	SetupLinkQueries
	SCIMQueries
}
