package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func setupLinkCases() []testCase {
	return []testCase{
		{"setup/links_round_trip_and_list_newest_first", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			first := &store.SetupLink{ID: f.id("setup-link"), ProjectID: p.ID, OrganizationID: o.ID, TokenHash: []byte("hash-1"),
				ConnectionKind: store.KindSAML, CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
			second := &store.SetupLink{ID: f.id("setup-link"), ProjectID: p.ID, OrganizationID: o.ID, TokenHash: []byte("hash-2"),
				CreatedAt: base.Add(time.Minute), ExpiresAt: base.Add(2 * time.Hour)}
			for _, l := range []*store.SetupLink{first, second} {
				if err := s.CreateSetupLink(ctx(), l); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.GetSetupLinkByTokenHash(ctx(), []byte("hash-1"))
			if err != nil || got.ID != first.ID || got.OrganizationID != o.ID || got.ConnectionKind != store.KindSAML ||
				!bytes.Equal(got.TokenHash, []byte("hash-1")) || !got.RevokedAt.IsZero() {
				t.Fatalf("get = %+v %v", got, err)
			}
			wantTime(t, "expires_at", got.ExpiresAt, first.ExpiresAt)
			if _, err := s.GetSetupLinkByTokenHash(ctx(), []byte("hash-3")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown hash: %v", err)
			}
			list, err := s.ListSetupLinks(ctx(), p.ID, o.ID)
			if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
				t.Fatalf("list = %v %v", list, err)
			}
		}},
		{"setup/token_hash_is_unique", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			l := &store.SetupLink{ID: f.id("setup-link"), ProjectID: p.ID, OrganizationID: o.ID, TokenHash: []byte("same"), CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
			if err := s.CreateSetupLink(ctx(), l); err != nil {
				t.Fatal(err)
			}
			l.ID = f.id("setup-link")
			var c *store.ErrConflict
			if err := s.CreateSetupLink(ctx(), l); !errors.As(err, &c) {
				t.Fatalf("second link with the same hash: %v", err)
			}
		}},
		{"setup/revoke_once_and_only_in_its_organization", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			a, b := f.org(p.ID, "a"), f.org(p.ID, "b")
			other := f.project()
			l := &store.SetupLink{ID: f.id("setup-link"), ProjectID: p.ID, OrganizationID: a.ID, TokenHash: []byte("h"), CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
			if err := s.CreateSetupLink(ctx(), l); err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeSetupLink(ctx(), p.ID, b.ID, l.ID, base); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked through another organization: %v", err)
			}
			if err := s.RevokeSetupLink(ctx(), other.ID, a.ID, l.ID, base); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked through another project: %v", err)
			}
			if list, _ := s.ListSetupLinks(ctx(), p.ID, b.ID); len(list) != 0 {
				t.Errorf("organization b lists a's link: %v", list)
			}
			at := base.Add(time.Minute)
			if err := s.RevokeSetupLink(ctx(), p.ID, a.ID, l.ID, at); err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeSetupLink(ctx(), p.ID, a.ID, l.ID, at.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second revoke: %v", err)
			}
			got, err := s.GetSetupLinkByTokenHash(ctx(), []byte("h"))
			if err != nil {
				t.Fatal(err)
			}
			wantTime(t, "revoked_at", got.RevokedAt, at)
		}},
		{"setup/links_go_with_their_organization", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			l := &store.SetupLink{ID: f.id("setup-link"), ProjectID: p.ID, OrganizationID: o.ID, TokenHash: []byte("gone"), CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
			if err := s.CreateSetupLink(ctx(), l); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetSetupLinkByTokenHash(ctx(), []byte("gone")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a deleted organization's link still opens: %v", err)
			}
		}},
		{"setup/request_marks_its_setup_link", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			r := &store.SSORequest{ID: "_test1", ProjectID: p.ID, ConnectionID: c.ID, OrganizationID: c.OrganizationID,
				SetupLinkID: "setup-link-test-1", CreatedAt: base, ExpiresAt: base.Add(10 * time.Minute)}
			if err := s.CreateSSORequest(ctx(), r); err != nil {
				t.Fatal(err)
			}
			got, err := s.ConsumeSSORequest(ctx(), p.ID, "_test1", base)
			if err != nil || got.SetupLinkID != "setup-link-test-1" {
				t.Fatalf("consume = %+v %v", got, err)
			}
		}},
	}
}
