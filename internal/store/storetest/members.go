package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func (f *fixtures) member(o *store.Organization, email string) *store.Member {
	f.t.Helper()
	m := &store.Member{
		ProjectID: o.ProjectID, OrganizationID: o.ID, ID: f.id("member"), Email: email, Name: "M " + email,
		Status: "active", Roles: []string{"stytch_admin"}, TrustedMetadata: json.RawMessage(`{"t":1}`),
		UntrustedMetadata: json.RawMessage(`{"u":[true]}`),
		CreatedAt:         base.Add(time.Duration(f.n.Load()) * time.Second), UpdatedAt: base,
	}
	if err := f.s.CreateMember(ctx(), m); err != nil {
		f.t.Fatalf("create member: %v", err)
	}
	return m
}

func (f *fixtures) registration(m *store.Member, c *store.Connection, externalID string) *store.SSORegistration {
	f.t.Helper()
	r := &store.SSORegistration{
		ProjectID: m.ProjectID, MemberID: m.ID, ID: f.id("sso-registration"), ConnectionID: c.ID,
		ExternalID: externalID, Attributes: json.RawMessage(`{"groups":["eng"]}`),
		CreatedAt: base.Add(time.Duration(f.n.Load()) * time.Second), UpdatedAt: base,
	}
	if err := f.s.CreateSSORegistration(ctx(), r); err != nil {
		f.t.Fatalf("create registration: %v", err)
	}
	return r
}

func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var c *store.ErrConflict
	if !errors.As(err, &c) || c.Field != field {
		t.Errorf("%s: got %v, want conflict on %s", what, err, field)
	}
}

func memberCases() []testCase {
	return []testCase{
		{"members/crud_and_lookups", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			m := &store.Member{
				ProjectID: p.ID, OrganizationID: o.ID, ID: f.id("member"), Email: "Ada@Example.COM", ExternalID: "ext-1",
				Name: "Ada", Status: "pending", Roles: []string{"editor", "stytch_admin"},
				TrustedMetadata: json.RawMessage(`{"b":1,"a":[1,2]}`), UntrustedMetadata: json.RawMessage(`{"x":"y"}`),
				IsBreakglass: true, MFAEnrolled: true, MFAPhoneNumber: "+15555550100", DefaultMFAMethod: "sms_otp",
				EmailVerified: true, CreatedAt: base, UpdatedAt: base.Add(time.Minute),
			}
			if err := s.CreateMember(ctx(), m); err != nil {
				t.Fatal(err)
			}
			check := func(what string, got *store.Member, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if got.ID != m.ID || got.Email != "ada@example.com" || got.ExternalID != "ext-1" || got.Name != "Ada" ||
					got.Status != "pending" || !got.IsBreakglass || !got.MFAEnrolled || got.MFAPhoneNumber != "+15555550100" ||
					got.DefaultMFAMethod != "sms_otp" || !got.EmailVerified || got.OrganizationID != o.ID || got.ProjectID != p.ID ||
					len(got.Roles) != 2 || got.Roles[0] != "editor" || got.Roles[1] != "stytch_admin" {
					t.Errorf("%s = %+v", what, got)
				}
				sameJSON(t, what+" trusted", got.TrustedMetadata, m.TrustedMetadata)
				sameJSON(t, what+" untrusted", got.UntrustedMetadata, m.UntrustedMetadata)
				wantTime(t, what+" created_at", got.CreatedAt, m.CreatedAt)
				wantTime(t, what+" updated_at", got.UpdatedAt, m.UpdatedAt)
			}
			got, err := s.GetMember(ctx(), p.ID, m.ID)
			check("by id", got, err)
			got, err = s.GetOrgMember(ctx(), p.ID, o.ID, m.ID)
			check("org member by id", got, err)
			got, err = s.GetOrgMember(ctx(), p.ID, o.ID, "ext-1")
			check("org member by external id", got, err)
			got, err = s.GetMemberByEmail(ctx(), p.ID, o.ID, "ADA@example.com")
			check("by email", got, err)
			err = s.Tx(ctx(), func(q store.Queries) error {
				got, err = q.GetMemberByEmailForUpdate(ctx(), p.ID, o.ID, "ADA@example.com")
				return err
			})
			check("by email for update", got, err)

			got.Name, got.Email, got.Status, got.Roles, got.IsBreakglass = "Ada L", "ada@new.example", "active", nil, false
			got.ExternalID, got.UntrustedMetadata, got.UpdatedAt = "", json.RawMessage(`{}`), base.Add(time.Hour)
			if err := s.UpdateMember(ctx(), got); err != nil {
				t.Fatal(err)
			}
			again, err := s.GetMember(ctx(), p.ID, m.ID)
			if err != nil || again.Name != "Ada L" || again.Email != "ada@new.example" || again.Status != "active" ||
				len(again.Roles) != 0 || again.Roles == nil || again.IsBreakglass || again.ExternalID != "" {
				t.Fatalf("after update %+v %v", again, err)
			}
			if _, err := s.GetOrgMember(ctx(), p.ID, o.ID, "ext-1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("cleared external id still resolves: %v", err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after its organization's delete: %v", err)
			}
			if err := s.UpdateMember(ctx(), again); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("update of a member gone with its organization: %v", err)
			}
		}},
		{"members/uniqueness_and_scoping", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p1, p2 := f.project(), f.project()
			a, b := f.org(p1.ID, "a"), f.org(p1.ID, "b")
			m := f.member(a, "bob@example.com")
			dup := *m
			dup.ID, dup.Email = f.id("member"), "BOB@example.com"
			wantConflict(t, "same email, other case", s.CreateMember(ctx(), &dup), "email_address")
			// The same address is free in another organization.
			f.member(b, "bob@example.com")
			m.ExternalID = "x1"
			if err := s.UpdateMember(ctx(), m); err != nil {
				t.Fatal(err)
			}
			other := f.member(a, "carol@example.com")
			other.ExternalID = "x1"
			wantConflict(t, "same external id", s.UpdateMember(ctx(), other), "external_id")
			// An email value that happens to contain "external_id" is still an email conflict.
			weird := f.member(a, "external_id@example.com")
			weird.Email = "carol@example.com"
			wantConflict(t, "email containing external_id", s.UpdateMember(ctx(), weird), "email_address")

			if _, err := s.GetMember(ctx(), p2.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project sees member: %v", err)
			}
			if _, err := s.GetOrgMember(ctx(), p1.ID, b.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other organization sees member: %v", err)
			}
			if _, err := s.GetMemberByEmail(ctx(), p2.ID, a.ID, "bob@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project finds member by email: %v", err)
			}
			if err := s.UpdateMember(ctx(), &store.Member{ProjectID: p2.ID, OrganizationID: m.OrganizationID, ID: m.ID, Email: m.Email,
				Status: m.Status, Roles: m.Roles, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project updates member: %v", err)
			}
		}},
		{"members/search", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			a, b := f.org(p.ID, "a"), f.org(p.ID, "b")
			m1 := f.member(a, "ann@alpha.example")
			m2 := f.member(a, "ben@beta.example")
			m2.Status, m2.IsBreakglass, m2.Roles, m2.MFAPhoneNumber = "invited", true, []string{"editor", "a_b"}, "+15550001111"
			if err := s.UpdateMember(ctx(), m2); err != nil {
				t.Fatal(err)
			}
			m3 := f.member(b, "cat%_@alpha.example")
			ids := func(ms []*store.Member) []string {
				var out []string
				for _, m := range ms {
					out = append(out, m.ID)
				}
				return out
			}
			cases := []struct {
				name  string
				f     store.MemberFilter
				want  []string
				total int
			}{
				{"one org", store.MemberFilter{OrganizationIDs: []string{a.ID}}, []string{m1.ID, m2.ID}, 2},
				{"two orgs", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID}}, []string{m1.ID, m2.ID, m3.ID}, 3},
				{"limit", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID}, Keyset: store.Keyset{Limit: 2}}, []string{m1.ID, m2.ID}, 3},
				{"cursor", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID}, Keyset: store.Keyset{AfterCreated: m2.CreatedAt, AfterID: m2.ID}}, []string{m3.ID}, 3},
				{"email fuzzy is case-insensitive and literal", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID},
					Conditions: []store.MemberCondition{{Kind: store.MemberByEmailFuzzy, Values: []string{"%_@ALPHA"}}}}, []string{m3.ID}, 1},
				{"emails", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID},
					Conditions: []store.MemberCondition{{Kind: store.MemberByEmails, Values: []string{"BEN@beta.example"}}}}, []string{m2.ID}, 1},
				{"statuses and breakglass", store.MemberFilter{OrganizationIDs: []string{a.ID}, Conditions: []store.MemberCondition{
					{Kind: store.MemberByStatuses, Values: []string{"invited", "active"}}, {Kind: store.MemberByBreakglass, Bool: true}}}, []string{m2.ID}, 1},
				{"or", store.MemberFilter{OrganizationIDs: []string{a.ID, b.ID}, Any: true, Conditions: []store.MemberCondition{
					{Kind: store.MemberByIDs, Values: []string{m1.ID}}, {Kind: store.MemberByPhones, Values: []string{"+15550001111"}}}}, []string{m1.ID, m2.ID}, 2},
				{"roles match whole IDs", store.MemberFilter{OrganizationIDs: []string{a.ID}, Conditions: []store.MemberCondition{
					{Kind: store.MemberByRoles, Values: []string{"edit", "a%b"}}}}, nil, 0},
				{"roles", store.MemberFilter{OrganizationIDs: []string{a.ID}, Conditions: []store.MemberCondition{
					{Kind: store.MemberByRoles, Values: []string{"a_b"}}}}, []string{m2.ID}, 1},
				{"phone fuzzy", store.MemberFilter{OrganizationIDs: []string{a.ID}, Conditions: []store.MemberCondition{
					{Kind: store.MemberByPhoneFuzzy, Values: []string{"0001"}}}}, []string{m2.ID}, 1},
			}
			for _, c := range cases {
				c.f.ProjectID = p.ID
				got, total, err := s.SearchMembers(ctx(), c.f)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if g := ids(got); total != c.total || !slices.Equal(g, c.want) {
					t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, g, total, c.want, c.total)
				}
			}
			other := f.project()
			if got, total, _ := s.SearchMembers(ctx(), store.MemberFilter{ProjectID: other.ID, OrganizationIDs: []string{a.ID}}); len(got) != 0 || total != 0 {
				t.Errorf("other project searched %d members", total)
			}
			if _, _, err := s.SearchMembers(ctx(), store.MemberFilter{ProjectID: p.ID}); err == nil {
				t.Error("search without organizations succeeded")
			}
		}},
		{"members/registrations", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			c1, c2 := f.conn(o, store.KindSAML, ""), f.conn(o, store.KindOIDC, "")
			m, n := f.member(o, "m@example.com"), f.member(o, "n@example.com")
			r := f.registration(m, c1, "nameid-1")
			got, err := s.GetSSORegistration(ctx(), p.ID, c1.ID, "nameid-1")
			if err != nil || got.ID != r.ID || got.MemberID != m.ID || got.ConnectionID != c1.ID || got.ExternalID != "nameid-1" {
				t.Fatalf("get = %+v %v", got, err)
			}
			sameJSON(t, "attributes", got.Attributes, r.Attributes)
			wantTime(t, "created_at", got.CreatedAt, r.CreatedAt)
			if by, err := s.GetMemberSSORegistration(ctx(), p.ID, m.ID, c1.ID); err != nil || by.ID != r.ID {
				t.Errorf("by member = %+v %v", by, err)
			}
			dup := *r
			dup.ID, dup.MemberID = f.id("sso-registration"), n.ID
			wantConflict(t, "same external id on a connection", s.CreateSSORegistration(ctx(), &dup), "external_id")
			dup.ID, dup.MemberID, dup.ExternalID = f.id("sso-registration"), m.ID, "nameid-2"
			wantConflict(t, "second registration of a member", s.CreateSSORegistration(ctx(), &dup), "connection_id")
			f.registration(n, c1, "nameid-2")
			f.registration(m, c2, "sub-1")

			got.ExternalID, got.Attributes, got.UpdatedAt = "nameid-1b", json.RawMessage(`{"groups":[]}`), base.Add(time.Hour)
			if err := s.UpdateSSORegistration(ctx(), got); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetSSORegistration(ctx(), p.ID, c1.ID, "nameid-1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("old external id still found: %v", err)
			}
			got.ExternalID = "nameid-2"
			wantConflict(t, "update onto a taken external id", s.UpdateSSORegistration(ctx(), got), "external_id")

			list, err := s.ListSSORegistrations(ctx(), p.ID, m.ID)
			if err != nil || len(list) != 2 || list[0].ConnectionID != c1.ID || list[1].ConnectionID != c2.ID {
				t.Fatalf("list = %v %v", list, err)
			}
			if list, _ := s.ListSSORegistrations(ctx(), p.ID, m.ID, n.ID); len(list) != 3 {
				t.Errorf("list of two members = %d", len(list))
			}
			if list, _ := s.ListSSORegistrations(ctx(), f.project().ID, m.ID); len(list) != 0 {
				t.Errorf("other project lists %d registrations", len(list))
			}
			// Deleting a connection removes its registrations; deleting the
			// organization removes the rest (a deleted member keeps them).
			if err := s.DeleteConnection(ctx(), p.ID, c2.ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListSSORegistrations(ctx(), p.ID, m.ID); len(list) != 1 {
				t.Errorf("after connection delete: %d registrations", len(list))
			}
			if err := s.DeleteOrganization(ctx(), p.ID, m.OrganizationID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListSSORegistrations(ctx(), p.ID, m.ID); len(list) != 0 {
				t.Errorf("after organization delete: %d registrations", len(list))
			}
		}},
		{"members/organization_delete_cascades", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			m := f.member(o, "m@example.com")
			f.registration(m, f.conn(o, store.KindSAML, ""), "x")
			f.session(m, base.Add(time.Hour))
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("member outlived its organization: %v", err)
			}
			if list, _ := s.ListSSORegistrations(ctx(), p.ID, m.ID); len(list) != 0 {
				t.Errorf("registrations outlived the organization")
			}
			if list, _ := s.ListMemberSessions(ctx(), p.ID, m.ID, base); len(list) != 0 {
				t.Errorf("sessions outlived the organization")
			}
		}},
		{"members/locked_read_by_id_or_external_id", func(t *testing.T, s store.Store) {
			// GetOrgMemberForUpdate finds a member by ID or external ID, an
			// ID match first, as GetOrgMember does; another organization's
			// member is not found.
			f := newFixtures(t, s)
			p := f.project()
			o, other := f.org(p.ID, "a"), f.org(p.ID, "b")
			a, b := f.member(o, "a@example.com"), f.member(o, "b@example.com")
			b.ExternalID = a.ID // an external ID that is another member's ID
			if err := s.UpdateMember(ctx(), b); err != nil {
				t.Fatal(err)
			}
			c := f.member(o, "c@example.com")
			c.ExternalID = "ext-c"
			if err := s.UpdateMember(ctx(), c); err != nil {
				t.Fatal(err)
			}
			err := s.Tx(ctx(), func(q store.Queries) error {
				for ref, want := range map[string]string{a.ID: a.ID, "ext-c": c.ID, c.ID: c.ID} {
					got, err := q.GetOrgMemberForUpdate(ctx(), p.ID, o.ID, ref)
					if err != nil || got.ID != want {
						return fmt.Errorf("ref %s: got %v %v, want %s", ref, got, err, want)
					}
				}
				if _, err := q.GetOrgMemberForUpdate(ctx(), p.ID, other.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("another organization's member: %v", err)
				}
				if _, err := q.GetOrgMemberForUpdate(ctx(), p.ID, o.ID, "nobody"); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("unknown ref: %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"members/locked_update_rollback", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			m := f.member(o, "m@example.com")
			boom := errors.New("boom")
			err := s.Tx(ctx(), func(q store.Queries) error {
				got, err := q.GetOrgMemberForUpdate(ctx(), p.ID, o.ID, m.ID)
				if err != nil {
					return err
				}
				got.Name = "changed"
				if err := q.UpdateMember(ctx(), got); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if got, _ := s.GetMember(ctx(), p.ID, m.ID); got.Name != m.Name {
				t.Errorf("name after rollback = %q", got.Name)
			}
		}},
	}
}
