package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func projectCases() []testCase {
	return []testCase{
		{"projects/create_get_list", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			got, err := s.GetProject(ctx(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != p.Name || got.Environment != "test" || got.ProjectSlug != p.ID || got.EnvironmentSlug != "test" {
				t.Errorf("got %+v, want %+v", got, p)
			}
			wantTime(t, "created_at", got.CreatedAt, p.CreatedAt)
			live := &store.Project{ID: f.id("project"), Environment: "live", Name: "p live", ProjectSlug: p.ProjectSlug,
				EnvironmentSlug: "live", CreatedAt: base.Add(time.Second)}
			if err := s.CreateProject(ctx(), live); err != nil {
				t.Fatal(err)
			}
			other := f.project()
			if n, err := s.CountProjects(ctx()); err != nil || n != 3 {
				t.Errorf("count = %d, %v", n, err)
			}
			all, err := s.ListProjects(ctx())
			if err != nil || len(all) != 3 || all[0].ID != p.ID || all[1].ID != other.ID || all[2].ID != live.ID {
				t.Errorf("list = %v, %v", all, err)
			}
			group, err := s.ListProjectsBySlug(ctx(), p.ProjectSlug)
			if err != nil || len(group) != 2 || group[1].ID != live.ID {
				t.Errorf("by slug = %v, %v", group, err)
			}
			err = s.Tx(ctx(), func(q store.Queries) error {
				locked, err := q.LockProject(ctx(), p.ID)
				if err == nil && locked.ID != p.ID {
					t.Errorf("locked %s", locked.ID)
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}},
		{"projects/rbac_policy", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			if doc, err := s.ProjectRBACPolicy(ctx(), p.ID); err != nil || doc != nil {
				t.Fatalf("before = %q, %v; want nil", doc, err)
			}
			want := []byte(`{"roles":[],"resources":[],"scopes":[]}`)
			if err := s.SetProjectRBACPolicy(ctx(), p.ID, want); err != nil {
				t.Fatal(err)
			}
			if doc, err := s.ProjectRBACPolicy(ctx(), p.ID); err != nil || string(doc) != string(want) {
				t.Errorf("after = %q, %v", doc, err)
			}
			// Every read of the row carries it; other projects keep none.
			if got, err := s.GetProject(ctx(), p.ID); err != nil || string(got.RBACPolicy) != string(want) {
				t.Errorf("GetProject policy = %q, %v", got.RBACPolicy, err)
			}
			if got, err := s.GetProject(ctx(), other.ID); err != nil || got.RBACPolicy != nil {
				t.Errorf("other project's policy = %q, %v", got.RBACPolicy, err)
			}
			if _, err := s.ProjectRBACPolicy(ctx(), "project-test-nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown project read: %v", err)
			}
			if err := s.SetProjectRBACPolicy(ctx(), "project-test-nope", want); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown project write: %v", err)
			}
		}},
		{"projects/not_found", func(t *testing.T, s store.Store) {
			if _, err := s.GetProject(ctx(), "project-test-nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			if _, err := s.GetProjectByPublicToken(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			if err := s.DeleteProjectSecret(ctx(), "project-test-nope", "secret-x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete secret err = %v", err)
			}
			if err := s.DeleteRedirectURL(ctx(), "project-test-nope", "https://x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete redirect URL err = %v", err)
			}
		}},
		{"projects/duplicate_environment_slug", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			dup := *p
			dup.ID = f.id("project")
			var c *store.ErrConflict
			if err := s.CreateProject(ctx(), &dup); !errors.As(err, &c) || c.Field != "slug" {
				t.Errorf("err = %v, want conflict on slug", err)
			}
		}},
		{"projects/secrets", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			for i, id := range []string{f.id("secret"), f.id("secret")} {
				sec := &store.ProjectSecret{ID: id, ProjectID: p.ID, Hash: []byte{byte(i), 2}, LastFour: "abcd", CreatedAt: base.Add(time.Duration(i) * time.Second)}
				if err := s.CreateProjectSecret(ctx(), sec); err != nil {
					t.Fatal(err)
				}
			}
			list, err := s.ListProjectSecrets(ctx(), p.ID)
			if err != nil || len(list) != 2 || list[0].Hash[0] != 0 || list[1].LastFour != "abcd" {
				t.Fatalf("list = %v, %v", list, err)
			}
			wantTime(t, "created_at", list[0].CreatedAt, base)
			if err := s.DeleteProjectSecret(ctx(), other.ID, list[0].ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete through another project: %v", err)
			}
			if err := s.DeleteProjectSecret(ctx(), p.ID, list[0].ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListProjectSecrets(ctx(), p.ID); len(list) != 1 {
				t.Errorf("after delete: %v", list)
			}
		}},
		{"projects/public_tokens", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			tok := f.id("public-token")
			if err := s.CreatePublicToken(ctx(), &store.PublicToken{Token: tok, ProjectID: p.ID, CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			var c *store.ErrConflict
			if err := s.CreatePublicToken(ctx(), &store.PublicToken{Token: tok, ProjectID: other.ID, CreatedAt: base}); !errors.As(err, &c) {
				t.Errorf("duplicate token: %v", err)
			}
			byTok, err := s.GetProjectByPublicToken(ctx(), tok)
			if err != nil || byTok.ID != p.ID {
				t.Errorf("by public token = %v, %v", byTok, err)
			}
			if list, err := s.ListPublicTokens(ctx(), p.ID); err != nil || len(list) != 1 || list[0].Token != tok {
				t.Errorf("list = %v, %v", list, err)
			}
			if err := s.DeletePublicToken(ctx(), other.ID, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete through another project: %v", err)
			}
			if err := s.DeletePublicToken(ctx(), p.ID, tok); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetProjectByPublicToken(ctx(), tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted token still resolves: %v", err)
			}
		}},
		{"projects/redirect_urls", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			a := &store.RedirectURL{ProjectID: p.ID, URL: "https://app.example/cb", CreatedAt: base,
				ValidTypes: []store.RedirectURLType{{Type: "LOGIN", IsDefault: true}}}
			b := &store.RedirectURL{ProjectID: p.ID, URL: "https://app.example/b?x=1", CreatedAt: base.Add(time.Second)}
			for _, u := range []*store.RedirectURL{a, b} {
				if err := s.PutRedirectURL(ctx(), u); err != nil {
					t.Fatal(err)
				}
			}
			a.ValidTypes = append(a.ValidTypes, store.RedirectURLType{Type: "SIGNUP"})
			if err := s.PutRedirectURL(ctx(), a); err != nil {
				t.Fatal(err)
			}
			list, err := s.ListRedirectURLs(ctx(), p.ID)
			if err != nil || len(list) != 2 || list[0].URL != a.URL || !slices.Equal(list[0].ValidTypes, a.ValidTypes) ||
				list[1].URL != b.URL || len(list[1].ValidTypes) != 0 {
				t.Fatalf("list = %+v, %v", list, err)
			}
			if err := s.DeleteRedirectURL(ctx(), p.ID, a.URL); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListRedirectURLs(ctx(), p.ID); len(list) != 1 {
				t.Errorf("after delete: %+v", list)
			}
		}},
		{"workspace_keys/create_get_revoke", func(t *testing.T, s store.Store) {
			k := &store.WorkspaceKey{ID: "workspace-key-prod-1", SecretHash: []byte{9}, LastFour: "wxyz", CreatedAt: base}
			if err := s.CreateWorkspaceKey(ctx(), k); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetWorkspaceKey(ctx(), k.ID)
			if err != nil || got.LastFour != "wxyz" || got.SecretHash[0] != 9 || !got.RevokedAt.IsZero() {
				t.Fatalf("get = %+v, %v", got, err)
			}
			if err := s.RevokeWorkspaceKey(ctx(), k.ID, base.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeWorkspaceKey(ctx(), k.ID, base.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second revoke: %v", err)
			}
			list, err := s.ListWorkspaceKeys(ctx())
			if err != nil || len(list) != 1 {
				t.Fatalf("list = %v, %v", list, err)
			}
			wantTime(t, "revoked_at", list[0].RevokedAt, base.Add(time.Hour))
			if _, err := s.GetWorkspaceKey(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown key: %v", err)
			}
		}},
	}
}
