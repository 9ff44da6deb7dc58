package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func lifecycleCases() []testCase {
	return []testCase{
		{"lifecycle/excluded_statuses_are_not_searched_or_counted", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			m := f.member(o, "ada@example.com")
			m.ExternalID = "ext-ada"
			f.member(o, "bob@example.com")
			m.Status = "deleted"
			if err := s.UpdateMember(ctx(), m); err != nil {
				t.Fatal(err)
			}
			all := store.MemberFilter{ProjectID: p.ID, OrganizationIDs: []string{o.ID}, Keyset: store.Keyset{Limit: 10}}
			live := all
			live.ExcludeStatuses = []string{"deleted"}
			if n, err := s.CountMembers(ctx(), all); err != nil || n != 2 {
				t.Errorf("CountMembers(all) = %d, %v; want 2", n, err)
			}
			if n, err := s.CountMembers(ctx(), live); err != nil || n != 1 {
				t.Errorf("CountMembers(live) = %d, %v; want 1", n, err)
			}
			// The exclusion holds whatever the conditions, OR included.
			live.Any = true
			live.Conditions = []store.MemberCondition{{Kind: store.MemberByEmails, Values: []string{"ada@example.com"}},
				{Kind: store.MemberByStatuses, Values: []string{"deleted", "active"}}}
			got, total, err := s.SearchMembers(ctx(), live)
			if err != nil || total != 1 || len(got) != 1 || got[0].Email != "bob@example.com" {
				t.Errorf("SearchMembers(live) = %v, %d, %v; want bob only", got, total, err)
			}
			// A member with an excluded status keeps its email address and
			// external ID: the rows stay.
			wantConflict(t, "taken email", s.CreateMember(ctx(), &store.Member{ProjectID: p.ID, OrganizationID: o.ID,
				ID: f.id("member"), Email: "ADA@example.com", Status: "active", Roles: []string{}, CreatedAt: base, UpdatedAt: base}), "email_address")
			wantConflict(t, "taken external ID", s.CreateMember(ctx(), &store.Member{ProjectID: p.ID, OrganizationID: o.ID,
				ID: f.id("member"), Email: "eve@example.com", ExternalID: "ext-ada", Status: "active", Roles: []string{}, CreatedAt: base, UpdatedAt: base}), "external_id")
		}},
		{"lifecycle/project_rename_and_delete", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, keep := f.project(), f.project()
			if err := s.RenameProject(ctx(), p.ID, "Renamed"); err != nil {
				t.Fatal(err)
			}
			if got, err := s.GetProject(ctx(), p.ID); err != nil || got.Name != "Renamed" {
				t.Fatalf("renamed project: %+v, %v", got, err)
			}
			if err := s.RenameProject(ctx(), "project-test-nope", "x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("rename unknown: %v", err)
			}
			o := f.org(p.ID, "acme")
			m := f.member(o, "ada@example.com")
			bob := f.member(o, "bob@example.com")
			bob.Status = "deleted"
			if err := s.UpdateMember(ctx(), bob); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateProjectSecret(ctx(), &store.ProjectSecret{ID: f.id("secret"), ProjectID: p.ID, Hash: []byte("h"), CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			ko := f.org(keep.ID, "acme")
			km := f.member(ko, "ada@example.com")
			f.org(p.ID, "beta")
			if orgs, members, err := s.CountProjectContents(ctx(), p.ID, []string{"deleted"}); err != nil || orgs != 2 || members != 1 {
				t.Errorf("CountProjectContents = %d, %d, %v; want 2 organizations, 1 member (the excluded status is not)", orgs, members, err)
			}
			if err := s.DeleteProject(ctx(), p.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteProject(ctx(), p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete twice: %v", err)
			}
			if _, err := s.GetProject(ctx(), p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted project found: %v", err)
			}
			if _, err := s.GetOrganization(ctx(), p.ID, o.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("its organization survived: %v", err)
			}
			if _, err := s.GetMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("its member survived: %v", err)
			}
			if list, err := s.ListProjectSecrets(ctx(), p.ID); err != nil || len(list) != 0 {
				t.Errorf("its secrets survived: %v, %v", list, err)
			}
			if _, err := s.GetMember(ctx(), keep.ID, km.ID); err != nil {
				t.Errorf("another project's member went too: %v", err)
			}
		}},
		{"lifecycle/retired_emails", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o, o2 := f.org(p.ID, "acme"), f.org(p.ID, "beta")
			m, m2 := f.member(o, "ada@example.com"), f.member(o, "bob@example.com")
			r1 := &store.RetiredEmail{ProjectID: p.ID, OrganizationID: o.ID, MemberID: m.ID, ID: f.id("member-email"),
				Email: "Old@Example.com", CreatedAt: base}
			r2 := &store.RetiredEmail{ProjectID: p.ID, OrganizationID: o.ID, MemberID: m.ID, ID: f.id("member-email"),
				Email: "older@example.com", CreatedAt: base.Add(time.Second)}
			for _, r := range []*store.RetiredEmail{r1, r2} {
				if err := s.CreateRetiredEmail(ctx(), r); err != nil {
					t.Fatal(err)
				}
			}
			dup := &store.RetiredEmail{ProjectID: p.ID, OrganizationID: o.ID, MemberID: m2.ID, ID: f.id("member-email"),
				Email: "old@example.com", CreatedAt: base}
			wantConflict(t, "same retired address twice in an organization", s.CreateRetiredEmail(ctx(), dup), "email_address")
			elsewhere := f.member(o2, "carol@example.com")
			dup.OrganizationID, dup.MemberID = o2.ID, elsewhere.ID
			if err := s.CreateRetiredEmail(ctx(), dup); err != nil {
				t.Errorf("another organization may retire the same address: %v", err)
			}
			list, err := s.ListRetiredEmails(ctx(), p.ID, m.ID, m2.ID)
			if err != nil || len(list) != 2 || list[0].ID != r1.ID || list[0].Email != "old@example.com" || list[1].ID != r2.ID {
				t.Fatalf("ListRetiredEmails = %+v, %v", list, err)
			}
			wantTime(t, "created_at", list[0].CreatedAt, base)
			got, err := s.GetRetiredEmailByAddress(ctx(), p.ID, o.ID, "OLD@example.com")
			if err != nil || got.ID != r1.ID || got.MemberID != m.ID {
				t.Errorf("GetRetiredEmailByAddress = %+v, %v", got, err)
			}
			if _, err := s.GetRetiredEmailByAddress(ctx(), f.project().ID, o.ID, "old@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project: %v", err)
			}
			if err := s.DeleteRetiredEmail(ctx(), p.ID, r1.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteRetiredEmail(ctx(), p.ID, r1.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delete twice: %v", err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListRetiredEmails(ctx(), p.ID, m.ID); len(list) != 0 {
				t.Errorf("retired addresses outlived their organization: %+v", list)
			}
		}},
	}
}
