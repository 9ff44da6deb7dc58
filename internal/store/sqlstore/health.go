package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/store"
)

// PendingMigrations returns, in order, the migrations this binary embeds
// that the database has not recorded as applied. Migrations the database
// has and this binary does not know (a newer replica ran them) are not
// pending: they are how a rolling upgrade looks from an older replica.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	dir := "migrations/" + s.d.name()
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		applied[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var pending []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") && !applied[e.Name()] {
			pending = append(pending, e.Name())
		}
	}
	sort.Strings(pending)
	return pending, nil
}

// MasterKeyCheck returns the sealed master-key check value, or
// store.ErrNotFound when none was written yet.
func (s *Store) MasterKeyCheck(ctx context.Context) (string, error) {
	var sealed string
	err := s.db.QueryRowContext(ctx, `SELECT sealed FROM master_key_check WHERE id = 1`).Scan(&sealed)
	return sealed, s.mapErr(err)
}

// CreateMasterKeyCheck stores sealed as the check value unless one exists
// (the first writer wins; a concurrent start reads the winner's value).
func (s *Store) CreateMasterKeyCheck(ctx context.Context, sealed string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO master_key_check (id, sealed, created_at) VALUES (1, $1, $2)
		ON CONFLICT (id) DO NOTHING`, sealed, ts(at))
	return s.mapErr(err)
}

// OldestSessionSigningKey returns one stored session-JWT signing key (the
// oldest), or store.ErrNotFound when the database holds none. The start-up
// key check opens it on databases from before the check value existed.
func (s *Store) OldestSessionSigningKey(ctx context.Context) (*store.SessionSigningKey, error) {
	k, err := scanKey(s.db.QueryRowContext(ctx, `SELECT `+keyCols+` FROM session_signing_keys ORDER BY created_at, kid LIMIT 1`))
	if err != nil {
		return nil, s.mapErr(err)
	}
	return k, nil
}
