package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func (f *fixtures) session(m *store.Member, expires time.Time) *store.MemberSession {
	f.t.Helper()
	id := f.id("member-session")
	h := sha256.Sum256([]byte("token-" + id))
	s := &store.MemberSession{
		ProjectID: m.ProjectID, OrganizationID: m.OrganizationID, MemberID: m.ID, ID: id, TokenHash: h[:],
		AuthenticationFactors: json.RawMessage(`[{"type":"sso","delivery_method":"sso_saml"}]`),
		CustomClaims:          json.RawMessage(`{"k":"v"}`), Attributes: json.RawMessage(`{"ip_address":"","user_agent":""}`),
		StartedAt: base, LastAccessedAt: base, ExpiresAt: expires,
	}
	if err := f.s.CreateSession(ctx(), s); err != nil {
		f.t.Fatalf("create session: %v", err)
	}
	return s
}

func sessionCases() []testCase {
	return []testCase{
		{"sessions/crud_by_id_and_token_hash", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			m := f.member(o, "m@example.com")
			sess := f.session(m, base.Add(time.Hour))
			check := func(what string, got *store.MemberSession, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if got.ID != sess.ID || got.MemberID != m.ID || got.OrganizationID != o.ID || got.ProjectID != p.ID ||
					!bytes.Equal(got.TokenHash, sess.TokenHash) {
					t.Errorf("%s = %+v", what, got)
				}
				sameJSON(t, what+" factors", got.AuthenticationFactors, sess.AuthenticationFactors)
				sameJSON(t, what+" claims", got.CustomClaims, sess.CustomClaims)
				wantTime(t, what+" expires_at", got.ExpiresAt, sess.ExpiresAt)
				wantTime(t, what+" started_at", got.StartedAt, sess.StartedAt)
			}
			got, err := s.GetSession(ctx(), p.ID, sess.ID)
			check("by id", got, err)
			got, err = s.GetSessionByTokenHash(ctx(), p.ID, sess.TokenHash)
			check("by hash", got, err)
			other := f.project()
			if _, err := s.GetSessionByTokenHash(ctx(), other.ID, sess.TokenHash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project finds the token: %v", err)
			}
			if _, err := s.GetSession(ctx(), other.ID, sess.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project finds the session: %v", err)
			}

			got.AuthenticationFactors = json.RawMessage(`[{"type":"sso"},{"type":"impersonated"}]`)
			got.CustomClaims = json.RawMessage(`{}`)
			got.LastAccessedAt, got.ExpiresAt = base.Add(time.Minute), base.Add(2*time.Hour)
			if got.SignedJWT != (store.SignedJWT{}) {
				t.Errorf("new session has a signed JWT: %+v", got.SignedJWT)
			}
			got.SignedJWT = store.SignedJWT{Token: "eyJ.header.sig", Digest: "d1", IssuedAt: base.Unix()}
			if err := s.UpdateSession(ctx(), got); err != nil {
				t.Fatal(err)
			}
			again, _ := s.GetSession(ctx(), p.ID, sess.ID)
			if again.SignedJWT != got.SignedJWT {
				t.Errorf("signed JWT after update = %+v, want %+v", again.SignedJWT, got.SignedJWT)
			}
			if byHash, _ := s.GetSessionByTokenHash(ctx(), p.ID, sess.TokenHash); byHash.SignedJWT != got.SignedJWT {
				t.Errorf("signed JWT by token hash = %+v", byHash.SignedJWT)
			}
			sameJSON(t, "factors after update", again.AuthenticationFactors, got.AuthenticationFactors)
			wantTime(t, "expires after update", again.ExpiresAt, base.Add(2*time.Hour))
			wantTime(t, "last access after update", again.LastAccessedAt, base.Add(time.Minute))
			dup := *sess
			dup.ID = f.id("member-session")
			if err := s.CreateSession(ctx(), &dup); err == nil {
				t.Error("two sessions with one token hash")
			}
			if err := s.DeleteSession(ctx(), other.ID, sess.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project revokes the session: %v", err)
			}
			if err := s.DeleteSession(ctx(), p.ID, sess.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetSessionByTokenHash(ctx(), p.ID, sess.TokenHash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked session found: %v", err)
			}
			if err := s.UpdateSession(ctx(), got); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("update of revoked session: %v", err)
			}
		}},
		{"sessions/subject_in_one_read", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			o := f.org(p.ID, "a")
			m := f.member(o, "m@example.com")
			sess := f.session(m, base.Add(time.Hour))
			expired := f.session(m, base.Add(-time.Hour))
			cases := []struct {
				name      string
				projectID string
				id        string
				hash      []byte
				want      string // session ID, "" for not found
			}{
				{"by id", p.ID, sess.ID, nil, sess.ID},
				{"by token hash", p.ID, "", sess.TokenHash, sess.ID},
				{"expired, by id", p.ID, expired.ID, nil, expired.ID},
				{"other project, by id", other.ID, sess.ID, nil, ""},
				{"other project, by hash", other.ID, "", sess.TokenHash, ""},
				{"unknown id", p.ID, "member-session-test-missing", nil, ""},
				{"unknown hash", p.ID, "", []byte("nope"), ""},
			}
			for _, tc := range cases {
				got, err := s.GetSessionSubject(ctx(), tc.projectID, tc.id, tc.hash)
				if tc.want == "" {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s: %v, want not found", tc.name, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if got.Session.ID != tc.want || got.Member.ID != m.ID || got.Member.Email != m.Email ||
					got.Organization.ID != o.ID || got.Organization.Slug != o.Slug {
					t.Errorf("%s = %+v / %+v / %+v", tc.name, got.Session, got.Member, got.Organization)
				}
				sameJSON(t, tc.name+" org metadata", got.Organization.TrustedMetadata, o.TrustedMetadata)
				wantTime(t, tc.name+" member created_at", got.Member.CreatedAt, m.CreatedAt)
				one, _ := s.GetSession(ctx(), tc.projectID, tc.want)
				if !bytes.Equal(one.TokenHash, got.Session.TokenHash) || !one.ExpiresAt.Equal(got.Session.ExpiresAt) {
					t.Errorf("%s: session differs from GetSession's", tc.name)
				}
			}
		}},
		{"sessions/list_revoke_all_and_expiry", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			m, n := f.member(o, "m@example.com"), f.member(o, "n@example.com")
			live1 := f.session(m, base.Add(time.Hour))
			live2 := f.session(m, base.Add(2*time.Hour))
			dead := f.session(m, base.Add(-time.Second))
			keep := f.session(n, base.Add(time.Hour))
			list, err := s.ListMemberSessions(ctx(), p.ID, m.ID, base)
			if err != nil || len(list) != 2 || list[0].ID != live1.ID || list[1].ID != live2.ID {
				t.Fatalf("list = %v %v", list, err)
			}
			if list, _ := s.ListMemberSessions(ctx(), p.ID, m.ID, base.Add(90*time.Minute)); len(list) != 1 || list[0].ID != live2.ID {
				t.Errorf("list later = %v", list)
			}
			if cnt, err := s.DeleteExpiredMemberSessions(ctx(), p.ID, n.ID, base); err != nil || cnt != 0 {
				t.Errorf("purge of a member without expired sessions = %d %v", cnt, err)
			}
			if cnt, err := s.DeleteExpiredMemberSessions(ctx(), f.project().ID, m.ID, base); err != nil || cnt != 0 {
				t.Errorf("other project purged %d sessions (%v)", cnt, err)
			}
			if cnt, err := s.DeleteExpiredMemberSessions(ctx(), p.ID, m.ID, base); err != nil || cnt != 1 {
				t.Errorf("member purge = %d %v", cnt, err)
			}
			if _, err := s.GetSession(ctx(), p.ID, dead.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired session survived the purge: %v", err)
			}
			deadN := f.session(n, base)
			if cnt, err := s.DeleteExpiredSessions(ctx(), base); err != nil || cnt != 1 {
				t.Errorf("purge = %d %v", cnt, err)
			}
			if _, err := s.GetSession(ctx(), p.ID, deadN.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired session survived the global purge: %v", err)
			}
			if n, err := s.DeleteMemberSessions(ctx(), f.project().ID, m.ID); err != nil || n != 0 {
				t.Errorf("other project revoked %d sessions (%v)", n, err)
			}
			if n, err := s.DeleteMemberSessions(ctx(), p.ID, m.ID); err != nil || n != 2 {
				t.Errorf("revoke all = %d %v", n, err)
			}
			if _, err := s.GetSession(ctx(), p.ID, keep.ID); err != nil {
				t.Errorf("another member's session was revoked: %v", err)
			}
			if err := s.DeleteOrganization(ctx(), p.ID, n.OrganizationID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetSession(ctx(), p.ID, keep.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session outlived its member's organization: %v", err)
			}
		}},
		{"sessions/signing_keys", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			for g := 1; g <= 3; g++ {
				k := &store.SessionSigningKey{ProjectID: p.ID, KID: fmt.Sprintf("jwk-%s-%d", p.ID, g), Generation: g,
					SealedPrivateKey: fmt.Sprintf("v1.sealed-%d", g), CreatedAt: base.Add(time.Duration(g) * time.Hour)}
				if err := s.CreateSessionSigningKey(ctx(), k); err != nil {
					t.Fatal(err)
				}
			}
			dup := &store.SessionSigningKey{ProjectID: p.ID, KID: "jwk-other", Generation: 3, SealedPrivateKey: "x", CreatedAt: base}
			var c *store.ErrConflict
			if err := s.CreateSessionSigningKey(ctx(), dup); !errors.As(err, &c) {
				t.Errorf("second key of generation 3: %v", err)
			}
			// Generation 1 is free in another project.
			if err := s.CreateSessionSigningKey(ctx(), &store.SessionSigningKey{ProjectID: other.ID, KID: "jwk-o1", Generation: 1, SealedPrivateKey: "y", CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			list, err := s.ListSessionSigningKeys(ctx(), p.ID)
			if err != nil || len(list) != 3 || list[0].Generation != 3 || list[2].Generation != 1 || list[0].SealedPrivateKey != "v1.sealed-3" {
				t.Fatalf("list = %v %v", list, err)
			}
			wantTime(t, "created_at", list[0].CreatedAt, base.Add(3*time.Hour))
			k, err := s.GetSessionSigningKey(ctx(), "jwk-o1")
			if err != nil || k.ProjectID != other.ID {
				t.Errorf("get by kid = %+v %v", k, err)
			}
			if n, err := s.DeleteSessionSigningKeys(ctx(), p.ID, 3); err != nil || n != 2 {
				t.Errorf("delete old = %d %v", n, err)
			}
			if list, _ := s.ListSessionSigningKeys(ctx(), p.ID); len(list) != 1 || list[0].Generation != 3 {
				t.Errorf("after delete = %v", list)
			}
			if list, _ := s.ListSessionSigningKeys(ctx(), other.ID); len(list) != 1 {
				t.Errorf("other project's keys = %v", list)
			}
		}},
		{"sessions/concurrent_first_key", func(t *testing.T, s store.Store) {
			// Replicas creating a project's first key at once: exactly one
			// insert of each generation wins, the others see a conflict.
			f := newFixtures(t, s)
			p := f.project()
			const workers = 8
			var wg sync.WaitGroup
			errs := make([]error, workers)
			for i := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.CreateSessionSigningKey(ctx(), &store.SessionSigningKey{ProjectID: p.ID,
						KID: fmt.Sprintf("jwk-race-%d", i), Generation: 1, SealedPrivateKey: "k", CreatedAt: base})
				}()
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				var c *store.ErrConflict
				switch {
				case err == nil:
					wins++
				case errors.As(err, &c):
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if list, _ := s.ListSessionSigningKeys(ctx(), p.ID); wins != 1 || len(list) != 1 {
				t.Errorf("wins = %d, keys = %d", wins, len(list))
			}
		}},
	}
}
