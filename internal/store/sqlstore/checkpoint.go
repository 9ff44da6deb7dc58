package sqlstore

import (
	"context"
	"fmt"
)

// Checkpoint copies SQLite's write-ahead log into the database file and
// truncates the log to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), so the
// WAL does not stay at its high-water mark after a burst of writes. It is a
// no-op on PostgreSQL. A checkpoint that readers keep from completing is
// reported as busy and simply retried at the next call.
func (s *Store) Checkpoint(ctx context.Context) (busy bool, err error) {
	if s.d.name() != "sqlite" {
		return false, nil
	}
	var b, logFrames, checkpointed int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&b, &logFrames, &checkpointed); err != nil {
		return false, fmt.Errorf("wal checkpoint: %w", err)
	}
	return b != 0, nil
}
