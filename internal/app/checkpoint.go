package app

import (
	"context"
	"log/slog"
	"time"
)

// walCheckpointEvery is how often a SQLite server truncates its WAL.
const walCheckpointEvery = time.Minute

// checkpointer truncates SQLite's write-ahead log every walCheckpointEvery
// (nothing on PostgreSQL), so the WAL file shrinks back after a load
// instead of staying at its high-water mark until a clean stop.
func (a *App) checkpointer(ctx context.Context) {
	if a.Store.Backend() != "sqlite" {
		return
	}
	t := time.NewTicker(walCheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.Store.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("SQLite WAL checkpoint failed", slog.String("error", err.Error()))
			}
		}
	}
}
