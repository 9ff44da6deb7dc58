package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// scimEventRoute prepares a call of one SCIM protocol route (its fixtures
// made first, so that their events come before the call's) and returns the
// call, which answers the route's success status.
type scimEventRoute func() (call func() scimResp, status int)

// scimEventRoutes is how TestEveryMutatingRouteRecordsAnEvent calls the
// SCIM protocol routes: with the connection's bearer token, so that their
// events have source SCIM. Each user or group call changes a member that
// an API read shows.
func scimEventRoutes(e *apptest.Env) map[string]scimEventRoute {
	e.CreateOrg("Events SCIM", "events-scim")
	c, _ := newSCIM(e, "events-scim", nil)
	const base = "/v1/b2b/scim/{connection_id}"
	n := 0
	user := func() string {
		n++
		name := "events-" + string(rune('a'+n)) + "@scim.test"
		return c.must(201, c.do("POST", "/Users", scimUser(name, name, nil)))["id"].(string)
	}
	group := func(members ...string) string {
		ms := []any{}
		for _, m := range members {
			ms = append(ms, map[string]any{"value": m})
		}
		return c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
			"displayName": "Group " + string(rune('a'+n)), "members": ms}))["id"].(string)
	}
	patch := func(ops ...any) map[string]any {
		return map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
	}
	return map[string]scimEventRoute{
		"POST " + base + "/Users": func() (func() scimResp, int) {
			return func() scimResp {
				return c.do("POST", "/Users", scimUser("events-new@scim.test", "events-new@scim.test", nil))
			}, 201
		},
		"PUT " + base + "/Users/{id}": func() (func() scimResp, int) {
			id := user()
			return func() scimResp {
				return c.do("PUT", "/Users/"+id, scimUser("renamed-"+id+"@scim.test", "renamed-"+id+"@scim.test", nil))
			}, 200
		},
		"PATCH " + base + "/Users/{id}": func() (func() scimResp, int) {
			id := user()
			return func() scimResp {
				return c.do("PATCH", "/Users/"+id, patch(map[string]any{"op": "replace", "path": "active", "value": false}))
			}, 200
		},
		"DELETE " + base + "/Users/{id}": func() (func() scimResp, int) {
			id := user()
			return func() scimResp { return c.do("DELETE", "/Users/"+id, nil) }, 204
		},
		"POST " + base + "/Groups": func() (func() scimResp, int) {
			id := user()
			return func() scimResp {
				return c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
					"displayName": "New group", "members": []any{map[string]any{"value": id}}})
			}, 201
		},
		"PUT " + base + "/Groups/{id}": func() (func() scimResp, int) {
			g, id := group(), user()
			return func() scimResp {
				return c.do("PUT", "/Groups/"+g, map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
					"displayName": "Replaced", "members": []any{map[string]any{"value": id}}})
			}, 200
		},
		"PATCH " + base + "/Groups/{id}": func() (func() scimResp, int) {
			g, id := group(), user()
			return func() scimResp {
				return c.do("PATCH", "/Groups/"+g, patch(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": id}}}))
			}, 200
		},
		"DELETE " + base + "/Groups/{id}": func() (func() scimResp, int) {
			g := group(user())
			return func() scimResp { return c.do("DELETE", "/Groups/"+g, nil) }, 204
		},
	}
}

// TestSCIMMemberEvents: the member events of a directory's changes have
// source SCIM and the connection's token as actor, and the one deletion
// rule records the same delete event whichever surface deletes.
func TestSCIMMemberEvents(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		c, _ := newSCIM(e, "acme", nil)
		step := func(what string, act func(), want ...string) {
			t.Helper()
			before := maxSeq(t, e)
			act()
			var got []string
			for _, ev := range eventsAfter(t, e, before) {
				got = append(got, ev.typ+"/"+ev.actor)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("%s: events %v, want %v", what, got, want)
			}
		}
		patch := func(active bool) map[string]any {
			return map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": active}}}
		}
		var id string
		step("provision", func() {
			id = c.must(201, c.do("POST", "/Users", scimUser("ada@acme.test", "ada@acme.test", nil)))["id"].(string)
		},
			"scim.member.create/scim_token")
		step("deactivate", func() { c.must(200, c.do("PATCH", "/Users/"+id, patch(false))) }, "scim.member.delete/scim_token")
		step("deactivate again", func() { c.must(200, c.do("PATCH", "/Users/"+id, patch(false))) })
		step("reactivate", func() { c.must(200, c.do("PATCH", "/Users/"+id, patch(true))) }, "scim.member.update/scim_token")
		step("API delete", func() { e.MustOK(e.Call("DELETE", memberPath("acme", id), nil)) }, "direct.member.delete/api_key")
		step("SCIM DELETE of a deleted member", func() {
			if r := c.do("DELETE", "/Users/"+id, nil); r.Status != 204 {
				t.Fatalf("delete: %d %s", r.Status, r.Raw)
			}
		})
	})
}

// TestSCIMCreateEventMemberIsTheGetMember: the scim.member.create event's
// member is built from the rows the POST wrote, not read back (one query
// fewer per view part); it must be the member a GET returns afterwards:
// email-domain roles, the SCIM registration with every attribute, empty
// SSO registrations and retired addresses. A user linked to an existing
// member by email is an update whose member is read back, and is checked
// the same way.
func TestSCIMCreateEventMemberIsTheGetMember(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.MustOK(e.Call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Acme", "organization_slug": "acme",
			"rbac_email_implicit_role_assignments": []map[string]string{{"domain": "acme.test", "role_id": "stytch_admin"}}}))
		c, conn := newSCIM(e, "acme", nil)
		g := c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Admins"}))
		e.MustOK(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+conn["connection_id"].(string), map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": g["id"], "role_id": "stytch_admin"}},
		}))
		e.MustOK(e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "bob@acme.test", "name": "Bob"}))

		check := func(what, userName, wantType string, extra map[string]any) {
			t.Helper()
			before := maxSeq(t, e)
			id := c.must(201, c.do("POST", "/Users", scimUser(userName, userName, extra)))["id"].(string)
			evs := eventsAfter(t, e, before)
			if len(evs) != 1 || evs[0].typ != wantType {
				t.Fatalf("%s: events %v, want one %s", what, evs, wantType)
			}
			var payload struct {
				Member json.RawMessage `json:"member"`
			}
			if err := json.Unmarshal([]byte(evs[0].payload), &payload); err != nil {
				t.Fatal(err)
			}
			got := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+id, nil)).Obj("member")
			if a, b := canonicalJSON(t, payload.Member), canonicalJSON(t, got); a != b {
				t.Fatalf("%s: event member\n%s\nGET member\n%s", what, a, b)
			}
		}
		check("new member", "ada@acme.test", "scim.member.create", map[string]any{
			"externalId": "ext-ada", "displayName": "Ada L.", "title": "Countess", "locale": "en-GB",
			"phoneNumbers": []any{map[string]any{"value": "+44 20 7946 0000", "type": "work"}},
			"addresses":    []any{map[string]any{"streetAddress": "1 St James's Square", "locality": "London", "type": "work", "primary": true}},
			"schemas":      []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Analytical Engines",
				"manager": map[string]any{"value": "m-1", "displayName": "Charles"}},
		})
		check("member linked by email", "bob@acme.test", "scim.member.update", nil)
	})
}

// canonicalJSON re-encodes a JSON value with sorted keys (PostgreSQL's
// jsonb does not keep the written order).
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	if raw, ok := v.(json.RawMessage); ok {
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatal(err)
		}
		v = x
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
