package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

func projectCases() []testCase {
	return []testCase{
		{"projects/create_get", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			got, err := s.GetProject(ctx(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != p.Name || string(got.SecretHash) != string(p.SecretHash) ||
				got.PublicToken != p.PublicToken || !slices.Equal(got.RedirectURLs, p.RedirectURLs) {
				t.Errorf("got %+v, want %+v", got, p)
			}
			wantTime(t, "created_at", got.CreatedAt, p.CreatedAt)
			byTok, err := s.GetProjectByPublicToken(ctx(), p.PublicToken)
			if err != nil || byTok.ID != p.ID {
				t.Errorf("by public token = %v, %v", byTok, err)
			}
			if n, err := s.CountProjects(ctx()); err != nil || n != 1 {
				t.Errorf("count = %d, %v", n, err)
			}
		}},
		{"projects/not_found", func(t *testing.T, s store.Store) {
			if _, err := s.GetProject(ctx(), "project-test-nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			if _, err := s.GetProjectByPublicToken(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		}},
		{"projects/duplicate_public_token", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			dup := *p
			dup.ID = f.id("project")
			var c *store.ErrConflict
			if err := s.CreateProject(ctx(), &dup); !errors.As(err, &c) || c.Field != "public_token" {
				t.Errorf("err = %v, want conflict on public_token", err)
			}
		}},
	}
}
