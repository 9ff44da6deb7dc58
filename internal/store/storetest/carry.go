package storetest

import (
	"errors"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

// testWriteCarriesEvent: a write given its change's event (CreateOrganization,
// UpdateConnection) writes the event exactly when it writes the row, in
// the same atomic unit, inside or outside a transaction.
func testWriteCarriesEvent(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	taken := f.org(p.ID, "taken")
	conn := f.conn(taken, store.KindSAML, "")
	rollback := errors.New("rolled back")
	newOrg := func(slug string) *store.Organization {
		return &store.Organization{ProjectID: p.ID, ID: f.id("organization"), Name: slug, Slug: slug,
			SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: base, UpdatedAt: base}
	}
	missing := *conn
	missing.ID = f.id("saml-connection")
	renamed := *conn
	renamed.DisplayName = "renamed"
	cases := []struct {
		name      string
		write     func(ev *store.Event) error
		wantErr   func(error) bool
		wantEvent bool
	}{
		{"create, no transaction", func(ev *store.Event) error { return s.CreateOrganization(ctx(), newOrg("fresh"), ev) },
			nil, true},
		{"create that conflicts", func(ev *store.Event) error { return s.CreateOrganization(ctx(), newOrg("taken"), ev) },
			func(err error) bool { var c *store.ErrConflict; return errors.As(err, &c) && c.Field == "slug" }, false},
		{"update, no transaction", func(ev *store.Event) error { return s.UpdateConnection(ctx(), &renamed, ev) },
			nil, true},
		{"update of a missing connection", func(ev *store.Event) error { return s.UpdateConnection(ctx(), &missing, ev) },
			func(err error) bool { return errors.Is(err, store.ErrNotFound) }, false},
		{"update in a transaction", func(ev *store.Event) error {
			return s.Tx(ctx(), func(q store.Queries) error { return q.UpdateConnection(ctx(), &renamed, ev) })
		}, nil, true},
		{"update in a rolled-back transaction", func(ev *store.Event) error {
			return s.Tx(ctx(), func(q store.Queries) error {
				if err := q.UpdateConnection(ctx(), &renamed, ev); err != nil {
					return err
				}
				return rollback
			})
		}, func(err error) bool { return errors.Is(err, rollback) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := f.newEvent(p.ID, taken.ID, conn.ID, "direct.saml_connection.update", base)
			err := c.write(ev)
			if c.wantErr == nil && err != nil || c.wantErr != nil && !c.wantErr(err) {
				t.Fatalf("write: %v", err)
			}
			got, gerr := s.GetEvent(ctx(), p.ID, ev.ID)
			switch {
			case !c.wantEvent && !errors.Is(gerr, store.ErrNotFound):
				t.Fatalf("event after a failed write: %+v, %v", got, gerr)
			case c.wantEvent && (gerr != nil || got.ObjectID != conn.ID):
				t.Fatalf("event = %+v, %v", got, gerr)
			}
		})
	}
	if got, err := s.GetConnection(ctx(), p.ID, conn.ID); err != nil || got.DisplayName != "renamed" {
		t.Fatalf("connection = %+v, %v", got, err)
	}
}
