package storetest

import (
	"errors"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

func testIdPCases() []testCase {
	return []testCase{
		{"TestIdPKeysCreateGet", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			if _, err := s.GetTestIdPKeys(ctx(), p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("get before create: %v, want ErrNotFound", err)
			}
			k := &store.TestIdPKeys{ProjectID: p.ID, KID: "tidp-1", SealedPrivateKey: "sealed-key", Certificate: "PEM",
				SealedClientSecret: "sealed-secret", CreatedAt: base}
			if err := s.CreateTestIdPKeys(ctx(), k); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetTestIdPKeys(ctx(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantTime(t, "created_at", got.CreatedAt, base)
			got.CreatedAt = k.CreatedAt
			if *got != *k {
				t.Fatalf("got %+v, want %+v", *got, *k)
			}
		}},
		{"TestIdPKeysFirstWriterWins", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			other := f.project()
			first := &store.TestIdPKeys{ProjectID: p.ID, KID: "a", SealedPrivateKey: "1", Certificate: "1", SealedClientSecret: "1", CreatedAt: base}
			if err := s.CreateTestIdPKeys(ctx(), first); err != nil {
				t.Fatal(err)
			}
			second := &store.TestIdPKeys{ProjectID: p.ID, KID: "b", SealedPrivateKey: "2", Certificate: "2", SealedClientSecret: "2", CreatedAt: base}
			var c *store.ErrConflict
			if err := s.CreateTestIdPKeys(ctx(), second); !errors.As(err, &c) || c.Field != "project_id" {
				t.Fatalf("second create: %v, want conflict on project_id", err)
			}
			if got, err := s.GetTestIdPKeys(ctx(), p.ID); err != nil || got.KID != "a" {
				t.Fatalf("after conflict: %+v %v, want the first keys", got, err)
			}
			if _, err := s.GetTestIdPKeys(ctx(), other.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("other project: %v, want ErrNotFound", err)
			}
		}},
	}
}
