package storetest

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func metadataRefreshCases() []testCase {
	source := func(c *store.Connection, due time.Time) *store.MetadataSource {
		return &store.MetadataSource{ConnectionID: c.ID, ProjectID: c.ProjectID, OrganizationID: c.OrganizationID,
			MetadataURL: "https://idp.example/" + c.ID, NextRefreshAt: due, CreatedAt: base, UpdatedAt: base}
	}
	return []testCase{
		{"MetadataSourcePutGetReplace", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			if _, err := s.GetMetadataSource(ctx(), p.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("missing source: %v", err)
			}
			if err := s.PutMetadataSource(ctx(), source(c, base.Add(time.Hour))); err != nil {
				t.Fatal(err)
			}
			again := source(c, base.Add(2*time.Hour))
			again.MetadataURL, again.CreatedAt, again.UpdatedAt = "https://idp.example/new", base.Add(time.Minute), base.Add(time.Minute)
			if err := s.PutMetadataSource(ctx(), again); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetMetadataSource(ctx(), p.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.MetadataURL != "https://idp.example/new" || got.OrganizationID != c.OrganizationID {
				t.Errorf("source = %+v", got)
			}
			wantTime(t, "next_refresh_at", got.NextRefreshAt, base.Add(2*time.Hour))
			wantTime(t, "created_at (kept)", got.CreatedAt, base)
			wantTime(t, "updated_at", got.UpdatedAt, base.Add(time.Minute))
			// Another project cannot read it; deleting the connection deletes it.
			if _, err := s.GetMetadataSource(ctx(), f.project().ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project: %v", err)
			}
			if err := s.DeleteConnection(ctx(), p.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetMetadataSource(ctx(), p.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
		}},
		{"MetadataSourceClaimDue", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			var conns []*store.Connection
			for i := range 4 {
				c := f.conn(o, store.KindSAML, "")
				conns = append(conns, c)
				// Due at base-3h, base-2h, base-1h and base+1h.
				due := base.Add(time.Duration(i-3) * time.Hour)
				if i == 3 {
					due = base.Add(time.Hour)
				}
				if err := s.PutMetadataSource(ctx(), source(c, due)); err != nil {
					t.Fatal(err)
				}
			}
			next := base.Add(24 * time.Hour)
			got, err := s.ClaimDueMetadataSources(ctx(), base, next, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || !sameIDs(got, conns[0].ID, conns[1].ID) {
				t.Fatalf("first claim = %v, want the two most overdue", sourceIDs(got))
			}
			wantTime(t, "claimed next_refresh_at", got[0].NextRefreshAt, next)
			got, err = s.ClaimDueMetadataSources(ctx(), base, next, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !sameIDs(got, conns[2].ID) {
				t.Fatalf("second claim = %v, want only the third", sourceIDs(got))
			}
			if got, _ := s.ClaimDueMetadataSources(ctx(), base, next, 10); len(got) != 0 {
				t.Fatalf("third claim = %v, want nothing due", sourceIDs(got))
			}
			if err := s.SetMetadataSourceNext(ctx(), conns[0].ID, base); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.ClaimDueMetadataSources(ctx(), base, next, 10); !sameIDs(got, conns[0].ID) {
				t.Fatalf("after SetMetadataSourceNext = %v", sourceIDs(got))
			}
		}},
		{"MetadataSourceClaimConcurrent", func(t *testing.T, s store.Store) {
			// Replicas claiming at the same instant: every due source is
			// claimed exactly once.
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			const sources, claimers = 30, 8
			for range sources {
				if err := s.PutMetadataSource(ctx(), source(f.conn(o, store.KindSAML, ""), base)); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			seen := map[string]int{}
			var wg sync.WaitGroup
			for range claimers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						got, err := s.ClaimDueMetadataSources(ctx(), base, base.Add(time.Hour), 3)
						if err != nil {
							t.Error(err)
							return
						}
						if len(got) == 0 {
							return
						}
						mu.Lock()
						for _, g := range got {
							seen[g.ConnectionID]++
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != sources {
				t.Errorf("%d sources claimed, want %d", len(seen), sources)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s claimed %d times", id, n)
				}
			}
		}},
		{"MetadataRefreshRecords", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			for i := range 5 {
				r := &store.MetadataRefresh{ID: f.id("saml-metadata-refresh"), ProjectID: p.ID, ConnectionID: c.ID,
					MetadataURL: "https://idp.example/m", AttemptedAt: base.Add(time.Duration(i) * time.Hour),
					Outcome: "unchanged"}
				if i == 4 {
					r.Outcome, r.ErrorType, r.Message = "updated", "", "added one"
					r.Added, r.Removed = []string{"saml-verification-key-a"}, []string{"saml-verification-key-b", "saml-verification-key-c"}
				}
				if err := s.RecordMetadataRefresh(ctx(), r, 3); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.ListMetadataRefreshes(ctx(), p.ID, c.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("%d records kept, want 3", len(got))
			}
			top := got[0]
			wantTime(t, "newest attempted_at", top.AttemptedAt, base.Add(4*time.Hour))
			if top.Outcome != "updated" || top.Message != "added one" || len(top.Added) != 1 || len(top.Removed) != 2 ||
				top.Removed[1] != "saml-verification-key-c" {
				t.Errorf("newest = %+v", top)
			}
			if got[1].Added == nil || len(got[1].Added) != 0 {
				t.Errorf("empty added list = %#v, want []", got[1].Added)
			}
			if other, _ := s.ListMetadataRefreshes(ctx(), f.project().ID, c.ID, 10); len(other) != 0 {
				t.Errorf("another project sees %d records", len(other))
			}
		}},
		{"ListAllConnections", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			var want []string
			for range 2 {
				p := f.project()
				o := f.org(p.ID, "a")
				want = append(want, f.conn(o, store.KindSAML, "").ID, f.conn(o, store.KindSAML, "").ID)
				f.conn(o, store.KindOIDC, "")
			}
			sort.Strings(want)
			var got []string
			after := ""
			for {
				page, err := s.ListAllConnections(ctx(), store.KindSAML, after, 3)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				for _, c := range page {
					got = append(got, c.ID)
				}
				after = page[len(page)-1].ID
			}
			if len(got) != len(want) || got[0] != want[0] || got[3] != want[3] {
				t.Errorf("SAML pages = %v, want %v", got, want)
			}
			all, err := s.ListAllConnections(ctx(), "", "", 100)
			if err != nil || len(all) != 6 {
				t.Errorf("every kind: %d, %v", len(all), err)
			}
		}},
	}
}

func sourceIDs(ss []*store.MetadataSource) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.ConnectionID)
	}
	sort.Strings(out)
	return out
}

func sameIDs(ss []*store.MetadataSource, want ...string) bool {
	got := sourceIDs(ss)
	sort.Strings(want)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
