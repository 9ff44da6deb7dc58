package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func scimCases() []testCase {
	return []testCase{
		{"SCIMConnectionOnePerOrganization", testSCIMConnectionOnePerOrganization},
		{"SCIMConnectionTokensAndRoles", testSCIMConnectionTokensAndRoles},
		{"SCIMUserUniqueness", testSCIMUserUniqueness},
		{"SCIMUserFilters", testSCIMUserFilters},
		{"SCIMGroupsAndRegistrations", testSCIMGroupsAndRegistrations},
		{"SCIMDeleteConnectionKeepsMembers", testSCIMDeleteConnectionKeepsMembers},
		{"MemberStatusDeleted", testMemberStatusDeleted},
		{"SCIMConcurrentCreates", testSCIMConcurrentCreates},
	}
}

func (f *fixtures) scimConn(o *store.Organization) *store.SCIMConnection {
	f.t.Helper()
	c := &store.SCIMConnection{ProjectID: o.ProjectID, OrganizationID: o.ID, ID: f.id("scim-connection"),
		DisplayName: "Okta", IdentityProvider: "okta", TokenHash: bytes.Repeat([]byte{1}, 32), TokenLastFour: "abcd",
		GroupRoles: []store.SCIMGroupRole{}, CreatedAt: base, UpdatedAt: base}
	if err := f.s.CreateSCIMConnection(ctx(), c); err != nil {
		f.t.Fatalf("create scim connection: %v", err)
	}
	return c
}

func (f *fixtures) scimUser(c *store.SCIMConnection, m *store.Member, userName, externalID string, active bool) *store.SCIMUser {
	f.t.Helper()
	u := &store.SCIMUser{ProjectID: c.ProjectID, ConnectionID: c.ID, MemberID: m.ID, RegistrationID: f.id("scim-registration"),
		UserName: userName, ExternalID: externalID, DisplayName: "D " + userName, Email: m.Email, Active: active,
		Resource: json.RawMessage(`{"userName":"` + userName + `"}`), CreatedAt: base.Add(time.Duration(f.n.Load()) * time.Second), UpdatedAt: base}
	if err := f.s.CreateSCIMUser(ctx(), u); err != nil {
		f.t.Fatalf("create scim user: %v", err)
	}
	return u
}

func testSCIMConnectionOnePerOrganization(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	o := f.org(p.ID, "acme")
	c := f.scimConn(o)
	dup := *c
	dup.ID = f.id("scim-connection")
	wantConflict(t, "second connection", s.CreateSCIMConnection(ctx(), &dup), "organization_id")
	got, err := s.GetOrgSCIMConnection(ctx(), p.ID, o.ID)
	if err != nil || got.ID != c.ID || got.IdentityProvider != "okta" || !bytes.Equal(got.TokenHash, c.TokenHash) || got.NextTokenHash != nil {
		t.Fatalf("get by org: %+v %v", got, err)
	}
	if _, err := s.GetOrgSCIMConnection(ctx(), "project-test-other", o.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another project sees the connection: %v", err)
	}
	if _, err := s.GetSCIMConnectionForUpdate(ctx(), "project-test-other", c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another project locks the connection: %v", err)
	}
	sc, err := s.GetSCIMScope(ctx(), c.ID)
	if err != nil || sc.Connection.ID != c.ID || !bytes.Equal(sc.Connection.TokenHash, c.TokenHash) || sc.Connection.GroupRoles == nil ||
		sc.Project.ID != p.ID || sc.Organization.ID != o.ID || sc.Organization.Slug != "acme" {
		t.Fatalf("scope: %+v %v", sc, err)
	}
	if _, err := s.GetSCIMScope(ctx(), "scim-connection-test-none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown connection: %v", err)
	}
}

func testSCIMConnectionTokensAndRoles(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	c.NextTokenHash, c.NextTokenLastFour = bytes.Repeat([]byte{2}, 32), "wxyz"
	c.GroupRoles = []store.SCIMGroupRole{{RoleID: "stytch_admin", GroupID: "scim-group-test-1"}}
	c.UpdatedAt = base.Add(time.Hour)
	if err := s.UpdateSCIMConnection(ctx(), c); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSCIMConnection(ctx(), c.ID)
	if err != nil || !bytes.Equal(got.NextTokenHash, c.NextTokenHash) || got.NextTokenLastFour != "wxyz" ||
		!slices.Equal(got.GroupRoles, c.GroupRoles) {
		t.Fatalf("after update: %+v %v", got, err)
	}
	wantTime(t, "updated_at", got.UpdatedAt, c.UpdatedAt)
	c.NextTokenHash = nil
	if err := s.UpdateSCIMConnection(ctx(), c); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetSCIMConnection(ctx(), c.ID); got.NextTokenHash != nil {
		t.Fatalf("next token kept: %x", got.NextTokenHash)
	}
}

func testSCIMUserUniqueness(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	m1, m2 := f.member(o, "a@acme.test"), f.member(o, "b@acme.test")
	f.scimUser(c, m1, "Ada", "00u1", true)
	u := &store.SCIMUser{ProjectID: c.ProjectID, ConnectionID: c.ID, MemberID: m2.ID, RegistrationID: "r", UserName: "ADA",
		Email: m2.Email, Active: true, CreatedAt: base, UpdatedAt: base}
	wantConflict(t, "userName differing in case", s.CreateSCIMUser(ctx(), u), "user_name")
	u.UserName, u.MemberID = "Bob", m1.ID
	wantConflict(t, "member bound twice", s.CreateSCIMUser(ctx(), u), "member_id")
	u.MemberID = m2.ID
	if err := s.CreateSCIMUser(ctx(), u); err != nil {
		t.Fatal(err)
	}
	u.UserName = "ada"
	wantConflict(t, "rename onto a taken userName", s.UpdateSCIMUser(ctx(), u), "user_name")
	if err := s.DeleteSCIMUser(ctx(), c.ID, m2.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSCIMUser(ctx(), c.ID, m2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func testSCIMUserFilters(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	other := f.scimConn(f.org(o.ProjectID, "other"))
	names := []string{"ada", "bob", "carol", "dave"}
	for i, n := range names {
		f.scimUser(c, f.member(o, n+"@acme.test"), n, fmt.Sprintf("ext-%d", i), i%2 == 0)
	}
	f.scimUser(other, f.member(f.org(o.ProjectID, "third"), "ada@acme.test"), "ada", "ext-0", true)
	cmp := func(attr, op, v string) *store.SCIMCond {
		return &store.SCIMCond{Kind: store.SCIMCmp, Attr: attr, Op: op, Value: v}
	}
	and := func(l, r *store.SCIMCond) *store.SCIMCond {
		return &store.SCIMCond{Kind: store.SCIMAnd, Left: l, Right: r}
	}
	or := func(l, r *store.SCIMCond) *store.SCIMCond {
		return &store.SCIMCond{Kind: store.SCIMOr, Left: l, Right: r}
	}
	tests := []struct {
		name  string
		where *store.SCIMCond
		want  []string
	}{
		{"all", nil, names},
		{"userName eq, case-insensitive", cmp(store.SCIMAttrUserName, store.SCIMEq, "ADA"), []string{"ada"}},
		{"externalId eq", cmp(store.SCIMAttrExternalID, store.SCIMEq, "ext-1"), []string{"bob"}},
		{"email eq", cmp(store.SCIMAttrEmail, store.SCIMEq, "Carol@acme.test"), []string{"carol"}},
		{"userName sw", cmp(store.SCIMAttrUserName, store.SCIMSw, "c"), []string{"carol"}},
		{"userName ew", cmp(store.SCIMAttrUserName, store.SCIMEw, "E"), []string{"dave"}},
		{"userName co with LIKE wildcard", cmp(store.SCIMAttrUserName, store.SCIMCo, "%"), nil},
		{"displayName co", cmp(store.SCIMAttrDisplayName, store.SCIMCo, "d a"), []string{"ada"}},
		{"active eq false", &store.SCIMCond{Kind: store.SCIMCmp, Attr: store.SCIMAttrActive, Op: store.SCIMEq, Bool: false}, []string{"bob", "dave"}},
		{"and/or", or(and(cmp(store.SCIMAttrUserName, store.SCIMSw, "a"), cmp(store.SCIMAttrExternalID, store.SCIMEq, "ext-0")),
			cmp(store.SCIMAttrUserName, store.SCIMEq, "dave")), []string{"ada", "dave"}},
		{"not", &store.SCIMCond{Kind: store.SCIMNot, Left: cmp(store.SCIMAttrUserName, store.SCIMNe, "bob")}, []string{"bob"}},
		{"externalId pr", cmp(store.SCIMAttrExternalID, store.SCIMPr, ""), names},
	}
	for _, tc := range tests {
		us, total, err := s.ListSCIMUsers(ctx(), store.SCIMList{ConnectionID: c.ID, Where: tc.where, Limit: 10})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, u := range us {
			got = append(got, u.UserName)
		}
		if !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("%s: got %v (total %d), want %v", tc.name, got, total, tc.want)
		}
	}
	page, total, err := s.ListSCIMUsers(ctx(), store.SCIMList{ConnectionID: c.ID, Offset: 1, Limit: 2})
	if err != nil || total != 4 || len(page) != 2 || page[0].UserName != "bob" || page[1].UserName != "carol" {
		t.Fatalf("page: %v %d %v", page, total, err)
	}
	if _, _, err := s.ListSCIMUsers(ctx(), store.SCIMList{ConnectionID: c.ID, Limit: 1,
		Where: &store.SCIMCond{Kind: store.SCIMCmp, Attr: "title", Op: store.SCIMEq}}); err == nil {
		t.Fatal("an unknown attribute was accepted")
	}
}

func testSCIMGroupsAndRegistrations(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	m1, m2 := f.member(o, "a@acme.test"), f.member(o, "b@acme.test")
	f.scimUser(c, m1, "ada", "", true)
	f.scimUser(c, m2, "bob", "", true)
	g := &store.SCIMGroup{ProjectID: c.ProjectID, ConnectionID: c.ID, ID: f.id("scim-group"), DisplayName: "Admins", CreatedAt: base, UpdatedAt: base}
	if err := s.CreateSCIMGroup(ctx(), g); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSCIMGroupMembers(ctx(), g.ID, m1.ID, m2.ID, m1.ID); err != nil {
		t.Fatal(err)
	}
	ms, err := s.ListSCIMGroupMembers(ctx(), g.ID)
	if err != nil || len(ms) != 2 || ms[0].UserName != "ada" || ms[1].GroupDisplayName != "Admins" {
		t.Fatalf("members: %+v %v", ms, err)
	}
	found, err := s.ExistingSCIMUsers(ctx(), c.ID, m1.ID, "member-test-nobody")
	if err != nil || !slices.Equal(found, []string{m1.ID}) {
		t.Fatalf("existing: %v %v", found, err)
	}
	c.GroupRoles = []store.SCIMGroupRole{{RoleID: "stytch_admin", GroupID: g.ID}}
	if err := s.UpdateSCIMConnection(ctx(), c); err != nil {
		t.Fatal(err)
	}
	regs, err := s.ListSCIMRegistrations(ctx(), c.ProjectID, m1.ID, m2.ID)
	if err != nil || len(regs) != 2 || !slices.Equal(regs[0].GroupIDs, []string{g.ID}) || !slices.Equal(regs[0].GroupRoles, c.GroupRoles) {
		t.Fatalf("registrations: %+v %v", regs, err)
	}
	if err := s.RemoveSCIMGroupMembers(ctx(), g.ID, false, m1.ID); err != nil {
		t.Fatal(err)
	}
	if gs, _ := s.ListSCIMUserGroups(ctx(), m1.ID); len(gs) != 0 {
		t.Fatalf("m1 still a member: %v", gs)
	}
	if err := s.RemoveSCIMGroupMembers(ctx(), g.ID, true); err != nil {
		t.Fatal(err)
	}
	if ms, _ := s.ListSCIMGroupMembers(ctx(), g.ID); len(ms) != 0 {
		t.Fatalf("members after clear: %v", ms)
	}
	hasMember := func(id string) int {
		_, n, err := s.ListSCIMGroups(ctx(), store.SCIMList{ConnectionID: c.ID, Limit: 5,
			Where: &store.SCIMCond{Kind: store.SCIMCmp, Attr: store.SCIMAttrMember, Op: store.SCIMEq, Value: id}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if hasMember(m2.ID) != 0 {
		t.Fatal("a group without members matched a members filter")
	}
	if err := s.AddSCIMGroupMembers(ctx(), g.ID, m2.ID); err != nil || hasMember(m2.ID) != 1 || hasMember(m1.ID) != 0 {
		t.Fatalf("members filter: %v", err)
	}
	gs, total, err := s.ListSCIMGroups(ctx(), store.SCIMList{ConnectionID: c.ID, Limit: 5,
		Where: &store.SCIMCond{Kind: store.SCIMCmp, Attr: store.SCIMAttrDisplayName, Op: store.SCIMEq, Value: "Admins"}})
	if err != nil || total != 1 || gs[0].ID != g.ID {
		t.Fatalf("group filter: %v %d %v", gs, total, err)
	}
	if err := s.DeleteSCIMGroup(ctx(), c.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSCIMGroup(ctx(), c.ID, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted group: %v", err)
	}
}

func testSCIMDeleteConnectionKeepsMembers(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	m := f.member(o, "a@acme.test")
	f.scimUser(c, m, "ada", "", true)
	if err := s.DeleteSCIMConnection(ctx(), c.ProjectID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMember(ctx(), m.ProjectID, m.ID); err != nil {
		t.Fatalf("member gone with the connection: %v", err)
	}
	if regs, err := s.ListSCIMRegistrations(ctx(), m.ProjectID, m.ID); err != nil || len(regs) != 0 {
		t.Fatalf("registrations after delete: %v %v", regs, err)
	}
}

// testMemberStatusDeleted: the status SCIM deprovisioning writes is
// storable on every backend (the migration widened the CHECK).
func testMemberStatusDeleted(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	m := f.member(o, "a@acme.test")
	m.Status = "deleted"
	if err := s.UpdateMember(ctx(), m); err != nil {
		t.Fatalf("status deleted: %v", err)
	}
	m.Status = "bogus"
	if err := s.UpdateMember(ctx(), m); err == nil {
		t.Fatal("an unknown status was stored")
	}
}

// testSCIMConcurrentCreates: IdPs push users in parallel; two creates of
// one userName end with one user and one conflict.
func testSCIMConcurrentCreates(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	o := f.org(f.project().ID, "acme")
	c := f.scimConn(o)
	ms := []*store.Member{f.member(o, "a@acme.test"), f.member(o, "b@acme.test")}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Tx(ctx(), func(q store.Queries) error {
				return q.CreateSCIMUser(ctx(), &store.SCIMUser{ProjectID: c.ProjectID, ConnectionID: c.ID, MemberID: ms[i].ID,
					RegistrationID: fmt.Sprint("r", i), UserName: "same", Email: ms[i].Email, Active: true, CreatedAt: base, UpdatedAt: base})
			})
		}()
	}
	wg.Wait()
	var ok, conflicts int
	for _, err := range errs {
		var ce *store.ErrConflict
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ce) && ce.Field == "user_name":
			conflicts++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("ok %d conflicts %d", ok, conflicts)
	}
}
