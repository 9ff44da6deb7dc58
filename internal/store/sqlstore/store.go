// Package sqlstore implements store.Store on database/sql for two backends:
// PostgreSQL (pgx, pooled) and SQLite (modernc.org/sqlite, no cgo). The SQL
// is shared; the dialect covers the few places where the engines differ
// (column types in migrations, row locks, time encoding, error codes).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/store"
)

// dialect is what differs between the backends at run time.
type dialect interface {
	name() string
	// forUpdate is appended to SELECTs that must lock their rows.
	forUpdate() string
	// uniqueViolation reports whether err is a unique-constraint violation and
	// returns text naming the constraint or its columns.
	uniqueViolation(err error) (string, bool)
	// inSet is the condition "col is one of vals" with its placeholders
	// numbered from $n, and its arguments. vals is not empty.
	inSet(col string, n int, vals []string) (string, []any)
}

// execer is satisfied by *sql.DB and *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements store.Queries over either a pool or a transaction.
type queries struct {
	ex execer
	d  dialect
	// pool is the store when ex is its pool, nil inside a transaction: a
	// write that must be atomic with its event opens one from it where a
	// single statement cannot carry both (carry.go).
	pool *Store
}

// Store is a store.Store backed by a SQL database.
type Store struct {
	queries
	db  *sql.DB
	obs QueryObserver // nil: nothing is timed (see Observe)
}

var _ store.Store = (*Store)(nil)

// newStore is a store on db whose statements speak d.
func newStore(db *sql.DB, d dialect) *Store {
	s := &Store{queries: queries{ex: db, d: d}, db: db}
	s.queries.pool = s
	return s
}

// Tx runs fn inside a transaction. SQLite connections are opened with
// _txlock=immediate so a transaction holds the write lock from its start,
// which gives the same no-lost-update guarantee as PostgreSQL's row locks.
func (s *Store) Tx(ctx context.Context, fn func(q store.Queries) error) error {
	return s.tx(ctx, func(q *queries) error { return fn(q) })
}

// tx is Tx for this package's own use of the transaction's queries.
func (s *Store) tx(ctx context.Context, fn func(q *queries) error) (err error) {
	t0 := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var ex execer = tx
	if s.obs != nil {
		ex = observed{ex: tx, obs: s.obs}
		defer func() { s.obs("transaction", time.Since(t0)) }()
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&queries{ex: ex, d: s.d}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return s.mapErr(err)
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close releases the pool.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle for migrations and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Backend names the engine ("sqlite" or "postgres").
func (s *Store) Backend() string { return s.d.name() }

// mapErr turns driver errors into store errors.
func (q *queries) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if text, ok := q.d.uniqueViolation(err); ok {
		return &store.ErrConflict{Field: conflictField(text)}
	}
	return err
}
