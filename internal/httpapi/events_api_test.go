package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
)

// TestEventsAPI: filters, cursor pagination, and the actor (API key or the
// member of a member session) of each change.
func TestEventsAPI(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		acme := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		beta := e.CreateOrg("Beta", "beta")["organization_id"].(string)
		admin := createMember(e, "acme", "admin@acme.example", "stytch_admin")
		ada := createMember(e, "acme", "ada@acme.example")
		createMember(e, "beta", "bob@beta.example")
		s := mintSession(e, nil, "acme", admin)
		r := e.Do(apptest.Request{Method: "PUT", Path: "/v1/b2b/organizations/acme/members/" + ada,
			Body: map[string]any{"name": "Ada L."}, Header: sessionHeaders(s.Token, "")})
		e.MustOK(r)

		list := func(q string) []map[string]any {
			t.Helper()
			r := e.MustOK(e.Call("GET", "/v1/events?"+q, nil))
			var out []map[string]any
			for _, ev := range r.Body["events"].([]any) {
				out = append(out, ev.(map[string]any))
			}
			return out
		}
		byMember := list("object_id=" + ada)
		if len(byMember) != 2 || byMember[0]["event_type"] != "direct.member.create" || byMember[1]["event_type"] != "direct.member.update" {
			t.Fatalf("events of the member: %v", byMember)
		}
		if a := byMember[0]["actor"].(map[string]any); a["type"] != "api_key" || a["id"] != e.Creds.ProjectID {
			t.Errorf("API-key actor = %v", a)
		}
		if a := byMember[1]["actor"].(map[string]any); a["type"] != "member_session" || a["member_id"] != admin {
			t.Errorf("member-session actor = %v", a)
		}
		if got := list("organization_id=beta"); len(got) != 2 || got[0]["organization_id"] != beta {
			t.Errorf("beta's events (by slug) = %v", got)
		}
		if got := list("event_type=direct.organization.create"); len(got) != 2 {
			t.Errorf("organization creates = %d", len(got))
		}
		if got := list("object_type=member&organization_id=" + acme); len(got) != 3 {
			t.Errorf("acme's member events = %d", len(got))
		}
		future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
		if got := list("since=" + future); len(got) != 0 {
			t.Errorf("events since the future: %d", len(got))
		}
		if got := list("until=" + future); len(got) < 7 {
			t.Errorf("events until the future: %d", len(got))
		}
		// Pages of two, in order, ending with no cursor.
		all := list("limit=1000")
		var paged []string
		cursor := ""
		for range 20 {
			r := e.MustOK(e.Call("GET", "/v1/events?limit=2&cursor="+url.QueryEscape(cursor), nil))
			for _, ev := range r.Body["events"].([]any) {
				paged = append(paged, ev.(map[string]any)["event_id"].(string))
			}
			next, _ := r.Body["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(paged) != len(all) {
			t.Fatalf("paged %d of %d", len(paged), len(all))
		}
		for i := range all {
			if all[i]["event_id"] != paged[i] {
				t.Fatalf("page order differs at %d", i)
			}
		}
		for _, c := range []struct{ q, typ string }{
			{"cursor=nope", "invalid_cursor"}, {"limit=0", "invalid_limit"}, {"limit=5000", "invalid_limit"},
			{"since=yesterday", "invalid_since"}, {"event_type=direct.member", "invalid_event_type"},
		} {
			e.WantError(e.Call("GET", "/v1/events?"+c.q, nil), 400, c.typ)
		}
		e.WantError(e.Call("GET", "/v1/events?organization_id=nope", nil), 404, "organization_not_found")
		// Member sessions cannot read the log.
		r = e.Do(apptest.Request{Method: "GET", Path: "/v1/events", Header: sessionHeaders(s.Token, "")})
		if r.Status != 400 || !strings.Contains(string(r.Raw), "session_authorization_not_supported") {
			t.Errorf("member session on /v1/events: %d %s", r.Status, r.Raw)
		}
	})
}
