package members_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// TestViewPageMatchesView: a page rendered with batched queries equals the
// members rendered one by one, for members with no, one and several
// registrations (with connection and group implicit roles) in two
// organizations, and a registration whose connection has gone.
func TestViewPageMatchesView(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			idg := f.svc.IDs
			roled := &store.Connection{ProjectID: f.p.ID, OrganizationID: f.org.ID, ID: idg.New(ids.SAMLConnection, ids.Test),
				Kind: store.KindSAML, Status: "active", CreatedAt: now, UpdatedAt: now,
				Config: json.RawMessage(`{"connection_roles":[{"role_id":"` + rbac.RoleAdmin + `"}],"group_roles":[{"role_id":"` + rbac.RoleAdmin + `","group":"admins"}]}`)}
			must(t, f.st.CreateConnection(ctx, roled))
			orgs := map[string]*store.Organization{f.org.ID: f.org, f.org2.ID: f.org2}
			type member struct {
				org   *store.Organization
				conns []*store.Connection
				attrs string
			}
			cases := []member{
				{f.org, nil, ""},
				{f.org, []*store.Connection{f.conn}, `{"groups":["users"]}`},
				{f.org, []*store.Connection{f.conn, roled}, `{"groups":["admins"]}`},
				{f.org2, []*store.Connection{f.conn2}, ""},
				{f.org2, nil, ""},
			}
			var page []*store.Member
			for i, c := range cases {
				m := &store.Member{ProjectID: f.p.ID, OrganizationID: c.org.ID, ID: idg.New(ids.Member, ids.Test),
					Email: "m" + string(rune('a'+i)) + "@example.com", Status: "active", CreatedAt: now, UpdatedAt: now}
				must(t, f.st.CreateMember(ctx, m))
				for j, conn := range c.conns {
					must(t, f.st.CreateSSORegistration(ctx, &store.SSORegistration{ProjectID: f.p.ID, MemberID: m.ID,
						ID: idg.New(ids.SSORegistration, ids.Test), ConnectionID: conn.ID, ExternalID: m.Email + string(rune('0'+j)),
						Attributes: json.RawMessage(c.attrs), CreatedAt: now, UpdatedAt: now}))
				}
				page = append(page, m)
			}
			got, err := f.svc.ViewPage(ctx, f.st, orgs, page)
			must(t, err)
			if len(got) != len(page) {
				t.Fatalf("%d views for %d members", len(got), len(page))
			}
			for i, m := range page {
				want, err := f.svc.View(ctx, f.st, orgs[m.OrganizationID], m)
				must(t, err)
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("member %d: page view %+v, want %+v", i, got[i], want)
				}
			}
			if !got[2].IsAdmin || got[1].IsAdmin {
				t.Errorf("implicit roles not applied: admin = %v, %v", got[1].IsAdmin, got[2].IsAdmin)
			}
			if empty, err := f.svc.ViewPage(ctx, f.st, orgs, nil); err != nil || len(empty) != 0 {
				t.Errorf("empty page = %v, %v", empty, err)
			}
		})
	}
}
