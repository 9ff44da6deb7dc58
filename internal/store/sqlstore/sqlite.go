package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type sqliteDialect struct{}

func (sqliteDialect) name() string      { return "sqlite" }
func (sqliteDialect) forUpdate() string { return "" } // IMMEDIATE transactions already serialize writers

// inSet spells the set out as an IN list (SQLite has no array type).
func (sqliteDialect) inSet(col string, n int, vals []string) (string, []any) {
	ph, _ := placeholders(n, len(vals))
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + ph + ")", args
}

func (sqliteDialect) uniqueViolation(err error) (string, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return se.Error(), true
		}
	}
	return "", false
}

// OpenSQLite opens (creating if needed) the database file at path in WAL
// mode with a busy timeout, and applies migrations. path may be ":memory:"
// only for tests that use a single connection.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if strings.Contains(path, ":memory:") {
		db.SetMaxOpenConns(1)
	}
	s := newStore(db, sqliteDialect{})
	if err := migrate(ctx, db, "sqlite", ""); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
