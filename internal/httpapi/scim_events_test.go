package httpapi_test

import (
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
