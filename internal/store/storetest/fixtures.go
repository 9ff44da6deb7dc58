package storetest

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

// base is a fixed instant with sub-microsecond noise, which stores must
// truncate identically on every backend.
var base = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// fixtures hands out unique IDs per test.
type fixtures struct {
	t *testing.T
	s store.Store
	n atomic.Int64
}

func newFixtures(t *testing.T, s store.Store) *fixtures { return &fixtures{t: t, s: s} }

func (f *fixtures) id(prefix string) string {
	return fmt.Sprintf("%s-test-00000000-0000-4000-8000-%012d", prefix, f.n.Add(1))
}

func (f *fixtures) project() *store.Project {
	f.t.Helper()
	p := &store.Project{
		ID: f.id("project"), Environment: "test", Name: "p", EnvironmentSlug: "test", CreatedAt: base,
	}
	p.ProjectSlug = p.ID
	if err := f.s.CreateProject(ctx(), p); err != nil {
		f.t.Fatalf("create project: %v", err)
	}
	return p
}

func (f *fixtures) org(projectID, slug string) *store.Organization {
	f.t.Helper()
	o := &store.Organization{
		ProjectID: projectID, ID: f.id("organization"), Name: "Org " + slug, Slug: slug,
		SSOJITProvisioning: "ALL_ALLOWED", TrustedMetadata: json.RawMessage(`{"tier":"gold"}`),
		CreatedAt: base.Add(time.Duration(f.n.Load()) * time.Second), UpdatedAt: base,
	}
	if err := f.s.CreateOrganization(ctx(), o, nil); err != nil {
		f.t.Fatalf("create organization: %v", err)
	}
	return o
}

// wantTime compares times at the stores' microsecond precision.
func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want.Truncate(time.Microsecond)) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v (UTC)", what, got, want.Truncate(time.Microsecond))
	}
}

// sameJSON compares JSON documents semantically (PostgreSQL JSONB reorders keys).
func sameJSON(t *testing.T, what string, got, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: bad JSON %q: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: bad want JSON: %v", what, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s = %s, want %s", what, gb, wb)
	}
}
