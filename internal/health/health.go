// Package health decides whether this process may receive traffic: the
// database answers, its schema has every migration this binary knows, the
// master key opens what is sealed in it, and the process is not draining
// for shutdown. /readyz reports it; `seam serve` checks the key at start.
package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

// Error types of a failed readiness check (the error_type of /readyz).
const (
	TypeDraining            = "draining"
	TypeDatabaseUnavailable = "database_unavailable"
	TypeMigrationsPending   = "migrations_pending"
	TypeMasterKeyMismatch   = "master_key_mismatch"
)

// Store is what the checks read.
type Store interface {
	Ping(ctx context.Context) error
	PendingMigrations(ctx context.Context) ([]string, error)
	MasterKeyCheck(ctx context.Context) (string, error)
	CreateMasterKeyCheck(ctx context.Context, sealed string, at time.Time) error
}

// keyCheckAAD binds the check value to its purpose; keyCheckText is what it
// seals. Neither is secret: the check proves possession of the key only.
const (
	keyCheckAAD  = "seam/master-key-check/v1"
	keyCheckText = "seam master key check"
)

// Checker runs the readiness checks. It is safe for concurrent use.
type Checker struct {
	Store  Store
	Sealer *keys.Sealer
	Now    func() time.Time
	// Existing, when set, opens one value sealed before the check value
	// existed (a database from an older Seam); VerifyMasterKey calls it
	// before writing the first check value so that a wrong key cannot
	// become the database's key by starting first after an upgrade.
	Existing func(ctx context.Context) error

	draining atomic.Bool
}

// Drain makes every later Ready fail with TypeDraining: the load balancer
// stops sending new requests while in-flight ones finish.
func (c *Checker) Drain() { c.draining.Store(true) }

// Draining reports whether Drain was called.
func (c *Checker) Draining() bool { return c.draining.Load() }

// ErrWrongMasterKey is returned by VerifyMasterKey when the key does not
// open what the database holds.
var ErrWrongMasterKey = errors.New("the master key does not open the values sealed in this database")

// VerifyMasterKey proves at start that the master key opens the database's
// sealed values, writing the check value on first start. The error names
// SEAM_SECRET_KEY so that an operator knows which setting is wrong.
func (c *Checker) VerifyMasterKey(ctx context.Context) error {
	sealed, err := c.Store.MasterKeyCheck(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if sealed, err = c.createCheck(ctx); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("read the master key check: %w", err)
	}
	if err := c.open(sealed); err != nil {
		return wrongKey(err)
	}
	return nil
}

// createCheck writes the first check value and returns the stored one.
func (c *Checker) createCheck(ctx context.Context) (string, error) {
	if c.Existing != nil {
		if err := c.Existing(ctx); err != nil {
			return "", wrongKey(err)
		}
	}
	fresh, err := c.Sealer.Seal([]byte(keyCheckText), []byte(keyCheckAAD))
	if err != nil {
		return "", err
	}
	if err := c.Store.CreateMasterKeyCheck(ctx, fresh, c.Now()); err != nil {
		return "", fmt.Errorf("store the master key check: %w", err)
	}
	// Read back: a replica starting at the same moment may have won.
	sealed, err := c.Store.MasterKeyCheck(ctx)
	if err != nil {
		return "", fmt.Errorf("read the master key check: %w", err)
	}
	return sealed, nil
}

func wrongKey(cause error) error {
	return fmt.Errorf("SEAM_SECRET_KEY: %w (%v). Give every replica the key the database was written with "+
		"(with SQLite and no SEAM_SECRET_KEY, the key file beside the database)", ErrWrongMasterKey, cause)
}

func (c *Checker) open(sealed string) error {
	pt, err := c.Sealer.Open(sealed, []byte(keyCheckAAD))
	if err != nil {
		return err
	}
	if string(pt) != keyCheckText {
		return keys.ErrSealedAuth
	}
	return nil
}

// Ready runs every check in order and returns the first failure as a 503
// Stytch error whose error_type names it.
func (c *Checker) Ready(ctx context.Context) error {
	if c.Draining() {
		return apierr.New(http.StatusServiceUnavailable, TypeDraining,
			"This replica is shutting down and takes no new requests.")
	}
	if err := c.Store.Ping(ctx); err != nil {
		return apierr.Wrap(err, http.StatusServiceUnavailable, TypeDatabaseUnavailable, "The database is not reachable.")
	}
	pending, err := c.Store.PendingMigrations(ctx)
	if err != nil {
		return apierr.Wrap(err, http.StatusServiceUnavailable, TypeDatabaseUnavailable, "The database did not answer the schema check.")
	}
	if len(pending) > 0 {
		return apierr.New(http.StatusServiceUnavailable, TypeMigrationsPending,
			"The database lacks migrations this version needs ("+strings.Join(pending, ", ")+"); run `seam migrate`.")
	}
	sealed, err := c.Store.MasterKeyCheck(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.New(http.StatusServiceUnavailable, TypeMasterKeyMismatch,
			"The database holds no master key check value; restart this replica so that it verifies SEAM_SECRET_KEY.")
	}
	if err != nil {
		return apierr.Wrap(err, http.StatusServiceUnavailable, TypeDatabaseUnavailable, "The database did not answer the master key check.")
	}
	if err := c.open(sealed); err != nil {
		return apierr.Wrap(err, http.StatusServiceUnavailable, TypeMasterKeyMismatch,
			"SEAM_SECRET_KEY does not open the values sealed in the database.")
	}
	return nil
}
