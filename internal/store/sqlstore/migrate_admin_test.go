package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/seamsso/seam/internal/store/sqlstore"
	"github.com/seamsso/seam/internal/testdb"
)

// TestMigrationProjectAdmin loads projects in the schema before migration
// 0005 and checks that their secret, public token and redirect URLs move to
// the new tables unchanged in meaning, on both backends.
func TestMigrationProjectAdmin(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			var db *sql.DB
			var err error
			if backend == "sqlite" {
				db, err = sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "old.db")+"?_pragma=foreign_keys(ON)")
			} else {
				db, err = sql.Open("pgx", testdb.PostgresURL(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := sqlstore.MigrateBefore(ctx, db, backend, "0005"); err != nil {
				t.Fatal(err)
			}
			const a, b = "project-test-00000000-0000-4000-8000-00000000000a", "project-live-00000000-0000-4000-8000-00000000000b"
			insert := `INSERT INTO projects (id, environment, name, secret_hash, public_token, redirect_urls, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`
			rows := [][]any{
				{a, "test", "A", []byte{1, 2, 3}, "public-token-test-a", `["https://a.example/cb","https://a.example/signup","https://a.example/cb"]`, "2026-01-02T03:04:05.000000Z"},
				{b, "live", "B", []byte{4, 5, 6}, "public-token-live-b", `[]`, "2026-01-02T03:04:06.000000Z"},
			}
			for _, r := range rows {
				if _, err := db.ExecContext(ctx, insert, r...); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO organizations (id, project_id, name, slug, sso_jit_provisioning, created_at, updated_at)
				VALUES ('organization-test-x', $1, 'Org', 'org', 'ALL_ALLOWED', '2026-01-02T03:04:05.000000Z', '2026-01-02T03:04:05.000000Z')`, a); err != nil {
				t.Fatal(err)
			}
			s, err := sqlstore.MigrateAll(ctx, db, backend)
			if err != nil {
				t.Fatal(err)
			}

			p, err := s.GetProject(ctx, a)
			if err != nil || p.ProjectSlug != a || p.EnvironmentSlug != "test" || p.Name != "A" {
				t.Fatalf("project = %+v, %v", p, err)
			}
			if lp, err := s.GetProject(ctx, b); err != nil || lp.EnvironmentSlug != "live" {
				t.Errorf("live project = %+v, %v", lp, err)
			}
			secrets, err := s.ListProjectSecrets(ctx, a)
			if err != nil || len(secrets) != 1 || !bytes.Equal(secrets[0].Hash, []byte{1, 2, 3}) ||
				secrets[0].ID != "secret-test-00000000-0000-4000-8000-00000000000a" {
				t.Errorf("secrets = %+v, %v", secrets, err)
			}
			if byTok, err := s.GetProjectByPublicToken(ctx, "public-token-live-b"); err != nil || byTok.ID != b {
				t.Errorf("by public token = %+v, %v", byTok, err)
			}
			urls, err := s.ListRedirectURLs(ctx, a)
			if err != nil || len(urls) != 2 {
				t.Fatalf("redirect URLs = %+v, %v", urls, err)
			}
			want := map[string]bool{"https://a.example/cb": true, "https://a.example/signup": false}
			for _, u := range urls {
				if len(u.ValidTypes) != 2 || u.ValidTypes[0].Type != "LOGIN" || u.ValidTypes[1].Type != "SIGNUP" ||
					u.ValidTypes[0].IsDefault != want[u.URL] || u.ValidTypes[1].IsDefault != want[u.URL] {
					t.Errorf("migrated %s = %+v", u.URL, u.ValidTypes)
				}
			}
			if urls, _ := s.ListRedirectURLs(ctx, b); len(urls) != 0 {
				t.Errorf("project without URLs got %+v", urls)
			}
			// The organizations survived (no table was rebuilt under them).
			if _, err := s.GetOrganization(ctx, a, "organization-test-x"); err != nil {
				t.Errorf("organization after migration: %v", err)
			}
		})
	}
}
