package httpapi_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestSCIMBadInputChangesNothing sends every kind of bad SCIM request with
// a valid token (and valid requests with another organization's token) and
// checks each answer is an RFC 7644 error with the right status and
// scimType, and that no table changed.
func TestSCIMBadInputChangesNothing(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		c, _ := newSCIM(e, "acme", nil)
		other, _ := newSCIM(e, "other", nil)
		u := c.must(201, c.do("POST", "/Users", scimUser("ada@acme.test", "ada@acme.test", nil)))
		g := c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "G"}))
		uid, gid := u["id"].(string), g["id"].(string)
		patch := func(ops ...any) map[string]any {
			return map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
		}
		op := func(o, path string, v any) map[string]any { return map[string]any{"op": o, "path": path, "value": v} }
		cross := &scimClient{e: e, base: c.base, token: other.token}
		noToken := &scimClient{e: e, base: c.base}
		tests := []struct {
			name     string
			client   *scimClient
			method   string
			path     string
			body     any
			status   int
			scimType string
		}{
			{"malformed JSON", c, "POST", "/Users", `{"userName":`, 400, "invalidSyntax"},
			{"not an object", c, "POST", "/Users", `[1]`, 400, "invalidSyntax"},
			{"NUL in a value", c, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u0000@x.io"}`, 400, "invalidSyntax"},
			{"duplicate keys", c, "POST", "/Users", `{"userName":"a@x.io","userName":"b@x.io"}`, 400, "invalidSyntax"},
			{"no schemas", c, "POST", "/Users", map[string]any{"userName": "b@acme.test"}, 400, "invalidSyntax"},
			{"unknown schema", c, "POST", "/Users", scimUser("b@acme.test", "b@acme.test", map[string]any{
				"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:x"}}), 400, "invalidValue"},
			{"group schema for a user", c, "POST", "/Users", scimUser("b@acme.test", "b@acme.test", map[string]any{
				"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}}), 400, "invalidSyntax"},
			{"wrong type", c, "POST", "/Users", scimUser("b@acme.test", "b@acme.test", map[string]any{"active": 3}), 400, "invalidValue"},
			{"no email", c, "POST", "/Users", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "nobody"}, 400, "invalidValue"},
			{"duplicate userName", c, "POST", "/Users", scimUser("ADA@acme.test", "b@acme.test", nil), 409, "uniqueness"},
			{"oversized", c, "POST", "/Users", scimUser("b@acme.test", "b@acme.test", map[string]any{"title": strings.Repeat("x", 2<<20)}), 413, ""},
			{"filter syntax", c, "GET", "/Users?filter=userName%20eq", nil, 400, "invalidFilter"},
			{"filter attribute", c, "GET", "/Users?filter=password%20eq%20%22x%22", nil, 400, "invalidFilter"},
			{"startIndex not a number", c, "GET", "/Users?startIndex=x", nil, 400, "invalidValue"},
			{"PATCH bad op", c, "PATCH", "/Users/" + uid, patch(op("swap", "title", "x")), 400, "invalidSyntax"},
			{"PATCH bad path", c, "PATCH", "/Users/" + uid, patch(op("replace", "emails[", "x")), 400, "invalidPath"},
			{"PATCH read-only", c, "PATCH", "/Users/" + uid, patch(op("replace", "meta", "x")), 400, "mutability"},
			{"PATCH leaves no email", c, "PATCH", "/Users/" + uid, patch(op("replace", "userName", "plain"), op("remove", "emails", nil)), 400, "invalidValue"},
			{"PATCH partial failure", c, "PATCH", "/Users/" + uid, patch(op("replace", "active", false), op("replace", "shoeSize", "9")), 400, "invalidPath"},
			{"PATCH unknown member", c, "PATCH", "/Groups/" + gid, patch(op("add", "members", []any{map[string]any{"value": "member-test-nobody"}})), 400, "invalidValue"},
			{"unknown user", c, "GET", "/Users/member-test-00000000-0000-4000-8000-000000000000", nil, 404, ""},
			{"another organization's token", cross, "GET", "/Users/" + uid, nil, 401, ""},
			{"another organization's token, write", cross, "PATCH", "/Users/" + uid, patch(op("replace", "active", false)), 401, ""},
			{"another organization's token, delete", cross, "DELETE", "/Users/" + uid, nil, 401, ""},
			{"no token", noToken, "DELETE", "/Groups/" + gid, nil, 401, ""},
		}
		before := dbSnapshot(t, e)
		for _, tc := range tests {
			r := tc.client.do(tc.method, tc.path, tc.body)
			if r.Status != tc.status || r.Body["scimType"] != nilIfEmpty(tc.scimType) || r.Body["status"] != strconv.Itoa(tc.status) {
				t.Errorf("%s: got %d %v, want %d %q: %s", tc.name, r.Status, r.Body["scimType"], tc.status, tc.scimType, r.Raw)
			}
		}
		after := dbSnapshot(t, e)
		for table, rows := range before {
			if after[table] != rows {
				t.Errorf("bad input changed table %s", table)
			}
		}
		if got := c.must(200, c.do("GET", "/Users/"+uid, nil)); got["active"] != true || got["userName"] != "ada@acme.test" {
			t.Errorf("user changed: %v", got)
		}
	})
}

// TestSCIMRenameConflict: a PUT or PATCH onto another user's userName is 409
// and leaves both users as they were.
func TestSCIMRenameConflict(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		c, _ := newSCIM(e, "acme", nil)
		c.must(201, c.do("POST", "/Users", scimUser("ada@acme.test", "ada@acme.test", nil)))
		bob := c.must(201, c.do("POST", "/Users", scimUser("bob@acme.test", "bob@acme.test", nil)))["id"].(string)
		before := dbSnapshot(t, e)
		c.wantError(c.do("PUT", "/Users/"+bob, scimUser("Ada@acme.test", "bob@acme.test", nil)), 409, "uniqueness")
		c.wantError(c.do("PATCH", "/Users/"+bob, map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@acme.test"}}}), 409, "uniqueness")
		if !sameSnapshot(before, dbSnapshot(t, e)) {
			t.Fatal("a refused rename changed the database")
		}
	})
}
