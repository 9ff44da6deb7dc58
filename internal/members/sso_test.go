package members_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/linking"
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
	f := &fixture{st: st, svc: &members.Service{Store: st, Now: func() time.Time { return now }, IDs: idg, Policies: rbac.Policies{Default: rbac.DefaultPolicy()}}}
	ctx := context.Background()
	f.p = &store.Project{ID: idg.New(ids.Project, ids.Test), Environment: "test", Name: "p", EnvironmentSlug: "test", CreatedAt: now}
	f.p.ProjectSlug = f.p.ID
	must(t, st.CreateProject(ctx, f.p))
	org := func(slug string) *store.Organization {
		o := &store.Organization{ProjectID: f.p.ID, ID: idg.New(ids.Organization, ids.Test), Name: slug, Slug: slug,
			SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateOrganization(ctx, o, nil))
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

// verifiedSAML is the policy and trust of a SAML login with default settings.
func verifiedSAML(id members.SSOIdentity) members.SSOIdentity {
	id.EmailTrust = linking.EmailVerified
	id.Policy = linking.Policy{SubjectChange: linking.SubjectChangeRefuse}
	return id
}

func TestLinkSSO(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			id := verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "nameid-ada", Email: "Ada@Acme.example", Name: " Ada ",
				Groups: []string{"eng"}, Attributes: map[string]any{"title": "Countess"}})

			// Unknown identity, JIT not allowed: nothing happens.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false, nil); !errors.Is(err, members.ErrNoMember) {
				t.Fatalf("no JIT: %v", err)
			}
			if f.count(t) != 0 {
				t.Fatal("a member was created without JIT")
			}
			// JIT.
			link, err := f.svc.LinkSSO(ctx, f.p, f.org, id, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, reg := link.Member, link.Registration
			if !link.Created() || m.Email != "ada@acme.example" || m.Name != "Ada" || m.Status != "active" || !m.EmailVerified ||
				m.OrganizationID != f.org.ID || reg.ConnectionID != f.conn.ID || reg.ExternalID != "nameid-ada" ||
				string(reg.Attributes) != `{"groups":["eng"],"title":"Countess"}` {
				t.Fatalf("JIT link = %+v %+v", m, reg)
			}
			// The same identity again: the same member, registration refreshed.
			id.Groups = []string{"ops"}
			again, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false, nil)
			if err != nil || again.Action != linking.Returning || again.Member.ID != m.ID || again.Registration.ID != reg.ID ||
				!slices.Equal(members.GroupsFromAttributes(again.Registration.Attributes), []string{"ops"}) {
				t.Fatalf("second login = %+v %v", again, err)
			}

			// A pending member is matched by email and activated.
			pending, err := f.svc.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), f.p, f.org, members.CreateParams{EmailAddress: opt.Of("bo@acme.example"), CreateMemberAsPending: opt.Of(true)})
			must(t, err)
			bo, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "bo", Email: "BO@acme.example", Name: "Bo"}), false, nil)
			if err != nil || bo.Action != linking.Linked || bo.Member.ID != pending.ID || bo.Member.Status != "active" || !bo.Member.EmailVerified || bo.Member.Name != "Bo" {
				t.Fatalf("pending member login = %+v %v", bo, err)
			}

			// Refusals.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, Email: "x@acme.example"}), true, nil); apierr.TypeOf(err) != "invalid_sso_identity" {
				t.Errorf("no subject: %v", err)
			}
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "y", Email: "not-an-email"}), true, nil); apierr.TypeOf(err) != "invalid_email" {
				t.Errorf("bad email with JIT: %v", err)
			}
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn2.ID, ExternalID: "z", Email: "z@acme.example"}), true, nil); apierr.TypeOf(err) != "internal_server_error" {
				t.Errorf("connection of another organization: %v", err)
			}
			if m, err := f.svc.FindByEmail(ctx, f.st, f.org, "not an email"); m != nil || err != nil {
				t.Errorf("FindByEmail(bad) = %v %v", m, err)
			}
		})
	}
}

// member reads a member back from the store.
func (f *fixture) member(t *testing.T, id string) *store.Member {
	t.Helper()
	m, err := f.st.GetMember(context.Background(), f.p.ID, id)
	must(t, err)
	return m
}

// registrations lists a member's registrations.
func (f *fixture) registrations(t *testing.T, memberID string) []*store.SSORegistration {
	t.Helper()
	regs, err := f.st.ListSSORegistrations(context.Background(), f.p.ID, memberID)
	must(t, err)
	return regs
}

// TestLinkSSORule runs every branch of the identity-linking rule
// (internal/linking) against real stores: what a login becomes, and what it
// leaves unchanged when refused.
func TestLinkSSORule(t *testing.T) {
	refuseUntrusted := linking.Policy{SubjectChange: linking.SubjectChangeRefuse, MissingEmailVerified: linking.MissingUntrusted}
	trusted := linking.Policy{SubjectChange: linking.SubjectChangeRefuse, MissingEmailVerified: linking.MissingTrusted}
	relink := linking.Policy{SubjectChange: linking.SubjectChangeRelink, MissingEmailVerified: linking.MissingUntrusted}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			// Ada: an existing member, registered with the connection as "sub-ada",
			// email not yet verified.
			ada, err := f.svc.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), f.p, f.org, members.CreateParams{EmailAddress: opt.Of("ada@acme.example")})
			must(t, err)
			first, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-ada",
				Email: "ada@acme.example", EmailTrust: linking.EmailUnstated, Policy: trusted}, false, nil)
			if err != nil || first.Action != linking.Linked || first.Member.ID != ada.ID {
				t.Fatalf("first login = %+v %v", first, err)
			}
			if f.member(t, ada.ID).EmailVerified {
				t.Fatal("an unstated email marked the member verified")
			}
			// Bea: an existing member with no registration.
			bea, err := f.svc.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), f.p, f.org, members.CreateParams{EmailAddress: opt.Of("bea@acme.example")})
			must(t, err)

			type want struct {
				err      string // error_type, or "no_member"
				action   linking.Action
				memberID string
			}
			tests := []struct {
				name string
				id   members.SSOIdentity
				jit  bool
				want want
			}{
				// nOAuth: a new subject with Ada's address, unverified.
				{"unverified email, new subject, existing member", members.SSOIdentity{ExternalID: "attacker", Email: "ada@acme.example", EmailTrust: linking.EmailUnverified, Policy: relink}, true,
					want{err: "sso_email_not_verified"}},
				{"unverified email, member without registration", members.SSOIdentity{ExternalID: "attacker", Email: "bea@acme.example", EmailTrust: linking.EmailUnverified, Policy: trusted}, true,
					want{err: "sso_email_not_verified"}},
				{"unverified email, JIT", members.SSOIdentity{ExternalID: "attacker", Email: "new@acme.example", EmailTrust: linking.EmailUnverified, Policy: trusted}, true,
					want{err: "sso_email_not_verified"}},
				{"unstated email, untrusted, member without registration", members.SSOIdentity{ExternalID: "attacker", Email: "bea@acme.example", EmailTrust: linking.EmailUnstated, Policy: refuseUntrusted}, true,
					want{err: "sso_email_not_verified"}},
				{"unstated email, untrusted, JIT", members.SSOIdentity{ExternalID: "attacker", Email: "new@acme.example", EmailTrust: linking.EmailUnstated, Policy: refuseUntrusted}, true,
					want{err: "sso_email_not_verified"}},
				// A verified email under a new subject does not silently move Ada's registration.
				{"verified email, new subject, refuse", members.SSOIdentity{ExternalID: "sub-ada-2", Email: "ada@acme.example", EmailTrust: linking.EmailVerified, Policy: refuseUntrusted}, true,
					want{err: "sso_subject_changed"}},
				{"unstated email, trusted, new subject, refuse", members.SSOIdentity{ExternalID: "sub-ada-2", Email: "ada@acme.example", EmailTrust: linking.EmailUnstated, Policy: trusted}, true,
					want{err: "sso_subject_changed"}},
				// No member and no JIT: nobody, whatever the email.
				{"no member, no JIT", members.SSOIdentity{ExternalID: "x", Email: "new@acme.example", EmailTrust: linking.EmailVerified, Policy: trusted}, false,
					want{err: "no_member"}},
				// The registration identifies a returning user even with an unverified email.
				{"returning, unverified email", members.SSOIdentity{ExternalID: "sub-ada", Email: "ada@acme.example", EmailTrust: linking.EmailUnverified, Policy: refuseUntrusted}, false,
					want{action: linking.Returning, memberID: ada.ID}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					before := f.count(t)
					tc.id.ConnectionID = f.conn.ID
					recorded := 0
					link, err := f.svc.LinkSSO(ctx, f.p, f.org, tc.id, tc.jit, func(context.Context, store.Queries, *members.SSOLink) error { recorded++; return nil })
					switch tc.want.err {
					case "":
						if err != nil || link.Action != tc.want.action || link.Member.ID != tc.want.memberID || recorded != 1 {
							t.Fatalf("LinkSSO = %+v %v (recorded %d)", link, err, recorded)
						}
					case "no_member":
						if !errors.Is(err, members.ErrNoMember) {
							t.Fatalf("LinkSSO error = %v", err)
						}
					default:
						var r *linking.Refusal
						if !errors.As(err, &r) || r.ErrorType != tc.want.err {
							t.Fatalf("LinkSSO error = %v, want %s", err, tc.want.err)
						}
					}
					if f.count(t) != before {
						t.Errorf("members: %d, before %d", f.count(t), before)
					}
				})
			}
			// Nothing moved or was marked: Ada keeps her registration, Bea has none.
			if regs := f.registrations(t, ada.ID); len(regs) != 1 || regs[0].ExternalID != "sub-ada" {
				t.Fatalf("Ada's registrations = %+v", regs)
			}
			if regs := f.registrations(t, bea.ID); len(regs) != 0 {
				t.Fatalf("Bea's registrations = %+v", regs)
			}
			if f.member(t, ada.ID).EmailVerified || f.member(t, bea.ID).EmailVerified {
				t.Fatal("a refused or unverified login marked an email verified")
			}

			// A verified email from the registered subject marks Ada verified.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-ada",
				Email: "ada@acme.example", EmailTrust: linking.EmailVerified, Policy: refuseUntrusted}, false, nil); err != nil {
				t.Fatal(err)
			}
			if !f.member(t, ada.ID).EmailVerified {
				t.Fatal("a verified email did not mark the member verified")
			}

			// RELINK moves the registration, and the record runs in the same
			// transaction: a failing record leaves the registration where it was.
			relinkID := members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-ada-2", Email: "ada@acme.example", EmailTrust: linking.EmailVerified, Policy: relink}
			boom := errors.New("record failed")
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, relinkID, false, func(context.Context, store.Queries, *members.SSOLink) error { return boom }); !errors.Is(err, boom) {
				t.Fatalf("failing record: %v", err)
			}
			if regs := f.registrations(t, ada.ID); regs[0].ExternalID != "sub-ada" {
				t.Fatalf("a relink whose record failed moved the registration: %+v", regs)
			}
			var seen *members.SSOLink
			moved, err := f.svc.LinkSSO(ctx, f.p, f.org, relinkID, false, func(_ context.Context, q store.Queries, l *members.SSOLink) error {
				seen = l
				// The record sees the moved registration inside the transaction.
				_, err := q.GetSSORegistration(ctx, f.p.ID, f.conn.ID, "sub-ada-2")
				return err
			})
			if err != nil || moved.Action != linking.Relinked || moved.Member.ID != ada.ID || moved.PreviousExternalID != "sub-ada" ||
				moved.Registration.ExternalID != "sub-ada-2" || seen != moved {
				t.Fatalf("relink = %+v %v", moved, err)
			}
			if found, _, err := f.svc.FindBySSO(ctx, f.st, f.p.ID, f.conn.ID, "sub-ada"); err != nil || found != nil {
				t.Errorf("old subject still found: %v %v", found, err)
			}

			// Unstated email under TRUSTED: links Bea and creates Cy, marks neither verified.
			b, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-bea", Email: "bea@acme.example", EmailTrust: linking.EmailUnstated, Policy: trusted}, false, nil)
			if err != nil || b.Action != linking.Linked || b.Member.ID != bea.ID || f.member(t, bea.ID).EmailVerified {
				t.Fatalf("trusted unstated link = %+v %v", b, err)
			}
			cy, err := f.svc.LinkSSO(ctx, f.p, f.org, members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-cy", Email: "cy@acme.example", EmailTrust: linking.EmailUnstated, Policy: trusted}, true, nil)
			if err != nil || !cy.Created() || cy.Member.EmailVerified {
				t.Fatalf("trusted unstated JIT = %+v %v", cy, err)
			}
		})
	}
}

// TestLinkSSOTransientNameID: a transient NameID is never a registration
// key; the key is the vouched email, and a member's persistent registration
// is never replaced by one.
func TestLinkSSOTransientNameID(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			transient := func(nameID, email string) members.SSOIdentity {
				id := verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: nameID, Email: email})
				id.Transient = true
				return id
			}
			// First login: JIT, keyed by email.
			l1, err := f.svc.LinkSSO(ctx, f.p, f.org, transient("_t1", "dee@acme.example"), true, nil)
			if err != nil || !l1.Created() || l1.Registration.ExternalID != "dee@acme.example" {
				t.Fatalf("first transient login = %+v %v", l1, err)
			}
			// Next login, another transient value: the same member and registration.
			l2, err := f.svc.LinkSSO(ctx, f.p, f.org, transient("_t2", "Dee@acme.example"), false, nil)
			if err != nil || l2.Action != linking.Returning || l2.Member.ID != l1.Member.ID || l2.Registration.ID != l1.Registration.ID {
				t.Fatalf("second transient login = %+v %v", l2, err)
			}
			if _, reg, _ := f.svc.FindBySSO(ctx, f.st, f.p.ID, f.conn.ID, "_t2"); reg != nil {
				t.Fatal("a transient NameID became a registration key")
			}
			// Without a valid email a transient login has no key at all.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, transient("_t9", "not-an-email"), true, nil); apierr.TypeOf(err) != "invalid_sso_identity" {
				t.Fatalf("transient without email: %v", err)
			}
			// A member registered under a persistent subject: a transient login
			// matches by email and leaves the registration alone, even under RELINK.
			p, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "persistent-eve", Email: "eve@acme.example"}), true, nil)
			must(t, err)
			id := transient("_t3", "eve@acme.example")
			id.Policy.SubjectChange = linking.SubjectChangeRelink
			l3, err := f.svc.LinkSSO(ctx, f.p, f.org, id, false, nil)
			if err != nil || l3.Action != linking.MatchedByEmail || l3.Member.ID != p.Member.ID || l3.Registration.ExternalID != "persistent-eve" {
				t.Fatalf("transient login of a persistent member = %+v %v", l3, err)
			}
			// Persistent and unspecified NameIDs are compared as sent: a change of
			// case is another subject.
			if _, err := f.svc.LinkSSO(ctx, f.p, f.org, verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "Persistent-Eve", Email: "eve@acme.example"}), false, nil); apierr.TypeOf(refusalAPI(err)) != "sso_subject_changed" {
				t.Fatalf("case-changed subject: %v", err)
			}
		})
	}
}

func refusalAPI(err error) error {
	var r *linking.Refusal
	if errors.As(err, &r) {
		return r.APIError()
	}
	return err
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
					got[i], errs[i] = f.svc.LinkSSO(context.Background(), f.p, f.org, verifiedSAML(members.SSOIdentity{
						ConnectionID: f.conn.ID, ExternalID: "same", Email: "same@acme.example"}), true, nil)
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
				if got[i].Created() {
					created++
				}
			}
			if created != 1 || f.count(t) != 1 {
				t.Fatalf("created %d times, %d members", created, f.count(t))
			}
		})
	}
}

// TestLinkSSOView checks that the view a just-in-time link renders from
// what it wrote (no query) is the view read back after the commit,
// implicit roles from the connection and from a group included.
func TestLinkSSOView(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			f.conn.Config = json.RawMessage(`{"connection_roles":[{"role_id":"stytch_admin"}],"group_roles":[{"role_id":"stytch_member","group":"eng"}]}`)
			must(t, f.st.UpdateConnection(ctx, f.conn, nil))
			id := verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "nameid-ada", Email: "ada@acme.example", Name: "Ada",
				Groups: []string{"eng"}, Attributes: map[string]any{"title": "Countess"}})
			link, err := f.svc.LinkSSO(ctx, f.p, f.org, id, true, nil)
			if err != nil || !link.Created() || link.View == nil {
				t.Fatalf("JIT link = %+v %v", link, err)
			}
			read, err := f.svc.View(ctx, f.st, f.org, link.Member)
			if err != nil {
				t.Fatal(err)
			}
			// Compared as JSON values: PostgreSQL's jsonb stores the
			// registration's attributes with its own key order.
			got, _ := json.Marshal(link.View)
			want, _ := json.Marshal(read)
			var gotV, wantV any
			must(t, json.Unmarshal(got, &gotV))
			must(t, json.Unmarshal(want, &wantV))
			if !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("link view\n%s\nread back\n%s", got, want)
			}
			if len(read.Roles) < 2 || len(read.SSORegistrations) != 1 {
				t.Fatalf("the view lacks the implicit roles or the registration: %s", want)
			}
		})
	}
}
