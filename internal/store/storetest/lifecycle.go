package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func lifecycleCases() []testCase {
	return []testCase{
		{"lifecycle/archive_reactivate_round_trip", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			m := f.member(o, "ada@example.com")
			m.ExternalID, m.EmailVerified, m.IsBreakglass = "ext-ada", true, true
			if err := s.UpdateMember(ctx(), m); err != nil {
				t.Fatal(err)
			}
			at := base.Add(time.Hour)
			err := s.Tx(ctx(), func(q store.Queries) error {
				if err := q.ArchiveMember(ctx(), m, at); err != nil {
					return err
				}
				return q.DeleteMember(ctx(), p.ID, m.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted member still found: %v", err)
			}
			if n, err := s.CountMembers(ctx(), p.ID, o.ID); err != nil || n != 0 {
				t.Errorf("CountMembers = %d, %v; want 0", n, err)
			}
			d, err := s.GetDeletedMember(ctx(), p.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantTime(t, "deleted_at", d.DeletedAt, at)
			got := d.Member
			if got.ID != m.ID || got.Email != m.Email || got.ExternalID != "ext-ada" || !got.EmailVerified || !got.IsBreakglass ||
				got.OrganizationID != o.ID || len(got.Roles) != 1 || got.Roles[0] != "stytch_admin" {
				t.Errorf("archived member = %+v", got)
			}
			sameJSON(t, "trusted", got.TrustedMetadata, m.TrustedMetadata)
			sameJSON(t, "untrusted", got.UntrustedMetadata, m.UntrustedMetadata)
			wantTime(t, "created_at", got.CreatedAt, m.CreatedAt)
			// Other projects see nothing.
			if _, err := s.GetDeletedMember(ctx(), f.project().ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project: %v", err)
			}
			// The email is free again while the member is deleted.
			other := f.member(o, "ada@example.com")
			if n, _ := s.CountMembers(ctx(), p.ID, o.ID); n != 1 {
				t.Errorf("CountMembers = %d, want 1", n)
			}
			err = s.Tx(ctx(), func(q store.Queries) error {
				d, err := q.GetDeletedMemberForUpdate(ctx(), p.ID, m.ID)
				if err != nil {
					return err
				}
				if err := q.CreateMember(ctx(), &d.Member); err != nil {
					return err
				}
				return q.ForgetDeletedMember(ctx(), p.ID, m.ID)
			})
			wantConflict(t, "reactivate onto a taken email", err, "email_address")
			if _, err := s.GetDeletedMember(ctx(), p.ID, m.ID); err != nil {
				t.Errorf("a failed reactivation must keep the record: %v", err)
			}
			if err := s.DeleteMember(ctx(), p.ID, other.ID); err != nil {
				t.Fatal(err)
			}
			err = s.Tx(ctx(), func(q store.Queries) error {
				d, err := q.GetDeletedMemberForUpdate(ctx(), p.ID, m.ID)
				if err != nil {
					return err
				}
				if err := q.CreateMember(ctx(), &d.Member); err != nil {
					return err
				}
				return q.ForgetDeletedMember(ctx(), p.ID, m.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			if back, err := s.GetOrgMember(ctx(), p.ID, o.ID, "ext-ada"); err != nil || back.ID != m.ID {
				t.Errorf("reactivated member: %v, %v", back, err)
			}
			if _, err := s.GetDeletedMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("record kept after reactivation: %v", err)
			}
			if err := s.ForgetDeletedMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("forget twice: %v", err)
			}
		}},
		{"lifecycle/deleted_members_go_with_their_organization", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "acme")
			m := f.member(o, "ada@example.com")
			if err := s.ArchiveMember(ctx(), m, base); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteMember(ctx(), p.ID, m.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetDeletedMember(ctx(), p.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted member outlived its organization: %v", err)
			}
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
			if err := s.ArchiveMember(ctx(), bob, base); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteMember(ctx(), p.ID, bob.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateProjectSecret(ctx(), &store.ProjectSecret{ID: f.id("secret"), ProjectID: p.ID, Hash: []byte("h"), CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			ko := f.org(keep.ID, "acme")
			km := f.member(ko, "ada@example.com")
			f.org(p.ID, "beta")
			if orgs, members, err := s.CountProjectContents(ctx(), p.ID); err != nil || orgs != 2 || members != 1 {
				t.Errorf("CountProjectContents = %d, %d, %v; want 2 organizations, 1 member (the deleted one is not)", orgs, members, err)
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
			if err := s.DeleteMember(ctx(), p.ID, m.ID); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.ListRetiredEmails(ctx(), p.ID, m.ID); len(list) != 0 {
				t.Errorf("retired addresses outlived their member: %+v", list)
			}
		}},
	}
}
