package sessions_test

import (
	"context"
	"testing"

	"github.com/seamsso/seam/internal/sessions"
)

// BenchmarkAuthorizeSession measures the member-session check a management
// endpoint runs (resolve the session, load member, organization and roles,
// evaluate RBAC) on both stores, by token and by JWT.
func BenchmarkAuthorizeSession(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) { benchAuthorize(b, backend) })
	}
}

func benchAuthorize(b *testing.B, backend string) {
	w := newWorld(b, backend)
	ctx := context.Background()
	_, tok, jwt, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, tok, jwt string }{{"token", tok, ""}, {"jwt", "", jwt}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := w.svc.AuthorizeSession(ctx, w.p, w.org, c.tok, c.jwt, "stytch.sso", "update"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
