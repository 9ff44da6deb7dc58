package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/apptest"
)

// scimClient talks to one SCIM connection's base URL as an IdP does.
type scimClient struct {
	e     *apptest.Env
	base  string // path of the base URL
	token string
}

type scimResp struct {
	Status int
	Body   map[string]any
	Raw    string
	Header http.Header
}

func (c *scimClient) do(method, path string, body any) scimResp {
	c.e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.e.URL+c.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.e.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := scimResp{Status: resp.StatusCode, Raw: string(raw), Header: resp.Header}
	if len(raw) > 0 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/scim+json" {
			c.e.T.Fatalf("%s %s: content type %q: %s", method, path, ct, raw)
		}
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			c.e.T.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return out
}

func (c *scimClient) must(status int, r scimResp) map[string]any {
	c.e.T.Helper()
	if r.Status != status {
		c.e.T.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r.Body
}

// wantSCIMError checks an RFC 7644 error response.
func (c *scimClient) wantError(r scimResp, status int, scimType string) {
	c.e.T.Helper()
	if r.Status != status || r.Body["scimType"] != nilIfEmpty(scimType) ||
		r.Body["status"] != strconv.Itoa(status) {
		c.e.T.Fatalf("got %d %v, want %d %q: %s", r.Status, r.Body["scimType"], status, scimType, r.Raw)
	}
	if s, _ := r.Body["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		c.e.T.Fatalf("error schemas: %s", r.Raw)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// newSCIM creates the organization's SCIM connection and a client for it.
func newSCIM(e *apptest.Env, org string, body map[string]any) (*scimClient, map[string]any) {
	e.T.Helper()
	if body == nil {
		body = map[string]any{}
	}
	conn := e.MustOK(e.Call("POST", "/v1/b2b/scim/"+org+"/connection", body)).Obj("connection")
	base, _ := conn["base_url"].(string)
	path := strings.TrimPrefix(base, e.URL)
	path, _, _ = strings.Cut(path, "?")
	return &scimClient{e: e, base: path, token: conn["bearer_token"].(string)}, conn
}

func scimUser(userName, email string, extra map[string]any) map[string]any {
	u := map[string]any{
		"schemas":  []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName, "active": true,
		"name":   map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}},
	}
	for k, v := range extra {
		u[k] = v
	}
	return u
}

func TestSCIMConnectionLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		c, conn := newSCIM(e, "acme", map[string]any{"display_name": "Okta", "identity_provider": "okta"})
		if conn["status"] != "active" || conn["identity_provider"] != "okta" || conn["display_name"] != "Okta" ||
			!strings.HasSuffix(conn["base_url"].(string), "/v1/b2b/scim/"+conn["connection_id"].(string)) ||
			conn["bearer_token_last_four"] != c.token[len(c.token)-4:] {
			t.Fatalf("create: %v", conn)
		}
		id := conn["connection_id"].(string)
		// The token is shown once.
		got := e.MustOK(e.Call("GET", "/v1/b2b/scim/acme/connection", nil)).Obj("connection")
		if _, ok := got["bearer_token"]; ok || got["connection_id"] != id {
			t.Fatalf("get: %v", got)
		}
		// One per organization.
		e.WantError(e.Call("POST", "/v1/b2b/scim/acme/connection", map[string]any{}), 400, "scim_connection_already_exists")
		e.WantError(e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/complete", nil), 400, "no_token_rotation_in_progress")
		e.WantError(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+id, map[string]any{"identity_provider": "nope"}), 400, "invalid_identity_provider")
		e.WantError(e.Call("PUT", "/v1/b2b/scim/acme/connection/scim-connection-test-00000000-0000-4000-8000-000000000000", map[string]any{}), 404, "scim_connection_not_found")

		c.must(200, c.do("GET", "/ServiceProviderConfig", nil))

		// Rotation: both tokens work during it, only the new one after.
		next := e.MustOK(e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/start", nil)).Obj("connection")
		nextToken := next["next_bearer_token"].(string)
		old := c.token
		c.must(200, c.do("GET", "/Users", nil))
		c.token = nextToken
		c.must(200, c.do("GET", "/Users", nil))
		e.MustOK(e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/complete", nil))
		c.must(200, c.do("GET", "/Users", nil))
		c.token = old
		c.wantError(c.do("GET", "/Users", nil), 401, "")

		// Cancel forgets the next token.
		next = e.MustOK(e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/start", nil)).Obj("connection")
		e.MustOK(e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/cancel", nil))
		c.token = next["next_bearer_token"].(string)
		c.wantError(c.do("GET", "/Users", nil), 401, "")
		c.token = nextToken
		c.must(200, c.do("GET", "/Users", nil))

		// Groups and role assignments.
		g := c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Admins"}))
		upd := e.MustOK(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+id, map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": g["id"], "role_id": "stytch_admin"}},
		})).Obj("connection")
		ras := upd["scim_group_implicit_role_assignments"].([]any)
		if len(ras) != 1 || ras[0].(map[string]any)["group_name"] != "Admins" {
			t.Fatalf("role assignments: %v", upd)
		}
		e.WantError(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+id, map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": "scim-group-test-x", "role_id": "stytch_admin"}},
		}), 400, "scim_group_not_found")
		e.WantError(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+id, map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": g["id"], "role_id": "no_such_role"}},
		}), 400, "invalid_rbac_role_id")
		groups := e.MustOK(e.Call("GET", "/v1/b2b/scim/acme/connection/"+id+"?limit=1", nil))
		if list := groups.Body["scim_groups"].([]any); len(list) != 1 || list[0].(map[string]any)["group_name"] != "Admins" {
			t.Fatalf("groups: %s", groups.Raw)
		}

		e.MustOK(e.Call("DELETE", "/v1/b2b/scim/acme/connection/"+id, nil))
		c.wantError(c.do("GET", "/Users", nil), 401, "")
		if r := e.MustOK(e.Call("GET", "/v1/b2b/scim/acme/connection", nil)); r.Obj("connection") != nil {
			t.Fatalf("deleted connection still listed: %s", r.Raw)
		}
	})
}

func TestSCIMProvisioningEffects(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		c, conn := newSCIM(e, "acme", nil)
		other, _ := newSCIM(e, "other", nil)

		u := c.must(201, c.do("POST", "/Users", scimUser("ada@acme.test", "Ada@Acme.test", map[string]any{
			"externalId": "00u1",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Research"},
		})))
		memberID := u["id"].(string)
		m := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+memberID, nil)).Obj("member")
		reg := m["scim_registration"].(map[string]any)
		attrs := reg["scim_attributes"].(map[string]any)
		if m["email_address"] != "ada@acme.test" || m["name"] != "Ada Lovelace" || m["status"] != "active" ||
			reg["connection_id"] != conn["connection_id"] || reg["external_id"] != "00u1" || attrs["user_name"] != "ada@acme.test" ||
			attrs["enterprise_extension"].(map[string]any)["department"] != "Research" {
			t.Fatalf("member: %v", m)
		}

		// Duplicate userName (case-insensitively): 409 uniqueness, nothing changes.
		c.wantError(c.do("POST", "/Users", scimUser("ADA@acme.test", "other@acme.test", nil)), 409, "uniqueness")
		// Another organization's token does not open this base URL.
		other.base = c.base
		other.wantError(other.do("GET", "/Users/"+memberID, nil), 401, "")

		// Filters.
		for filter, want := range map[string]int{
			`userName eq "ADA@ACME.TEST"`:                      1,
			`externalId eq "00u1"`:                             1,
			`emails.value eq "ada@acme.test"`:                  1,
			`emails[value eq "ada@acme.test"]`:                 1,
			`userName sw "ada" and active eq true`:             1,
			`userName co "nobody" or displayName pr`:           0,
			`not (userName eq "ada@acme.test")`:                0,
			`active eq "True"`:                                 1,
			`userName ew "acme.test" and externalId eq "nope"`: 0,
		} {
			l := c.must(200, c.do("GET", "/Users?filter="+urlQuery(filter), nil))
			if l["totalResults"] != float64(want) {
				t.Errorf("%s: %v", filter, l)
			}
		}
		c.wantError(c.do("GET", "/Users?filter="+urlQuery(`userName eq`), nil), 400, "invalidFilter")
		c.wantError(c.do("GET", "/Users?filter="+urlQuery(`title eq "x"`), nil), 400, "invalidFilter")

		// A session, then deactivation through PATCH (Entra's string boolean,
		// path-less replace): the member is deleted and the session gone.
		sess := mintSession(e, nil, "acme", memberID)
		c.must(200, c.do("PATCH", "/Users/"+memberID, map[string]any{
			"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "Replace", "value": map[string]any{"active": "False", "name.givenName": "Augusta"}}},
		}))
		// A deactivated member is a deleted member: hidden from ordinary
		// reads, shown by dangerously_get with include_deleted.
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+memberID, nil), 404, "member_not_found")
		m = e.MustOK(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+memberID+"?include_deleted=true", nil)).Obj("member")
		if m["status"] != "deleted" || m["name"] != "Augusta Lovelace" {
			t.Fatalf("after deactivation: %v", m)
		}
		r := e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": sess.Token})
		if r.Status != 404 {
			t.Fatalf("a deactivated member's session still authenticates: %d %s", r.Status, r.Raw)
		}
		// Reactivation, then a group grants a role.
		c.must(200, c.do("PATCH", "/Users/"+memberID, map[string]any{
			"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": true}},
		}))
		g := c.must(201, c.do("POST", "/Groups", map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Admins"}))
		e.MustOK(e.Call("PUT", "/v1/b2b/scim/acme/connection/"+conn["connection_id"].(string), map[string]any{
			"scim_group_implicit_role_assignments": []any{map[string]any{"group_id": g["id"], "role_id": "stytch_admin"}},
		}))
		c.must(200, c.do("PATCH", "/Groups/"+g["id"].(string), map[string]any{
			"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": memberID}}}},
		}))
		m = e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+memberID, nil)).Obj("member")
		if !hasRoleSource(m, "stytch_admin", "scim_connection_group") || m["status"] != "active" {
			t.Fatalf("group role: %v", m["roles"])
		}
		// members[value eq "..."] removal takes the role away.
		c.must(200, c.do("PATCH", "/Groups/"+g["id"].(string), map[string]any{
			"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "remove", "path": `members[value eq "` + memberID + `"]`}},
		}))
		m = e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+memberID, nil)).Obj("member")
		if hasRoleSource(m, "stytch_admin", "scim_connection_group") {
			t.Fatalf("role kept after removal: %v", m["roles"])
		}

		// A later SSO login of the same person lands on the same member.
		saml := activeSAML(e, "acme", false)
		reg2 := registration(e, memberID, saml, "sso-subject-1")
		if reg2.MemberID != memberID {
			t.Fatalf("SSO landed on %s, want %s", reg2.MemberID, memberID)
		}

		// DELETE deprovisions: deleted member, no SCIM user, no login.
		sess = mintSession(e, nil, "acme", memberID)
		if r := c.do("DELETE", "/Users/"+memberID, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		c.wantError(c.do("GET", "/Users/"+memberID, nil), 404, "")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+memberID, nil), 404, "member_not_found")
		m = e.MustOK(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+memberID+"?include_deleted=true", nil)).Obj("member")
		if m["status"] != "deleted" || m["scim_registration"] != nil || len(m["sso_registrations"].([]any)) != 1 {
			t.Fatalf("after delete (SSO registration kept): %v", m)
		}
		if r := e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": sess.Token}); r.Status != 404 {
			t.Fatalf("session after DELETE: %d %s", r.Status, r.Raw)
		}
		p, _ := e.App.Store.GetProject(context.Background(), e.Creds.ProjectID)
		o, _ := e.App.Orgs.Get(context.Background(), e.App.Store, p.ID, "acme")
		// Refused whether the login finds the member by its registration or
		// by its email address (another subject): no new member either.
		for _, subject := range []string{"sso-subject-1", "sso-subject-2"} {
			_, err := e.App.Members.LinkSSO(context.Background(), p, o, membersIdentity(saml, subject, "ada@acme.test", nil), true, nil)
			if apierr.TypeOf(err) != "member_deactivated" {
				t.Fatalf("SSO login of a deleted member (%s): %v", subject, err)
			}
		}
		if n := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/metrics", nil)).Body["member_count"]; n != 0.0 {
			t.Fatalf("member_count after deprovisioning = %v", n)
		}
	})
}

func hasRoleSource(m map[string]any, role, source string) bool {
	roles, _ := m["roles"].([]any)
	for _, r := range roles {
		rm := r.(map[string]any)
		if rm["role_id"] != role {
			continue
		}
		for _, s := range rm["sources"].([]any) {
			if s.(map[string]any)["type"] == source {
				return true
			}
		}
	}
	return false
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "[", "%5B", "]", "%5D", "&", "%26", "+", "%2B", "#", "%23").Replace(s)
}
