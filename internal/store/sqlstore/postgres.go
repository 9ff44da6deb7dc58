package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

type postgresDialect struct{}

func (postgresDialect) name() string      { return "postgres" }
func (postgresDialect) forUpdate() string { return " FOR UPDATE" }

// inSet binds the whole set as one text[] parameter, so the statement text
// is the same whatever the number of values.
func (postgresDialect) inSet(col string, n int, vals []string) (string, []any) {
	return col + " = ANY($" + itoa(n) + ")", []any{vals}
}

func (postgresDialect) uniqueViolation(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		// Only the constraint's name: the detail quotes the offending
		// values, which must neither be matched against nor leak.
		return pe.ConstraintName, true
	}
	return "", false
}

// OpenPostgres connects a pgx pool to url, exposes it through database/sql
// so both backends share one implementation, and applies migrations under an
// advisory lock so that replicas starting together migrate once.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	if err := migrate(ctx, db, "postgres", "SELECT pg_advisory_xact_lock(7240319)"); err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	return newStore(db, postgresDialect{}), nil
}
