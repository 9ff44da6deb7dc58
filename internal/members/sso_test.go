package members_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

type fixture struct {
	svc       *members.Service
	st        store.Store
	p         *store.Project
	org, org2 *store.Organization
	conn      *store.Connection // SAML connection of org
	conn2     *store.Connection // of org2
}

func newFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	st := testdb.Open(t, backend)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	idg := ids.Generator{Rand: rand.Reader}
	f := &fixture{st: st, svc: &members.Service{Store: st, Now: func() time.Time { return now }, IDs: idg, Policy: rbac.DefaultPolicy()}}
	ctx := context.Background()
	f.p = &store.Project{ID: idg.New(ids.Project, ids.Test), Environment: "test", Name: "p", SecretHash: []byte{1},
		PublicToken: idg.New(ids.PublicToken, ids.Test), CreatedAt: now}
	must(t, st.CreateProject(ctx, f.p))
	org := func(slug string) *store.Organization {
		o := &store.Organization{ProjectID: f.p.ID, ID: idg.New(ids.Organization, ids.Test), Name: slug, Slug: slug,
			SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateOrganization(ctx, o))
		return o
	}
	conn := func(o *store.Organization) *store.Connection {
		c := &store.Connection{ProjectID: f.p.ID, OrganizationID: o.ID, ID: idg.New(ids.SAMLConnection, ids.Test), Kind: store.KindSAML,
			Status: "active", Config: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateConnection(ctx, c))
		return c
	}
	f.org, f.org2 = org("acme"), org("other")
	f.conn, f.conn2 = conn(f.org), conn(f.org2)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	_, n, err := f.st.SearchMembers(context.Background(), store.MemberFilter{ProjectID: f.p.ID, OrganizationIDs: []string{f.org.ID, f.org2.ID}})
	must(t, err)
	return n
}

func TestLinkSSO(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			id := members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "nameid-ada", Email: "Ada@Acme.example", Name: " Ada ",
				Groups: []string{"eng"}, Attributes: map[string]any{"title": "Countess"}}

			// Unknown identity, JIT not allowed: nothing happens.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false); !errors.Is(err, members.ErrNoMember) {
				t.Fatalf("no JIT: %v", err)
			}
			if f.count(t) != 0 {
				t.Fatal("a member was created without JIT")
			}
			// JIT.
			link, err := f.svc.LinkSSO(ctx, f.p, f.org, id, true)
			if err != nil {
				t.Fatal(err)
			}
			m, reg := link.Member, link.Registration
			if !link.Created || m.Email != "ada@acme.example" || m.Name != "Ada" || m.Status != "active" || !m.EmailVerified ||
				m.OrganizationID != f.org.ID || reg.ConnectionID != f.conn.ID || reg.ExternalID != "nameid-ada" ||
				string(reg.Attributes) != `{"groups":["eng"],"title":"Countess"}` {
				t.Fatalf("JIT link = %+v %+v", m, reg)
			}
			// The same identity again: the same member, registration refreshed.
			id.Groups = []string{"ops"}
			again, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false)
			if err != nil || again.Created || again.Member.ID != m.ID || again.Registration.ID != reg.ID ||
				!slices.Equal(members.GroupsFromAttributes(again.Registration.Attributes), []string{"ops"}) {
				t.Fatalf("second login = %+v %v", again, err)
			}
			// The IdP changed its subject for the same email: the member's
			// registration follows.
			id.ExternalID = "nameid-ada-2"
			moved, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false)
			if err != nil || moved.Member.ID != m.ID || moved.Registration.ID != reg.ID || moved.Registration.ExternalID != "nameid-ada-2" {
				t.Fatalf("changed subject = %+v %v", moved, err)
			}
			if found, r, err := f.svc.FindBySSO(ctx, f.st, f.p.ID, f.conn.ID, "nameid-ada"); err != nil || found != nil || r != nil {
				t.Errorf("old subject still found: %v %v", found, err)
			}
			if found, _, err := f.svc.FindBySSO(ctx, f.st, f.p.ID, f.conn.ID, "nameid-ada-2"); err != nil || found.ID != m.ID {
				t.Errorf("FindBySSO = %v %v", found, err)
			}

			// A pending member is matched by email and activated.
			pending, err := f.svc.Create(ctx, f.p, f.org, members.CreateParams{EmailAddress: opt.Of("bo@acme.example"), CreateMemberAsPending: opt.Of(true)})
			must(t, err)
			bo, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "bo", Email: "BO@acme.example", Name: "Bo"}, false)
			if err != nil || bo.Created || bo.Member.ID != pending.ID || bo.Member.Status != "active" || !bo.Member.EmailVerified || bo.Member.Name != "Bo" {
				t.Fatalf("pending member login = %+v %v", bo, err)
			}

			// Refusals.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, Email: "x@acme.example"}, true); apierr.TypeOf(err) != "invalid_sso_identity" {
				t.Errorf("no subject: %v", err)
			}
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "y", Email: "not-an-email"}, true); apierr.TypeOf(err) != "invalid_email" {
				t.Errorf("bad email with JIT: %v", err)
			}
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn2.ID, ExternalID: "z", Email: "z@acme.example"}, true); apierr.TypeOf(err) != "internal_server_error" {
				t.Errorf("connection of another organization: %v", err)
			}
			if m, err := f.svc.FindByEmail(ctx, f.st, f.org, "not an email"); m != nil || err != nil {
				t.Errorf("FindByEmail(bad) = %v %v", m, err)
			}
			// Another member cannot take over a registered subject.
			carol, err := f.svc.Create(ctx, f.p, f.org, members.CreateParams{EmailAddress: opt.Of("carol@acme.example")})
			must(t, err)
			if _, err := f.svc.UpsertSSORegistration(ctx, f.st, f.p, carol, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "nameid-ada-2"}); apierr.TypeOf(err) != "duplicate_sso_registration" {
				t.Errorf("subject takeover: %v", err)
			}
		})
	}
}

func TestLinkSSOConcurrentFirstLogins(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			const n = 8
			var wg sync.WaitGroup
			got := make([]*members.SSOLink, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = f.svc.LinkSSO(context.Background(), f.p, f.org, members.SSOIdentity{
						ConnectionID: f.conn.ID, ExternalID: "same", Email: "same@acme.example"}, true)
				}()
			}
			wg.Wait()
			created := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("login %d: %v", i, errs[i])
				}
				if got[i].Member.ID != got[0].Member.ID {
					t.Fatalf("logins ended in different members")
				}
				if got[i].Created {
					created++
				}
			}
			if created != 1 || f.count(t) != 1 {
				t.Fatalf("created %d times, %d members", created, f.count(t))
			}
		})
	}
}
