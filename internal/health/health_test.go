package health_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/health"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/store/sqlstore"
	"github.com/seamsso/seam/internal/testdb"
)

func sealer(t *testing.T, b byte) *keys.Sealer {
	t.Helper()
	s, err := keys.NewSealer(bytes.Repeat([]byte{b}, keys.MasterKeySize), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checker(st *sqlstore.Store, s *keys.Sealer) *health.Checker {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &health.Checker{Store: st, Sealer: s, Now: func() time.Time { return at }}
}

// errorType is the error_type a failed Ready answers with ("" when ready).
func errorType(t *testing.T, c *health.Checker) string {
	t.Helper()
	err := c.Ready(context.Background())
	if err == nil {
		return ""
	}
	e := apierr.As(err)
	if e == nil || e.Status != 503 {
		t.Fatalf("Ready failed without a 503 Stytch error: %#v", err)
	}
	return e.Type
}

func TestReadiness(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				break_ func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker
				want   string
			}{
				{"ready", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker { return c }, ""},
				{"draining", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker {
					c.Drain()
					return c
				}, health.TypeDraining},
				{"database closed", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker {
					st.Close()
					return c
				}, health.TypeDatabaseUnavailable},
				{"migration missing", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker {
					if _, err := st.DB().ExecContext(ctx, `DELETE FROM schema_migrations WHERE name = '0009_master_key_check.sql'`); err != nil {
						t.Fatal(err)
					}
					return c
				}, health.TypeMigrationsPending},
				{"another master key", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker {
					return checker(st, sealer(t, 2))
				}, health.TypeMasterKeyMismatch},
				{"check value replaced", func(t *testing.T, st *sqlstore.Store, c *health.Checker) *health.Checker {
					other, _ := sealer(t, 3).Seal([]byte("seam master key check"), []byte("seam/master-key-check/v1"))
					if _, err := st.DB().ExecContext(ctx, `UPDATE master_key_check SET sealed = $1`, other); err != nil {
						t.Fatal(err)
					}
					return c
				}, health.TypeMasterKeyMismatch},
			} {
				t.Run(tc.name, func(t *testing.T) {
					st := testdb.Open(t, backend)
					c := checker(st, sealer(t, 1))
					if err := c.VerifyMasterKey(ctx); err != nil {
						t.Fatalf("first start: %v", err)
					}
					if got := errorType(t, tc.break_(t, st, c)); got != tc.want {
						t.Fatalf("error_type %q, want %q", got, tc.want)
					}
				})
			}
		})
	}
}

func TestVerifyMasterKeyRefusesAnotherKey(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			st := testdb.Open(t, backend)
			if err := checker(st, sealer(t, 1)).VerifyMasterKey(ctx); err != nil {
				t.Fatal(err)
			}
			// A restart with the same key passes; another key is refused
			// with an error that names the setting.
			if err := checker(st, sealer(t, 1)).VerifyMasterKey(ctx); err != nil {
				t.Fatalf("restart with the same key: %v", err)
			}
			err := checker(st, sealer(t, 2)).VerifyMasterKey(ctx)
			if !errors.Is(err, health.ErrWrongMasterKey) || !strings.HasPrefix(err.Error(), "SEAM_SECRET_KEY: ") {
				t.Fatalf("another key: %v", err)
			}
		})
	}
}

// A database from before the check value existed: the first start after
// the upgrade must not let a wrong key write the check value.
func TestVerifyMasterKeyOpensAnExistingValueFirst(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			st := testdb.Open(t, backend)
			old := sealer(t, 1)
			sealedOld, _ := old.Seal([]byte("private key"), []byte("aad"))
			existing := func(s *keys.Sealer) func(context.Context) error {
				return func(context.Context) error { _, err := s.Open(sealedOld, []byte("aad")); return err }
			}
			wrong := checker(st, sealer(t, 2))
			wrong.Existing = existing(sealer(t, 2))
			if err := wrong.VerifyMasterKey(ctx); !errors.Is(err, health.ErrWrongMasterKey) {
				t.Fatalf("wrong key on an upgraded database: %v", err)
			}
			if _, err := st.MasterKeyCheck(ctx); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the wrong key wrote the check value: %v", err)
			}
			right := checker(st, old)
			right.Existing = existing(old)
			if err := right.VerifyMasterKey(ctx); err != nil {
				t.Fatalf("right key: %v", err)
			}
			if got := errorType(t, right); got != "" {
				t.Fatalf("not ready: %s", got)
			}
		})
	}
}
