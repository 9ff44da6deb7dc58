package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func loginCases() []testCase {
	return []testCase{
		{"login/requests_are_consumed_once", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			r := &store.SSORequest{ID: "_req1", ProjectID: p.ID, ConnectionID: c.ID, OrganizationID: c.OrganizationID,
				LoginRedirectURL: "https://app/l", SignupRedirectURL: "https://app/s", PKCECodeChallenge: "ch",
				Secrets: "sealed", CreatedAt: base, ExpiresAt: base.Add(10 * time.Minute)}
			if err := s.CreateSSORequest(ctx(), r); err != nil {
				t.Fatal(err)
			}
			other := f.project()
			if _, err := s.ConsumeSSORequest(ctx(), other.ID, "_req1", base); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another project consumed the request: %v", err)
			}
			got, err := s.ConsumeSSORequest(ctx(), p.ID, "_req1", base.Add(time.Minute))
			if err != nil || got.ConnectionID != c.ID || got.LoginRedirectURL != "https://app/l" || got.PKCECodeChallenge != "ch" || got.Secrets != "sealed" {
				t.Fatalf("consume = %+v %v", got, err)
			}
			wantTime(t, "expires_at", got.ExpiresAt, r.ExpiresAt)
			if _, err := s.ConsumeSSORequest(ctx(), p.ID, "_req1", base); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second consume: %v", err)
			}
			r.ID = "_req2"
			if err := s.CreateSSORequest(ctx(), r); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConsumeSSORequest(ctx(), p.ID, "_req2", base.Add(11*time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired request consumed: %v", err)
			}
		}},
		{"login/concurrent_consumers_one_wins", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			tok := &store.SSOToken{TokenHash: []byte("hash-1"), ProjectID: p.ID, OrganizationID: o.ID, ConnectionID: "c",
				Identity: json.RawMessage(`{"email":"a@b.c"}`), CreatedAt: base, ExpiresAt: base.Add(time.Minute)}
			if err := s.CreateSSOToken(ctx(), tok); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := s.ConsumeSSOToken(ctx(), p.ID, []byte("hash-1"), base)
					if err == nil {
						mu.Lock()
						wins++
						mu.Unlock()
						sameJSON(t, "identity", got.Identity, tok.Identity)
					} else if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("consume: %v", err)
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Fatalf("%d consumers got the one-time token", wins)
			}
		}},
		{"login/token_expiry_and_scope", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p, other := f.project(), f.project()
			o := f.org(p.ID, "a")
			tok := &store.SSOToken{TokenHash: []byte("h2"), ProjectID: p.ID, OrganizationID: o.ID, ConnectionID: "c",
				Identity: json.RawMessage(`{}`), CreatedAt: base, ExpiresAt: base.Add(time.Minute)}
			if err := s.CreateSSOToken(ctx(), tok); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConsumeSSOToken(ctx(), other.ID, []byte("h2"), base); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other project consumed token: %v", err)
			}
			if _, err := s.ConsumeSSOToken(ctx(), p.ID, []byte("h2"), base.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired token consumed: %v", err)
			}
		}},
		{"login/replay_detection", func(t *testing.T, s store.Store) {
			now := base
			if err := s.RecordAssertion(ctx(), "conn-1", "_a1", now.Add(5*time.Minute), now); err != nil {
				t.Fatal(err)
			}
			var c *store.ErrConflict
			if err := s.RecordAssertion(ctx(), "conn-1", "_a1", now.Add(5*time.Minute), now.Add(time.Minute)); !errors.As(err, &c) {
				t.Fatalf("replay not detected: %v", err)
			}
			// The same ID at another connection is another assertion.
			if err := s.RecordAssertion(ctx(), "conn-2", "_a1", now.Add(5*time.Minute), now); err != nil {
				t.Fatal(err)
			}
			// After expiry the entry no longer blocks.
			if err := s.RecordAssertion(ctx(), "conn-1", "_a1", now.Add(20*time.Minute), now.Add(6*time.Minute)); err != nil {
				t.Fatalf("expired entry still blocks: %v", err)
			}
		}},
		{"login/replay_inside_a_transaction_leaves_it_usable", func(t *testing.T, s store.Store) {
			// The SAML callback records the assertion in the transaction
			// that writes the rest of the login: a replay must be reported
			// without aborting it (PostgreSQL aborts a transaction on a
			// failed statement), so that the refusal can still be recorded.
			f := newFixtures(t, s)
			p := f.project()
			c := f.conn(f.org(p.ID, "a"), store.KindSAML, "")
			if err := s.RecordAssertion(ctx(), c.ID, "_tx", base.Add(5*time.Minute), base); err != nil {
				t.Fatal(err)
			}
			err := s.Tx(ctx(), func(q store.Queries) error {
				var conflict *store.ErrConflict
				if err := q.RecordAssertion(ctx(), c.ID, "_tx", base.Add(5*time.Minute), base.Add(time.Minute)); !errors.As(err, &conflict) {
					return fmt.Errorf("replay in a transaction: %v", err)
				}
				return q.CreateLoginAttempt(ctx(), &store.LoginAttempt{ID: "attempt-tx", ProjectID: p.ID, OrganizationID: c.OrganizationID,
					ConnectionID: c.ID, Outcome: "replay", CreatedAt: base})
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.ListLoginAttempts(ctx(), p.ID, c.ID, 10)
			if err != nil || len(got) != 1 || got[0].Outcome != "replay" {
				t.Fatalf("attempts after the transaction = %v %v", got, err)
			}
		}},
		{"login/concurrent_replay_one_wins", func(t *testing.T, s store.Store) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok := 0
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := s.RecordAssertion(ctx(), "conn-r", "_dup", base.Add(time.Hour), base); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if ok != 1 {
				t.Fatalf("%d replicas accepted the same assertion", ok)
			}
		}},
		{"login/attempts_trimmed_per_connection", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			for i := 0; i < 12; i++ {
				conn := "c"
				if i%4 == 0 {
					conn = "other" // another connection's attempts are not counted or removed
				}
				a := &store.LoginAttempt{ID: fmt.Sprintf("att-%02d", i), ProjectID: p.ID, OrganizationID: "o", ConnectionID: conn,
					RequestID: "r", Outcome: "malformed", CreatedAt: base.Add(time.Duration(i/2) * time.Second)}
				if err := s.CreateLoginAttempt(ctx(), a); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.TrimLoginAttempts(ctx(), p.ID, "c", 5); err != nil {
				t.Fatal(err)
			}
			list, err := s.ListLoginAttempts(ctx(), p.ID, "c", 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.ID)
			}
			// c holds 1 2 3 5 6 7 9 10 11; 10 and 11 share a second (ID breaks the tie).
			if want := "att-11 att-10 att-09 att-07 att-06"; strings.Join(got, " ") != want {
				t.Fatalf("kept %v, want %s", got, want)
			}
			if other, _ := s.ListLoginAttempts(ctx(), p.ID, "other", 100); len(other) != 3 {
				t.Fatalf("other connection keeps %d attempts, want 3", len(other))
			}
			if err := s.TrimLoginAttempts(ctx(), p.ID, "c", 5); err != nil {
				t.Fatal(err)
			}
			if again, _ := s.ListLoginAttempts(ctx(), p.ID, "c", 100); len(again) != 5 {
				t.Fatalf("a second trim changed %d to %d", len(list), len(again))
			}
		}},
		{"login/attempts_newest_first_and_purge", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			for i := 0; i < 5; i++ {
				a := &store.LoginAttempt{ID: fmt.Sprint("att-", i), ProjectID: p.ID, OrganizationID: "o", ConnectionID: "c",
					RequestID: "r", Outcome: "signature_invalid", ErrorType: "invalid_signature_saml_response", Detail: "d",
					Facts: json.RawMessage(`{"issuer":"x"}`), CreatedAt: base.Add(time.Duration(i) * time.Minute)}
				if err := s.CreateLoginAttempt(ctx(), a); err != nil {
					t.Fatal(err)
				}
			}
			list, err := s.ListLoginAttempts(ctx(), p.ID, "c", 3)
			if err != nil || len(list) != 3 || list[0].ID != "att-4" || list[2].ID != "att-2" {
				t.Fatalf("list = %v %v", list, err)
			}
			sameJSON(t, "facts", list[0].Facts, json.RawMessage(`{"issuer":"x"}`))
			if l, _ := s.ListLoginAttempts(ctx(), f.project().ID, "c", 10); len(l) != 0 {
				t.Errorf("other project sees attempts")
			}
			if err := s.PurgeExpiredLoginState(ctx(), base.Add(time.Hour), base.Add(150*time.Second)); err != nil {
				t.Fatal(err)
			}
			list, _ = s.ListLoginAttempts(ctx(), p.ID, "c", 10)
			if len(list) != 2 {
				t.Errorf("after purge %d attempts, want 2", len(list))
			}
		}},
	}
}
