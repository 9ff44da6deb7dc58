// Package metadatarefresh runs the schedule of SAML metadata refreshes: each
// replica claims the connections that are due (a claim moves their next
// refresh forward in one statement, so replicas never fetch one URL twice)
// and refreshes them through the sso service, which owns the rules.
package metadatarefresh

import (
	"context"
	"log/slog"
	"time"

	"github.com/seamsso/seam/internal/sso"
)

// Defaults of the Worker's zero fields.
const (
	DefaultTick        = time.Minute
	DefaultBatch       = 20
	DefaultExpiryEvery = 10 * time.Minute
	maxRetry           = time.Hour
)

// Worker refreshes due metadata sources.
type Worker struct {
	SSO *sso.Service
	Now func() time.Time
	Log *slog.Logger
	// Interval between refreshes of one connection (sso's default if 0).
	Interval time.Duration
	// Tick is how often due sources are looked for; Batch how many one
	// claim takes.
	Tick  time.Duration
	Batch int
	// ExpiryEvery is how often certificate expiry is scanned for Expiry.
	ExpiryEvery time.Duration
	// Expiry receives each scan (metrics); nil skips the scan.
	Expiry func([]sso.ConnectionExpiry)
	// SPRotation is the schedule of Seam's own SP signing certificates,
	// run at each expiry scan (sso.DefaultSPRotation when zero).
	SPRotation sso.SPRotation
}

func (w *Worker) interval() time.Duration {
	if w.Interval > 0 {
		return w.Interval
	}
	return sso.DefaultMetadataRefreshInterval
}

// retry is when a failed or refused refresh is tried again: sooner than a
// whole interval, so a brief IdP outage does not leave a rollover a day
// behind, but not so soon that a broken URL is hammered.
func (w *Worker) retry() time.Duration {
	return min(w.interval(), maxRetry)
}

// RunOnce claims and refreshes every source due now, batch by batch, and
// returns how many it refreshed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	n := 0
	for {
		now := w.Now()
		due, err := w.SSO.Store.ClaimDueMetadataSources(ctx, now, now.Add(w.interval()), batch)
		if err != nil {
			return n, err
		}
		for _, src := range due {
			rec, err := w.SSO.RefreshSAMLMetadata(ctx, src)
			if err != nil {
				if ctx.Err() != nil {
					return n, ctx.Err()
				}
				w.Log.Warn("metadata refresh failed", slog.String("connection_id", src.ConnectionID), slog.String("error", err.Error()))
				continue
			}
			n++
			if rec == nil {
				continue
			}
			switch rec.Outcome {
			case sso.RefreshFailed, sso.RefreshRefused:
				w.Log.Warn("metadata refresh changed nothing", slog.String("connection_id", src.ConnectionID),
					slog.String("outcome", rec.Outcome), slog.String("error_type", rec.ErrorType))
				if err := w.SSO.Store.SetMetadataSourceNext(ctx, src.ConnectionID, w.Now().Add(w.retry())); err != nil && ctx.Err() == nil {
					w.Log.Warn("metadata refresh: scheduling the retry failed", slog.String("error", err.Error()))
				}
			case sso.RefreshUpdated:
				w.Log.Info("metadata refresh updated a connection", slog.String("connection_id", src.ConnectionID),
					slog.Int("certificates_added", len(rec.Added)), slog.Int("certificates_removed", len(rec.Removed)))
			}
		}
		if len(due) < batch {
			return n, nil
		}
	}
}

// RotateSPCertificates runs the SP signing-certificate schedule over every
// SAML connection (sso.RotateSigningCertificates) and logs what it did.
func (w *Worker) RotateSPCertificates(ctx context.Context) {
	p := w.SPRotation
	if p == (sso.SPRotation{}) {
		p = sso.DefaultSPRotation()
	}
	n, err := w.SSO.RotateSigningCertificates(ctx, p)
	if n > 0 {
		w.Log.Info("SP signing certificates rotated on schedule", slog.Int("steps", n))
	}
	if err != nil && ctx.Err() == nil {
		w.Log.Warn("SP signing-certificate schedule failed", slog.String("error", err.Error()))
	}
}

// ScanExpiry reports certificate expiry to Expiry.
func (w *Worker) ScanExpiry(ctx context.Context) error {
	if w.Expiry == nil {
		return nil
	}
	all, err := w.SSO.ScanCertificateExpiry(ctx)
	if err != nil {
		return err
	}
	w.Expiry(all)
	return nil
}

// Run refreshes due sources every Tick and scans expiry every ExpiryEvery
// until ctx ends. Every replica runs one.
func (w *Worker) Run(ctx context.Context) {
	tick, every := w.Tick, w.ExpiryEvery
	if tick <= 0 {
		tick = DefaultTick
	}
	if every <= 0 {
		every = DefaultExpiryEvery
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	var lastScan time.Time
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("metadata refresh: claiming due connections failed", slog.String("error", err.Error()))
		}
		if now := w.Now(); now.Sub(lastScan) >= every {
			w.RotateSPCertificates(ctx)
			if err := w.ScanExpiry(ctx); err != nil && ctx.Err() == nil {
				w.Log.Warn("certificate expiry scan failed", slog.String("error", err.Error()))
			} else {
				lastScan = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
