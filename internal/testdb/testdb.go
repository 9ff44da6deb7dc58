// Package testdb gives tests a fresh database on each backend: an SQLite
// file in a temporary directory and a new PostgreSQL database on the server
// named by SEAM_TEST_POSTGRES_URL (default: the local trust-auth server).
//
// A test that cannot reach PostgreSQL fails, unless SEAM_TEST_SKIP_POSTGRES=1
// is set explicitly, so CI never silently loses half its coverage.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seamsso/seam/internal/store/sqlstore"
)

// DefaultAdminURL is the maintenance database used to create test databases.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backends lists the backends every store-backed test runs on.
var Backends = []string{"sqlite", "postgres"}

// Open returns a migrated store on the named backend, closed at cleanup.
func Open(t testing.TB, backend string) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		s   *sqlstore.Store
		err error
	)
	switch backend {
	case "sqlite":
		s, err = sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "seam.db"))
	case "postgres":
		s, err = sqlstore.OpenPostgres(ctx, PostgresURL(t))
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	if err != nil {
		t.Fatalf("open %s store: %v", backend, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// URL returns a database URL for the backend suitable for SEAM_DATABASE_URL.
func URL(t testing.TB, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), "seam.db")
	}
	return PostgresURL(t)
}

// PostgresURL creates an empty database and returns its URL; the database
// is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if os.Getenv("SEAM_TEST_SKIP_POSTGRES") == "1" {
		t.Skip("SEAM_TEST_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
	}
	admin := os.Getenv("SEAM_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultAdminURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL unreachable at %s (set SEAM_TEST_SKIP_POSTGRES=1 to skip on purpose): %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "seam_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Logf("drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
