package sessions_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// TestAuthenticateReusesFreshJWT: repeated authentications answer with the
// JWT signed for the session while it is younger than ReuseWindow and says
// what a new one would; anything a JWT carries that changes (expiry, custom
// claims, roles, organization slug) or the window passing gives a new one.
// Every answer verifies and is the stored JWT, and the stored
// last_accessed_at is always within the current second.
func TestAuthenticateReusesFreshJWT(t *testing.T) {
	ctx := context.Background()
	type step struct {
		name    string
		advance time.Duration
		change  func(t *testing.T, w *world)
		in      sessions.AuthenticateParams
		newJWT  bool
	}
	steps := []step{
		{name: "first authentication signs", newJWT: true},
		{name: "same second", newJWT: false},
		{name: "next second: last access written, JWT kept", advance: 1500 * time.Millisecond, newJWT: false},
		{name: "58.5 s after signing", advance: 57 * time.Second, newJWT: false},
		{name: "60 s after signing", advance: 1500 * time.Millisecond, newJWT: true},
		{name: "extension", in: sessions.AuthenticateParams{SessionDurationMinutes: 120}, newJWT: true},
		{name: "after the extension", advance: time.Second, newJWT: false},
		{name: "custom claims", in: sessions.AuthenticateParams{SessionCustomClaims: map[string]json.RawMessage{"tier": json.RawMessage(`"gold"`)}}, newJWT: true},
		{name: "same custom claims again", in: sessions.AuthenticateParams{SessionCustomClaims: map[string]json.RawMessage{"tier": json.RawMessage(`"gold"`)}}, newJWT: false},
		{name: "role removed", change: func(t *testing.T, w *world) {
			w.m.Roles = nil
			if err := w.st.UpdateMember(ctx, w.m); err != nil {
				t.Fatal(err)
			}
		}, newJWT: true},
		{name: "organization slug changed", change: func(t *testing.T, w *world) {
			w.org.Slug = "acme-2"
			if err := w.st.UpdateOrganization(ctx, w.org); err != nil {
				t.Fatal(err)
			}
		}, newJWT: true},
		{name: "unchanged again", newJWT: false},
	}
	for _, backend := range testdb.Backends {
		for _, by := range []string{"token", "jwt"} {
			t.Run(backend+"/"+by, func(t *testing.T) {
				w := newWorld(t, backend)
				sess, tok, jwt, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
				if err != nil {
					t.Fatal(err)
				}
				prev := jwt
				for _, s := range steps {
					w.clock.advance(s.advance)
					if s.change != nil {
						s.change(t, w)
					}
					in := s.in
					if by == "token" {
						in.SessionToken = tok
					} else {
						in.SessionJWT = prev
					}
					before, err := w.st.GetSession(ctx, w.p.ID, sess.ID)
					if err != nil {
						t.Fatal(err)
					}
					got, err := w.svc.Authenticate(ctx, w.p, in)
					if err != nil {
						t.Fatalf("%s: %v", s.name, err)
					}
					if _, err := w.svc.Subject(ctx, w.p, "", got.JWT); err != nil {
						t.Errorf("%s: the answered JWT does not verify: %v", s.name, err)
					}
					claims := decodeClaims(t, got.JWT)
					if claims.Org.Slug != w.org.Slug || claims.Session.ExpiresAt != got.Session.ExpiresAt.UTC().Format(time.RFC3339) {
						t.Errorf("%s: JWT says slug %q expires %s; session has %q %s", s.name, claims.Org.Slug,
							claims.Session.ExpiresAt, w.org.Slug, got.Session.ExpiresAt)
					}
					if age := w.clock.now().Unix() - claims.IAT; age < 0 || age >= int64(sessions.ReuseWindow/time.Second) {
						t.Errorf("%s: JWT is %d s old", s.name, age)
					}
					after, err := w.st.GetSession(ctx, w.p.ID, sess.ID)
					if err != nil {
						t.Fatal(err)
					}
					// Signing is deterministic, so a new signature is told
					// by the stored record, not by comparing strings.
					if signed := after.SignedJWT != before.SignedJWT; signed != s.newJWT {
						t.Errorf("%s: signed = %v, want %v", s.name, signed, s.newJWT)
					}
					if after.SignedJWT.Token != got.JWT {
						t.Errorf("%s: the answer is not the stored JWT", s.name)
					}
					if after.LastAccessedAt.Unix() != w.clock.now().Unix() {
						t.Errorf("%s: last_accessed_at %v, now %v", s.name, after.LastAccessedAt, w.clock.now())
					}
					prev = got.JWT
				}
			})
		}
	}
}

type jwtClaims struct {
	IAT     int64 `json:"iat"`
	Session struct {
		ExpiresAt string `json:"expires_at"`
	} `json:"https://stytch.com/session"`
	Org struct {
		Slug string `json:"slug"`
	} `json:"https://stytch.com/organization"`
}

// decodeClaims reads a JWT payload the service produced (its signature is checked separately, with Subject).
func decodeClaims(t *testing.T, tok string) jwtClaims {
	t.Helper()
	var c jwtClaims
	parts := splitJWT(tok)
	b, err := base64URL(parts[1])
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("bad JWT payload: %v", err)
	}
	return c
}

func splitJWT(tok string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] == '.' {
			parts = append(parts, tok[start:i])
			start = i + 1
		}
	}
	return append(parts, tok[start:])
}

// TestRememberedKeySetYieldsToNewerKeys: one replica remembers the key set
// for up to a second; a JWT that another replica signed in that second with
// a key it just created still authenticates on the first.
func TestRememberedKeySetYieldsToNewerKeys(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			a := w.svc // a second replica: same store and clock, its own memos
			b := &sessions.Service{Store: a.Store, Members: a.Members, Sealer: a.Sealer, Policies: a.Policies, Now: a.Now, Rand: a.Rand,
				IDs: a.IDs, Issuer: a.Issuer, KeyRotation: a.KeyRotation, KeyGrace: a.KeyGrace, GenerateKey: a.GenerateKey}
			_, tok, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), sessions.MaxDurationMinutes, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.clock.advance(24*time.Hour - 500*time.Millisecond) // just before the rotation (KeyRotation is 24 h)
			if _, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionToken: tok}); err != nil {
				t.Fatal(err)
			}
			old := w.kids(t)
			w.clock.advance(500 * time.Millisecond)
			rotated, err := b.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			if kid := kidOf(t, rotated.JWT); kid == old[0] {
				t.Fatalf("no rotation: still %s", kid)
			}
			if _, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionJWT: rotated.JWT}); err != nil {
				t.Errorf("a JWT signed with the new key is refused by the replica that remembers the old set: %v", err)
			}
		})
	}
}

// TestRepeatedJWTWithinASecond: a JWT verified a moment ago is not verified
// again, but everything else still is: another project, a changed byte, a
// revoked session.
func TestRepeatedJWTWithinASecond(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			sess, _, jwt, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
			if err != nil {
				t.Fatal(err)
			}
			other := *w.p
			other.ID = w.svc.IDs.New("project", "test")
			tampered := jwt[:len(jwt)-2] + map[bool]string{true: "AA", false: "AB"}[jwt[len(jwt)-2:] != "AA"]
			steps := []struct {
				name    string
				project *store.Project
				jwt     string
				before  func()
				want    string // error type, "" for success
			}{
				{"first", w.p, jwt, nil, ""},
				{"again, remembered", w.p, jwt, nil, ""},
				{"another project", &other, jwt, nil, "jwt_invalid_audience"},
				{"a changed signature", w.p, tampered, nil, "unable_to_parse_session_jwt"},
				{"revoked meanwhile", w.p, jwt, func() {
					if err := w.st.DeleteSession(ctx, w.p.ID, sess.ID); err != nil {
						t.Fatal(err)
					}
				}, "session_not_found"},
			}
			for _, s := range steps {
				if s.before != nil {
					s.before()
				}
				_, err := w.svc.Authenticate(ctx, s.project, sessions.AuthenticateParams{SessionJWT: s.jwt})
				if got := apierr.TypeOf(err); got != s.want {
					t.Errorf("%s: error type %q (%v), want %q", s.name, got, err, s.want)
				}
			}
		})
	}
}
