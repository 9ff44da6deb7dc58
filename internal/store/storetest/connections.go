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

func (f *fixtures) conn(o *store.Organization, kind, sourceID string) *store.Connection {
	f.t.Helper()
	c := &store.Connection{
		ProjectID: o.ProjectID, OrganizationID: o.ID, ID: f.id(kind + "-connection"), Kind: kind,
		Status: "pending", DisplayName: "IdP", SourceID: sourceID,
		Config:    json.RawMessage(`{"idp_entity_id":"https://idp.example","certs":[{"id":"c1"}]}`),
		CreatedAt: base.Add(time.Duration(f.n.Load()) * time.Second), UpdatedAt: base,
	}
	if err := f.s.CreateConnection(ctx(), c); err != nil {
		f.t.Fatalf("create connection: %v", err)
	}
	return c
}

func mustList(t *testing.T, s store.Store, projectID, orgID string) []*store.Connection {
	t.Helper()
	list, err := s.ListConnections(ctx(), projectID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func connectionCases() []testCase {
	return []testCase{
		{"connections/callback_url_pinned", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			// A connection created with its URL keeps it; one from before
			// the URL was stored (empty) is pinned to the base URL once.
			c := &store.Connection{
				ProjectID: p.ID, OrganizationID: o.ID, ID: f.id("saml-connection"), Kind: store.KindSAML, Status: "pending",
				CallbackURL: "https://old.example/v1/b2b/sso/callback/x", CreatedAt: base, UpdatedAt: base,
			}
			if err := s.CreateConnection(ctx(), c); err != nil {
				t.Fatal(err)
			}
			legacy := f.conn(o, store.KindOIDC, "")
			f.conn(o, store.KindExternal, c.ID) // has no callback URL: never pinned nor counted
			if got, _ := s.GetConnection(ctx(), p.ID, c.ID); got.CallbackURL != c.CallbackURL {
				t.Fatalf("stored callback URL %q", got.CallbackURL)
			}
			n, err := s.PinCallbackURLs(ctx(), "https://new.example")
			if err != nil || n != 1 {
				t.Fatalf("pinned %d, %v; want 1", n, err)
			}
			got, _ := s.GetConnection(ctx(), p.ID, legacy.ID)
			if got.CallbackURL != "https://new.example/v1/b2b/sso/callback/"+legacy.ID {
				t.Errorf("pinned URL %q", got.CallbackURL)
			}
			if n, err := s.PinCallbackURLs(ctx(), "https://other.example"); err != nil || n != 0 {
				t.Errorf("second pin changed %d, %v", n, err)
			}
			// An update leaves the URL alone.
			got.Status = "active"
			if err := s.UpdateConnection(ctx(), got, nil); err != nil {
				t.Fatal(err)
			}
			if again, _ := s.GetConnectionByID(ctx(), legacy.ID); again.CallbackURL != got.CallbackURL {
				t.Errorf("after update %q", again.CallbackURL)
			}
			for _, x := range mustList(t, s, p.ID, o.ID) {
				if x.Kind == store.KindExternal && x.CallbackURL != "" {
					t.Errorf("external connection pinned to %q", x.CallbackURL)
				}
			}
			for base, want := range map[string]int{"https://new.example": 1, "https://old.example": 2, "https://third.example": 2} {
				if n, err := s.CountCallbackURLsOffBase(ctx(), base); err != nil || n != want {
					t.Errorf("off base %s: %d, %v; want %d", base, n, err, want)
				}
			}
		}},
		{"connections/crud", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			c := f.conn(o, store.KindSAML, "")
			got, err := s.GetConnection(ctx(), p.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != store.KindSAML || got.Status != "pending" || got.DisplayName != "IdP" ||
				got.OrganizationID != o.ID || got.SourceID != "" {
				t.Errorf("got %+v", got)
			}
			sameJSON(t, "config", got.Config, c.Config)
			wantTime(t, "created_at", got.CreatedAt, c.CreatedAt)
			got.Status, got.DisplayName, got.Config = "active", "Okta", json.RawMessage(`{"x":1}`)
			got.UpdatedAt = base.Add(time.Hour)
			if err := s.UpdateConnection(ctx(), got, nil); err != nil {
				t.Fatal(err)
			}
			again, _ := s.GetConnection(ctx(), p.ID, c.ID)
			if again.Status != "active" || again.DisplayName != "Okta" {
				t.Errorf("after update %+v", again)
			}
			sameJSON(t, "config", again.Config, json.RawMessage(`{"x":1}`))
			if err := s.DeleteConnection(ctx(), p.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetConnection(ctx(), p.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
			if err := s.UpdateConnection(ctx(), again, nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("update deleted: %v", err)
			}
		}},
		{"connections/batch_by_organizations_and_ids", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p1, p2 := f.project(), f.project()
			a, b, empty := f.org(p1.ID, "a"), f.org(p1.ID, "b"), f.org(p1.ID, "empty")
			other := f.org(p2.ID, "other")
			b1 := f.conn(b, store.KindSAML, "")
			a1 := f.conn(a, store.KindOIDC, "")
			a2 := f.conn(a, store.KindSAML, "")
			o1 := f.conn(other, store.KindSAML, "")
			ids := func(cs []*store.Connection) []string {
				var out []string
				for _, c := range cs {
					out = append(out, c.ID)
				}
				return out
			}
			// A set far larger than any page, so placeholder limits show up.
			many := []string{a.ID, b.ID, empty.ID, other.ID}
			for i := 0; i < 1200; i++ {
				many = append(many, fmt.Sprintf("organization-test-00000000-0000-4000-9000-%012d", i))
			}
			cases := []struct {
				name string
				get  func() ([]*store.Connection, error)
				want []string
			}{
				{"orgs", func() ([]*store.Connection, error) {
					return s.ListConnectionsOfOrganizations(ctx(), p1.ID, a.ID, b.ID, empty.ID)
				}, []string{b1.ID, a1.ID, a2.ID}},
				{"orgs, other project's org skipped", func() ([]*store.Connection, error) {
					return s.ListConnectionsOfOrganizations(ctx(), p1.ID, many...)
				}, []string{b1.ID, a1.ID, a2.ID}},
				{"orgs, none", func() ([]*store.Connection, error) { return s.ListConnectionsOfOrganizations(ctx(), p1.ID) }, nil},
				{"orgs, wrong project", func() ([]*store.Connection, error) {
					return s.ListConnectionsOfOrganizations(ctx(), p2.ID, a.ID, b.ID)
				}, nil},
				{"ids", func() ([]*store.Connection, error) {
					return s.GetConnections(ctx(), p1.ID, a2.ID, b1.ID, o1.ID, "saml-connection-test-missing")
				}, []string{b1.ID, a2.ID}},
				{"ids, none", func() ([]*store.Connection, error) { return s.GetConnections(ctx(), p1.ID) }, nil},
			}
			for _, tc := range cases {
				got, err := tc.get()
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
					t.Errorf("%s = %v, want %v", tc.name, ids(got), tc.want)
				}
			}
			if got, _ := s.ListConnectionsOfOrganizations(ctx(), p1.ID, a.ID); len(got) == 2 && string(got[1].Config) == "" {
				t.Errorf("batched rows lack their config")
			}
		}},
		{"connections/scoping_and_listing", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p1, p2 := f.project(), f.project()
			a, b := f.org(p1.ID, "a"), f.org(p1.ID, "b")
			c1 := f.conn(a, store.KindSAML, "")
			c2 := f.conn(a, store.KindOIDC, "")
			f.conn(b, store.KindSAML, "")
			list, err := s.ListConnections(ctx(), p1.ID, a.ID)
			if err != nil || len(list) != 2 || list[0].ID != c1.ID || list[1].ID != c2.ID {
				t.Fatalf("list = %v %v", list, err)
			}
			if byID, err := s.GetConnectionByID(ctx(), c1.ID); err != nil || byID.ProjectID != p1.ID {
				t.Errorf("by id = %v %v", byID, err)
			}
			if _, err := s.GetConnectionByID(ctx(), "saml-connection-test-missing"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing by id: %v", err)
			}
			if _, err := s.GetConnection(ctx(), p2.ID, c1.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project sees connection: %v", err)
			}
			if err := s.DeleteConnection(ctx(), p2.ID, c1.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project deletes connection: %v", err)
			}
			if list, _ := s.ListConnections(ctx(), p2.ID, a.ID); len(list) != 0 {
				t.Errorf("other project lists %d connections", len(list))
			}
			if n, err := s.CountConnections(ctx(), p1.ID, a.ID); err != nil || n != 2 {
				t.Errorf("count = %d %v, want 2", n, err)
			}
			if n, err := s.CountConnections(ctx(), p2.ID, a.ID); err != nil || n != 0 {
				t.Errorf("other project counts %d %v", n, err)
			}
		}},
		{"connections/count_under_organization_lock_holds", func(t *testing.T, s store.Store) {
			// The pattern the per-organization connection cap relies on: lock
			// the organization, count, insert, in one transaction. Concurrent
			// inserters must never exceed the cap.
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "capped")
			const limit, workers = 5, 12
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for i := 0; i < workers; i++ {
				c := &store.Connection{ProjectID: p.ID, OrganizationID: o.ID, ID: f.id("oidc-connection"), Kind: store.KindOIDC,
					Status: "pending", Config: json.RawMessage(`{}`), CreatedAt: base, UpdatedAt: base}
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.Tx(ctx(), func(q store.Queries) error {
						if _, err := q.GetOrganizationForUpdate(ctx(), p.ID, o.ID); err != nil {
							return err
						}
						n, err := q.CountConnections(ctx(), p.ID, o.ID)
						if err != nil || n >= limit {
							return err
						}
						return q.CreateConnection(ctx(), c)
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("tx: %v", err)
				}
			}
			if n, _ := s.CountConnections(ctx(), p.ID, o.ID); n != limit {
				t.Errorf("%d connections after %d concurrent capped inserts, want %d", n, workers, limit)
			}
		}},
		{"connections/external_source_cascade", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			a, b := f.org(p.ID, "a"), f.org(p.ID, "b")
			src := f.conn(a, store.KindSAML, "")
			ext := f.conn(b, store.KindExternal, src.ID)
			by, err := s.ListConnectionsBySource(ctx(), p.ID, src.ID)
			if err != nil || len(by) != 1 || by[0].ID != ext.ID || by[0].SourceID != src.ID {
				t.Fatalf("by source = %v %v", by, err)
			}
			if err := s.DeleteConnection(ctx(), p.ID, src.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetConnection(ctx(), p.ID, ext.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("external connection outlived its source: %v", err)
			}
		}},
		{"connections/organization_delete_cascades", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			c := f.conn(o, store.KindSAML, "")
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetConnection(ctx(), p.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("connection outlived its organization: %v", err)
			}
		}},
		{"connections/locked_update_rollback", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			boom := errors.New("boom")
			err := s.Tx(ctx(), func(q store.Queries) error {
				got, err := q.GetConnectionForUpdate(ctx(), p.ID, c.ID)
				if err != nil {
					return err
				}
				got.Config = json.RawMessage(`{"changed":true}`)
				if err := q.UpdateConnection(ctx(), got, nil); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			got, _ := s.GetConnection(ctx(), p.ID, c.ID)
			sameJSON(t, "config after rollback", got.Config, c.Config)
		}},
	}
}
