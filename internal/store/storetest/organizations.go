package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func organizationCases() []testCase {
	return []testCase{
		{"organizations/create_get_by_id_slug_external_id", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := &store.Organization{
				ProjectID: p.ID, ID: f.id("organization"), Name: "Acme", Slug: "acme", ExternalID: "ext-1",
				LogoURL: "https://acme.example/logo.png", SSOJITProvisioning: "RESTRICTED",
				SSODefaultConnectionID: "saml-connection-test-x",
				TrustedMetadata:        json.RawMessage(`{"b":1,"a":{"c":[1,2]}}`),
				Settings:               json.RawMessage(`{"email_allowed_domains":["acme.example"]}`),
				CustomRoles:            json.RawMessage(`[{"role_id":"r"}]`),
				CreatedAt:              base, UpdatedAt: base.Add(time.Minute),
			}
			if err := s.CreateOrganization(ctx(), o, nil); err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{o.ID, "acme", "ext-1"} {
				got, err := s.GetOrganization(ctx(), p.ID, ref)
				if err != nil {
					t.Fatalf("get %q: %v", ref, err)
				}
				if got.ID != o.ID || got.Name != o.Name || got.Slug != o.Slug || got.ExternalID != o.ExternalID ||
					got.LogoURL != o.LogoURL || got.SSOJITProvisioning != o.SSOJITProvisioning ||
					got.SSODefaultConnectionID != o.SSODefaultConnectionID || got.ProjectID != p.ID {
					t.Errorf("get %q = %+v", ref, got)
				}
				sameJSON(t, "trusted_metadata", got.TrustedMetadata, o.TrustedMetadata)
				sameJSON(t, "settings", got.Settings, o.Settings)
				sameJSON(t, "custom_roles", got.CustomRoles, o.CustomRoles)
				wantTime(t, "created_at", got.CreatedAt, o.CreatedAt)
				wantTime(t, "updated_at", got.UpdatedAt, o.UpdatedAt)
			}
		}},
		{"organizations/project_scoping", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p1, p2 := f.project(), f.project()
			o := f.org(p1.ID, "shared-slug")
			if _, err := s.GetOrganization(ctx(), p2.ID, o.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project sees org by id: %v", err)
			}
			if _, err := s.GetOrganization(ctx(), p2.ID, "shared-slug"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project sees org by slug: %v", err)
			}
			// The same slug is free in another project.
			f.org(p2.ID, "shared-slug")
			if err := s.DeleteOrganization(ctx(), p2.ID, o.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project deleted org: %v", err)
			}
			res, total, err := s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p2.ID})
			if err != nil || total != 1 || len(res) != 1 || res[0].ProjectID != p2.ID {
				t.Errorf("search p2 = %d %d %v", len(res), total, err)
			}
		}},
		{"organizations/unique_slug_and_external_id", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			o.ExternalID = "x1"
			if err := s.UpdateOrganization(ctx(), o); err != nil {
				t.Fatal(err)
			}
			dup := &store.Organization{ProjectID: p.ID, ID: f.id("organization"), Name: "n", Slug: "acme",
				SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: base, UpdatedAt: base}
			var c *store.ErrConflict
			if err := s.CreateOrganization(ctx(), dup, nil); !errors.As(err, &c) || c.Field != "slug" {
				t.Errorf("dup slug err = %v", err)
			}
			dup.Slug, dup.ExternalID = "other", "x1"
			if err := s.CreateOrganization(ctx(), dup, nil); !errors.As(err, &c) || c.Field != "external_id" {
				t.Errorf("dup external id err = %v", err)
			}
			// Many organizations without an external ID may coexist.
			f.org(p.ID, "a2")
			f.org(p.ID, "a3")
		}},
		{"organizations/update_delete", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			o.Name, o.Slug, o.UpdatedAt = "Acme 2", "acme-2", base.Add(time.Hour)
			o.TrustedMetadata = json.RawMessage(`{}`)
			if err := s.UpdateOrganization(ctx(), o); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetOrganization(ctx(), p.ID, "acme-2")
			if err != nil || got.Name != "Acme 2" {
				t.Fatalf("after update: %+v %v", got, err)
			}
			wantTime(t, "updated_at", got.UpdatedAt, o.UpdatedAt)
			if _, err := s.GetOrganization(ctx(), p.ID, "acme"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("old slug still resolves: %v", err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second delete: %v", err)
			}
			missing := *o
			if err := s.UpdateOrganization(ctx(), &missing); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("update of deleted: %v", err)
			}
		}},
		{"organizations/search_filters_and_cursor", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			var all []*store.Organization
			for i := 0; i < 7; i++ {
				all = append(all, f.org(p.ID, fmt.Sprintf("org-%d", i)))
			}
			all[3].Name = "Big 100%_Corp"
			if err := s.UpdateOrganization(ctx(), all[3]); err != nil {
				t.Fatal(err)
			}
			page, total, err := s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID, Keyset: store.Keyset{Limit: 3}})
			if err != nil || total != 7 || len(page) != 3 || page[0].ID != all[0].ID {
				t.Fatalf("page1 = %d/%d %v", len(page), total, err)
			}
			last := page[2]
			page, _, err = s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID,
				Keyset: store.Keyset{AfterCreated: last.CreatedAt, AfterID: last.ID, Limit: 3}})
			if err != nil || len(page) != 3 || page[0].ID != all[3].ID {
				t.Fatalf("page2 = %v %v", page, err)
			}
			got, total, _ := s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID,
				Slugs: []string{"org-1", "org-5", "nope"}})
			if total != 2 || len(got) != 2 || got[0].ID != all[1].ID || got[1].ID != all[5].ID {
				t.Errorf("by slugs = %d", total)
			}
			got, total, _ = s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID,
				IDs: []string{all[2].ID}, Slugs: []string{"org-2", "org-3"}})
			if total != 1 || got[0].ID != all[2].ID {
				t.Errorf("ids AND slugs = %d", total)
			}
			// LIKE wildcards in the query match literally.
			got, total, _ = s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID, NameFuzzy: []string{"100%_c"}})
			if total != 1 || got[0].ID != all[3].ID {
				t.Errorf("fuzzy literal = %d", total)
			}
			_, total, _ = s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID, NameFuzzy: []string{"%"}})
			if total != 1 {
				t.Errorf("fuzzy %% = %d, want 1", total)
			}
			_, total, _ = s.SearchOrganizations(ctx(), store.OrganizationFilter{ProjectID: p.ID, NameFuzzy: []string{"ORG O"}})
			if total != 6 {
				t.Errorf("fuzzy case-insensitive = %d, want 6", total)
			}
		}},
		{"organizations/tx_rollback_changes_nothing", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			boom := errors.New("boom")
			err := s.Tx(ctx(), func(q store.Queries) error {
				got, err := q.GetOrganizationForUpdate(ctx(), p.ID, "acme")
				if err != nil {
					return err
				}
				got.Name = "changed"
				if err := q.UpdateOrganization(ctx(), got); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("tx err = %v", err)
			}
			got, _ := s.GetOrganization(ctx(), p.ID, o.ID)
			if got.Name != o.Name {
				t.Errorf("rolled-back change persisted: %q", got.Name)
			}
		}},
		{"organizations/concurrent_updates_lose_nothing", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "counter")
			const n = 12
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs <- s.Tx(ctx(), func(q store.Queries) error {
						got, err := q.GetOrganizationForUpdate(ctx(), p.ID, o.ID)
						if err != nil {
							return err
						}
						var m map[string]int
						_ = json.Unmarshal(got.TrustedMetadata, &m)
						if m == nil {
							m = map[string]int{}
						}
						m["count"]++
						got.TrustedMetadata, _ = json.Marshal(m)
						return q.UpdateOrganization(ctx(), got)
					})
				}(i)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("tx: %v", err)
				}
			}
			got, _ := s.GetOrganization(ctx(), p.ID, o.ID)
			var m map[string]int
			_ = json.Unmarshal(got.TrustedMetadata, &m)
			if m["count"] != n {
				t.Errorf("count = %d after %d concurrent increments: lost updates", m["count"], n)
			}
		}},
	}
}
