package members_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/testdb"
)

// TestDeletedMemberRule: Delete keeps the member (status deleted, its SSO
// registration and its email address and external ID reserved) and every
// ordinary read, search, count and login treats it as absent; Reactivate
// brings it back with its registration.
func TestDeletedMemberRule(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			pr := rbac.ProjectPrincipal(rbac.DefaultPolicy())
			id := verifiedSAML(members.SSOIdentity{ConnectionID: f.conn.ID, ExternalID: "sub-ada", Email: "ada@acme.example"})
			link, err := f.svc.LinkSSO(ctx, f.p, f.org, id, true, nil)
			must(t, err)
			ada := link.Member
			_, err = f.svc.Update(ctx, pr, f.org, ada.ID, members.UpdateParams{ExternalID: opt.Of("ext-ada")}, nil)
			must(t, err)
			_, err = f.svc.Create(ctx, pr, f.p, f.org, members.CreateParams{EmailAddress: opt.Of("bob@acme.example")})
			must(t, err)

			if _, err := f.svc.Delete(ctx, pr, f.org, ada.ID); err != nil {
				t.Fatal(err)
			}
			absent := map[string]error{}
			_, absent["get"] = f.svc.Get(ctx, f.st, f.org, ada.ID)
			_, absent["get by external ID"] = f.svc.Get(ctx, f.st, f.org, "ext-ada")
			_, absent["get by email"] = f.svc.GetByEmail(ctx, f.st, f.org, "ada@acme.example")
			_, absent["dangerously get"] = f.svc.DangerouslyGet(ctx, f.st, f.p.ID, ada.ID, false)
			_, absent["update"] = f.svc.Update(ctx, pr, f.org, ada.ID, members.UpdateParams{Name: opt.Of("x")}, nil)
			_, absent["delete again"] = f.svc.Delete(ctx, pr, f.org, ada.ID)
			for what, err := range absent {
				if apierr.TypeOf(err) != "member_not_found" {
					t.Errorf("%s of a deleted member: %v, want member_not_found", what, err)
				}
			}
			res, err := f.svc.Search(ctx, pr, f.p.ID, []string{f.org.ID}, members.SearchParams{})
			must(t, err)
			if res.Total != 1 || len(res.Items) != 1 || res.Items[0].Email != "bob@acme.example" {
				t.Errorf("search sees %d members (%v), want bob only", res.Total, res.Items)
			}
			if n, err := f.svc.Count(ctx, f.org); err != nil || n != 1 {
				t.Errorf("Count = %d, %v; want 1", n, err)
			}
			got, err := f.svc.DangerouslyGet(ctx, f.st, f.p.ID, ada.ID, true)
			if err != nil || got.Status != members.StatusDeleted {
				t.Fatalf("include_deleted: %+v, %v", got, err)
			}
			// Reserved: email and external ID, with reactivation named as the fix.
			_, err = f.svc.Create(ctx, pr, f.p, f.org, members.CreateParams{EmailAddress: opt.Of("ADA@acme.example")})
			if apierr.TypeOf(err) != "duplicate_member_email" || !strings.Contains(apierr.As(err).Message, "reactivate") {
				t.Errorf("create with a deleted member's email: %v", err)
			}
			_, err = f.svc.Create(ctx, pr, f.p, f.org, members.CreateParams{EmailAddress: opt.Of("eve@acme.example"), ExternalID: opt.Of("ext-ada")})
			if apierr.TypeOf(err) != "duplicate_member_external_id" {
				t.Errorf("create with a deleted member's external ID: %v", err)
			}
			// A login finds it by registration or by email, and is refused.
			for _, sub := range []string{"sub-ada", "sub-other"} {
				other := id
				other.ExternalID = sub
				if _, err := f.svc.LinkSSO(ctx, f.p, f.org, other, true, nil); apierr.TypeOf(err) != "member_deactivated" {
					t.Errorf("login as %s: %v, want member_deactivated", sub, err)
				}
			}
			if f.count(t) != 2 {
				t.Errorf("a refused login created a member: %d members", f.count(t))
			}

			back, err := f.svc.Reactivate(ctx, pr, f.org, ada.ID)
			if err != nil || back.Status != members.StatusActive || back.ExternalID != "ext-ada" {
				t.Fatalf("reactivate: %+v, %v", back, err)
			}
			regs, err := f.st.ListSSORegistrations(ctx, f.p.ID, ada.ID)
			if err != nil || len(regs) != 1 || regs[0].ExternalID != "sub-ada" {
				t.Errorf("registrations after reactivation: %v, %v", regs, err)
			}
			if l, err := f.svc.LinkSSO(ctx, f.p, f.org, id, true, nil); err != nil || l.Member.ID != ada.ID {
				t.Errorf("login after reactivation: %v, %v", l, err)
			}
		})
	}
}
