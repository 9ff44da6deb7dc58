package sessions_test

import (
	"context"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/testdb"
)

// TestDeletedMemberGetsNoSession: a session of a deleted member does not
// authenticate even if it survived (Deactivate deletes them; this is the
// guard behind it), and no session is granted for a member deleted after
// the caller read it: the grant reads the member again under its row lock.
func TestDeletedMemberGetsNoSession(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			_, tok, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil)
			if err != nil {
				t.Fatal(err)
			}
			deleted := *w.m
			deleted.Status = members.StatusDeleted
			if err := w.st.UpdateMember(ctx, &deleted); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Authenticate(ctx, w.p, sessions.AuthenticateParams{SessionToken: tok}); apierr.TypeOf(err) != "session_not_found" {
				t.Errorf("authenticate a deleted member's session: %v, want session_not_found", err)
			}
			// w.m still reads active: the caller's copy is stale.
			if _, _, _, err := w.svc.Create(ctx, w.p, w.org, w.m, sessions.OperatorFactor(w.clock.now()), 60, nil); apierr.TypeOf(err) != "member_not_found" {
				t.Errorf("grant to a deleted member: %v, want member_not_found", err)
			}
		})
	}
}
