package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/seamsso/seam/internal/store/sqlstore"
)

// TestCheckpointTruncatesWAL: after a burst of writes the WAL file is
// large; a checkpoint empties it and keeps every row.
func TestCheckpointTruncatesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seam.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.DB().ExecContext(ctx, `CREATE TABLE burst (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	const rows = 400
	for i := 0; i < rows; i++ {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO burst (v) VALUES (?)`, fmt.Sprintf("%04d-%01000d", i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if n := walSize(); n < 100<<10 {
		t.Fatalf("WAL is only %d bytes after the burst; the test does not exercise growth", n)
	}
	busy, err := s.Checkpoint(ctx)
	if err != nil || busy {
		t.Fatalf("checkpoint: busy %v, %v", busy, err)
	}
	if n := walSize(); n != 0 {
		t.Fatalf("WAL is %d bytes after a TRUNCATE checkpoint", n)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM burst`).Scan(&n); err != nil || n != rows {
		t.Fatalf("rows after checkpoint: %d %v", n, err)
	}
}
