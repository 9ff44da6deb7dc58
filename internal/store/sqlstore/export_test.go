package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"
	"sort"
	"strings"
)

// MigrateBefore applies the backend's migrations whose names sort before
// stop, so that a test can load data in an older schema.
func MigrateBefore(ctx context.Context, db *sql.DB, backend, stop string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	dir := "migrations/" + backend
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") && e.Name() < stop {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := applyOne(ctx, db, dir, n, ""); err != nil {
			return err
		}
	}
	return nil
}

// MigrateAll applies every remaining migration and returns a store on db.
func MigrateAll(ctx context.Context, db *sql.DB, backend string) (*Store, error) {
	if err := migrate(ctx, db, backend, ""); err != nil {
		return nil, err
	}
	var d dialect = sqliteDialect{}
	if backend == "postgres" {
		d = postgresDialect{}
	}
	return newStore(db, d), nil
}

// OperationOf exposes operationOf, the query-metric label, to tests.
var OperationOf = operationOf
