package sessions_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// keyPool hands out real 2048-bit RSA keys, each with a fresh kid, reusing
// at most four generated keys so that tests do not spend seconds in key
// generation.
type keyPool struct {
	mu   sync.Mutex
	keys []sessionjwt.SigningKey
	next int
}

func (p *keyPool) generate(random io.Reader, env ids.Environment, now time.Time) (sessionjwt.SigningKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.keys) < 4 {
		k, err := sessionjwt.GenerateSigningKey(random, env, now)
		if err != nil {
			return k, err
		}
		p.keys = append(p.keys, k)
	}
	k := p.keys[p.next%len(p.keys)]
	p.next++
	return sessionjwt.SigningKey{KID: sessionjwt.NewKID(random, env), Private: k.Private, CreatedAt: now}, nil
}

type world struct {
	svc   *sessions.Service
	st    store.Store
	clock *clock
	p     *store.Project
	org   *store.Organization
	m     *store.Member
}

func newWorld(t testing.TB, backend string) *world {
	t.Helper()
	st := testdb.Open(t, backend)
	sealer, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	pool := &keyPool{}
	idg := ids.Generator{Rand: rand.Reader}
	ms := &members.Service{Store: st, Now: c.now, IDs: idg, Policies: rbac.Policies{Default: rbac.DefaultPolicy()}}
	w := &world{st: st, clock: c, svc: &sessions.Service{
		Store: st, Members: ms, Sealer: sealer, Policies: rbac.Policies{Default: rbac.DefaultPolicy()}, Now: c.now, Rand: rand.Reader, IDs: idg,
		Issuer: "https://seam.example", KeyRotation: 24 * time.Hour, KeyGrace: 2 * time.Hour, GenerateKey: pool.generate,
	}}
	ctx := context.Background()
	w.p = &store.Project{ID: idg.New(ids.Project, ids.Test), Environment: "test", Name: "p", EnvironmentSlug: "test", CreatedAt: c.now()}
	w.p.ProjectSlug = w.p.ID
	if err := st.CreateProject(ctx, w.p); err != nil {
		t.Fatal(err)
	}
	w.org = &store.Organization{ProjectID: w.p.ID, ID: idg.New(ids.Organization, ids.Test), Name: "Acme", Slug: "acme",
		SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: c.now(), UpdatedAt: c.now()}
	if err := st.CreateOrganization(ctx, w.org, nil); err != nil {
		t.Fatal(err)
	}
	w.m = &store.Member{ProjectID: w.p.ID, OrganizationID: w.org.ID, ID: idg.New(ids.Member, ids.Test), Email: "ada@acme.example",
		Status: "active", Roles: []string{"stytch_admin"}, CreatedAt: c.now(), UpdatedAt: c.now()}
	if err := st.CreateMember(ctx, w.m); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) kids(t *testing.T) []string {
	t.Helper()
	jwks, err := w.svc.JWKS(context.Background(), w.p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range jwks {
		out = append(out, k.KID)
	}
	return out
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	var h struct {
		KID string `json:"kid"`
	}
	raw := tok[:bytes.IndexByte([]byte(tok), '.')]
	b, err := base64URL(raw)
	if err != nil || json.Unmarshal(b, &h) != nil {
		t.Fatalf("bad header: %v", err)
	}
	return h.KID
}

func TestKeyRotationAndGrace(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ctx := context.Background()
			first := w.kids(t)
			if len(first) != 1 {
				t.Fatalf("first JWKS has %d keys", len(first))
			}
			s1, tok1, jwt1, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60*24*3, nil)
			if err != nil {
				t.Fatal(err)
			}
			if kidOf(t, jwt1) != first[0] {
				t.Fatal("the session JWT is not signed by the published key")
			}
			// Before the rotation age the key stays.
			w.clock.advance(23 * time.Hour)
			if got := w.kids(t); len(got) != 1 || got[0] != first[0] {
				t.Fatalf("keys before rotation = %v", got)
			}
			// After it a new key signs and the old one is still published.
			w.clock.advance(2 * time.Hour)
			a, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionToken: tok1})
			if err != nil {
				t.Fatal(err)
			}
			second := w.kids(t)
			if len(second) != 2 || second[1] != first[0] || kidOf(t, a.JWT) != second[0] {
				t.Fatalf("keys after rotation = %v, new JWT kid %s", second, kidOf(t, a.JWT))
			}
			// The old JWT still authenticates during the grace period.
			if _, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionJWT: jwt1}); err != nil {
				t.Fatalf("old JWT within grace: %v", err)
			}
			// After the grace period the old key is gone: its JWTs no longer
			// parse, while the session itself is fine.
			w.clock.advance(3 * time.Hour)
			if got := w.kids(t); len(got) != 1 || got[0] != second[0] {
				t.Fatalf("keys after grace = %v", got)
			}
			if _, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionJWT: jwt1}); apierr.TypeOf(err) != sessionjwt.TypeUnparsable {
				t.Fatalf("old JWT after grace: %v", err)
			}
			rows, _ := w.st.ListSessionSigningKeys(ctx, w.p.ID)
			if len(rows) != 1 {
				t.Errorf("%d key rows kept, want 1", len(rows))
			}
			if got, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionToken: tok1}); err != nil || got.Session.ID != s1.ID {
				t.Fatalf("token after rotation: %v", err)
			}
			// Private keys are sealed at rest.
			if bytes.Contains([]byte(rows[0].SealedPrivateKey), []byte("PRIVATE KEY")) {
				t.Error("a signing key is stored in the clear")
			}
		})
	}
}

func TestConcurrentFirstKey(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			const n = 8
			kids := make([][]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					jwks, err := w.svc.JWKS(context.Background(), w.p.ID)
					errs[i] = err
					for _, k := range jwks {
						kids[i] = append(kids[i], k.KID)
					}
				}()
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil || len(kids[i]) != 1 || kids[i][0] != kids[0][0] {
					t.Fatalf("replica %d: %v %v (replica 0: %v)", i, kids[i], errs[i], kids[0])
				}
			}
			if rows, _ := w.st.ListSessionSigningKeys(context.Background(), w.p.ID); len(rows) != 1 {
				t.Fatalf("%d keys after a concurrent start", len(rows))
			}
		})
	}
}

func TestTokensComeFromTheRandomSource(t *testing.T) {
	w := newWorld(t, "sqlite")
	ctx := context.Background()
	w.svc.Rand = bytes.NewReader(bytes.Repeat([]byte{0xAB}, 1024))
	_, tok, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6ur"; len(tok) != 48 || tok[:44] != want {
		t.Fatalf("token %q does not come from the injected source", tok)
	}
	// A failing source fails the call instead of issuing a weak token.
	w.svc.Rand = bytes.NewReader(nil)
	if _, _, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 0, nil); err == nil {
		t.Fatal("a session was created with an exhausted random source")
	}
}

func TestGrantValidation(t *testing.T) {
	w := newWorld(t, "sqlite")
	ctx := context.Background()
	for _, d := range []int{-5, 4, sessions.MaxDurationMinutes + 1} {
		if _, _, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), d, nil); apierr.TypeOf(err) != "invalid_session_duration" {
			t.Errorf("duration %d: %v", d, err)
		}
	}
	sess, _, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), sessions.MaxDurationMinutes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sess.ExpiresAt.Sub(sess.StartedAt); got != time.Duration(sessions.MaxDurationMinutes)*time.Minute {
		t.Errorf("366-day session lasts %s", got)
	}
	other := *w.org
	other.ID = "organization-test-other"
	if _, _, _, err := w.svc.Create(ctx, w.p, &other, w.m, sessions.OperatorFactor(w.clock.now()), 0, nil); apierr.TypeOf(err) != "internal_server_error" {
		t.Errorf("member of another organization: %v", err)
	}
	if _, err := w.svc.JWKS(ctx, "project-test-nope"); apierr.TypeOf(err) != "project_not_found" {
		t.Errorf("JWKS of an unknown project: %v", err)
	}
}

// TestGrantRotatesThroughTheRememberedSet: a grant signs with the newest
// key of a key set read less than a second ago, but not when that key is
// due for rotation: then the set is read and the key replaced at once.
func TestGrantRotatesThroughTheRememberedSet(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ctx := context.Background()
			_, _, jwt1, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.clock.advance(24*time.Hour - 500*time.Millisecond)
			_, _, jwt2, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
			if err != nil || kidOf(t, jwt2) != kidOf(t, jwt1) {
				t.Fatalf("before the rotation age: %v, kid %s then %s", err, kidOf(t, jwt1), kidOf(t, jwt2))
			}
			w.clock.advance(600 * time.Millisecond) // the set is 0.6 s old, its key 24 h 0.1 s
			_, _, jwt3, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
			if err != nil || kidOf(t, jwt3) == kidOf(t, jwt1) {
				t.Fatalf("a key due for rotation signed from the remembered set: %v", err)
			}
			if got := w.kids(t); len(got) != 2 || got[0] != kidOf(t, jwt3) {
				t.Fatalf("published keys after the rotation = %v", got)
			}
		})
	}
}

// TestRotateSigningKeySignsAtOnceHere: after RotateSigningKey the same
// service signs with the new key at once, though it remembered the old set.
func TestRotateSigningKeySignsAtOnceHere(t *testing.T) {
	w := newWorld(t, testdb.Backends[0])
	ctx := context.Background()
	if _, _, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil); err != nil {
		t.Fatal(err)
	}
	rotated, err := w.svc.RotateSigningKey(ctx, w.p)
	if err != nil {
		t.Fatal(err)
	}
	_, _, jwt, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
	if err != nil || kidOf(t, jwt) != rotated.KID {
		t.Fatalf("after the rotation: %v, signed by %s, want %s", err, kidOf(t, jwt), rotated.KID)
	}
}
