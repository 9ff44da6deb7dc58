package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// QueryObserver receives the duration of every statement the store runs,
// by operation (select, insert, update, delete, with, other), and of every
// transaction from begin to commit or rollback (transaction). It must be
// cheap and safe for concurrent use; the metrics registry provides one.
type QueryObserver func(operation string, d time.Duration)

// Observe makes the store report its statements and transactions to obs.
// Call it once, before the store is shared.
func (s *Store) Observe(obs QueryObserver) {
	s.obs = obs
	s.queries.ex = observed{ex: s.db, obs: obs}
}

// observed times each statement of an execer.
type observed struct {
	ex  execer
	obs QueryObserver
}

func (o observed) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t0 := time.Now()
	r, err := o.ex.ExecContext(ctx, query, args...)
	o.obs(operationOf(query), time.Since(t0))
	return r, err
}

// QueryContext times the query until its first rows are ready, not the
// caller's iteration over them.
func (o observed) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t0 := time.Now()
	r, err := o.ex.QueryContext(ctx, query, args...)
	o.obs(operationOf(query), time.Since(t0))
	return r, err
}

func (o observed) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t0 := time.Now()
	r := o.ex.QueryRowContext(ctx, query, args...)
	o.obs(operationOf(query), time.Since(t0))
	return r
}

// operationOf is the statement's first keyword, from a fixed set so that
// the metric's labels stay few.
func operationOf(query string) string {
	q := strings.TrimLeft(query, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	switch op := strings.ToLower(q[:end]); op {
	case "select", "insert", "update", "delete", "with":
		return op
	}
	return "other"
}
