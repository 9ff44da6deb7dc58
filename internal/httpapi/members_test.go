package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

func memberPath(org, id string) string { return "/v1/b2b/organizations/" + org + "/members/" + id }

// roleSources flattens a member's roles to "role:type[:detail...]" strings.
func roleSources(m map[string]any) []string {
	var out []string
	for _, r := range m["roles"].([]any) {
		role := r.(map[string]any)
		for _, s := range role["sources"].([]any) {
			src := s.(map[string]any)
			entry := role["role_id"].(string) + ":" + src["type"].(string)
			d := src["details"].(map[string]any)
			for _, k := range []string{"email_domain", "connection_id", "group"} {
				if v, ok := d[k]; ok {
					entry += ":" + v.(string)
				}
			}
			out = append(out, entry)
		}
	}
	return out
}

func TestMembersCRUD(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Acme", "acme")
		orgID := org["organization_id"].(string)
		e.CreateOrg("Other", "other")

		r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{
			"organization_id": orgID, "email_address": "Ada@Acme.Example", "name": "Ada",
			"trusted_metadata": map[string]any{"t": 1}, "untrusted_metadata": map[string]any{"u": "x"},
			"roles": []string{"stytch_admin", "stytch_member", "stytch_admin"}, "external_id": "ada-1",
			"mfa_phone_number": "+15555550100", "is_breakglass": true,
		}))
		m := r.Obj("member")
		id := r.Str("member_id")
		if !strings.HasPrefix(id, "member-test-") || m["member_id"] != id || m["email_address"] != "ada@acme.example" ||
			m["status"] != "active" || m["name"] != "Ada" || m["organization_id"] != orgID || m["is_admin"] != true ||
			m["external_id"] != "ada-1" || m["is_breakglass"] != true || m["mfa_phone_number"] != "+15555550100" ||
			m["email_address_verified"] != false || r.Obj("organization")["organization_id"] != orgID {
			t.Fatalf("created = %s", r.Raw)
		}
		if got := roleSources(m); fmt.Sprint(got) != "[stytch_member:direct_assignment stytch_admin:direct_assignment]" {
			t.Errorf("roles = %v", got)
		}
		if jsonString(t, m["sso_registrations"]) != "[]" || jsonString(t, m["trusted_metadata"]) != `{"t":1}` {
			t.Errorf("registrations/metadata = %s", r.Raw)
		}
		for _, k := range []string{"oauth_registrations", "retired_email_addresses"} {
			if jsonString(t, m[k]) != "[]" {
				t.Errorf("%s = %v", k, m[k])
			}
		}

		// Lookups: by ID, by email (any case), by external ID.
		for _, q := range []string{"member_id=" + id, "email_address=ADA%40acme.example", "member_id=ada-1"} {
			g := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?"+q, nil))
			if g.Str("member_id") != id || stripRequestID(g.Raw) != stripRequestID(r.Raw) {
				t.Errorf("get ?%s = %s", q, g.Raw)
			}
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id=member-test-nope", nil), 404, "member_not_found")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/other/member?member_id="+id, nil), 404, "member_not_found")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member", nil), 400, "invalid_argument")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/nope/member?member_id="+id, nil), 404, "organization_not_found")

		// Validation.
		cases := []struct {
			body     map[string]any
			status   int
			wantType string
		}{
			{map[string]any{"email_address": "ada@ACME.example"}, 400, "duplicate_member_email"},
			{map[string]any{"email_address": "x@acme.example", "external_id": "ada-1"}, 400, "duplicate_member_external_id"},
			{map[string]any{}, 400, "invalid_email"},
			{map[string]any{"email_address": "not-an-email"}, 400, "invalid_email"},
			{map[string]any{"email_address": "Ada <ada2@acme.example>"}, 400, "invalid_email"},
			{map[string]any{"email_address": "b@acme.example", "roles": []string{"no-such-role"}}, 400, "invalid_rbac_role_id"},
			{map[string]any{"email_address": "b@acme.example", "trusted_metadata": []int{1}}, 400, "invalid_trusted_metadata"},
			{map[string]any{"email_address": "b@acme.example", "untrusted_metadata": map[string]any{"x": strings.Repeat("y", 5000)}}, 400, "invalid_untrusted_metadata"},
			{map[string]any{"email_address": "b@acme.example", "mfa_phone_number": "555"}, 400, "invalid_phone_number"},
			{map[string]any{"email_address": "b@acme.example", "external_id": "has space"}, 400, "invalid_member_external_id"},
			{map[string]any{"email_address": "b@acme.example", "name": strings.Repeat("n", 300)}, 400, "invalid_member_name"},
			{map[string]any{"email_address": "b@acme.example", "organization_id": "organization-test-other"}, 400, "invalid_request_value"},
			{map[string]any{"email_address": 5}, 400, "invalid_request_value"},
		}
		for _, c := range cases {
			e.WantError(e.Call("POST", "/v1/b2b/organizations/acme/members", c.body), c.status, c.wantType)
		}
		// The same address is free in another organization; pending members.
		p := e.MustOK(e.Call("POST", "/v1/b2b/organizations/other/members", map[string]any{"email_address": "ada@acme.example", "create_member_as_pending": true}))
		if p.Obj("member")["status"] != "pending" {
			t.Errorf("pending member = %s", p.Raw)
		}

		// Partial update: absent fields unchanged, metadata merged at the top level.
		u := e.MustOK(e.Call("PUT", memberPath("acme", id), map[string]any{
			"name": "Ada L", "untrusted_metadata": map[string]any{"u": nil, "v": 2}, "roles": []string{},
		})).Obj("member")
		if u["name"] != "Ada L" || u["email_address"] != "ada@acme.example" || u["external_id"] != "ada-1" || u["is_admin"] != false ||
			jsonString(t, u["untrusted_metadata"]) != `{"v":2}` || jsonString(t, u["trusted_metadata"]) != `{"t":1}` || u["is_breakglass"] != true {
			t.Errorf("after update = %v", u)
		}
		u = e.MustOK(e.Call("PUT", memberPath("acme", "ada-1"), map[string]any{
			"member_id": "ada-1", "email_address": "ada.l@acme.example", "external_id": "", "is_breakglass": false, "default_mfa_method": "totp",
		})).Obj("member")
		if u["email_address"] != "ada.l@acme.example" || u["external_id"] != "" || u["is_breakglass"] != false || u["default_mfa_method"] != "totp" {
			t.Errorf("after second update = %v", u)
		}
		other := createMember(e, "acme", "bo@acme.example")
		e.WantError(e.Call("PUT", memberPath("acme", other), map[string]any{"email_address": "ADA.L@acme.example"}), 400, "duplicate_member_email")
		e.WantError(e.Call("PUT", memberPath("acme", id), map[string]any{"roles": []string{"nope"}}), 400, "invalid_rbac_role_id")
		e.WantError(e.Call("PUT", memberPath("acme", id), map[string]any{"default_mfa_method": "carrier-pigeon"}), 400, "invalid_default_mfa_method")
		e.WantError(e.Call("PUT", memberPath("acme", id), map[string]any{"member_id": other}), 400, "invalid_request_value")
		e.WantError(e.Call("PUT", memberPath("acme", "member-test-nope"), map[string]any{"name": "x"}), 404, "member_not_found")
		e.WantError(e.Call("PUT", memberPath("other", id), map[string]any{"name": "x"}), 404, "member_not_found")
		if g := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+id, nil)).Obj("member"); g["name"] != "Ada L" {
			t.Errorf("a refused update changed the member: %v", g)
		}

		// Delete.
		d := e.MustOK(e.Call("DELETE", memberPath("acme", id), nil))
		if d.Str("member_id") != id {
			t.Errorf("delete = %s", d.Raw)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+id, nil), 404, "member_not_found")
		e.WantError(e.Call("DELETE", memberPath("acme", id), nil), 404, "member_not_found")

		// Another project sees nothing; deleting the organization deletes its members.
		creds := e.NewProject("test")
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/" + orgID + "/member?member_id=" + other, Creds: creds}), 404, "organization_not_found")
		e.MustOK(e.Call("DELETE", "/v1/b2b/organizations/acme", nil))
		if _, err := e.App.Store.GetMember(t.Context(), e.Creds.ProjectID, other); err == nil {
			t.Error("member outlived its organization")
		}
	})
}

func TestMemberSearch(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		a := e.CreateOrg("A", "org-a")["organization_id"].(string)
		b := e.CreateOrg("B", "org-b")["organization_id"].(string)
		var ids []string
		for i := range 5 {
			ids = append(ids, createMember(e, "org-a", fmt.Sprintf("user%d@a.example", i)))
		}
		admin := createMember(e, "org-b", "boss@b.example", "stytch_admin")
		search := func(body map[string]any) *apptest.Response {
			t.Helper()
			return e.MustOK(e.Call("POST", "/v1/b2b/organizations/members/search", body))
		}
		memberIDs := func(r *apptest.Response) []string {
			var out []string
			for _, m := range r.Body["members"].([]any) {
				out = append(out, m.(map[string]any)["member_id"].(string))
			}
			return out
		}
		r := search(map[string]any{"organization_ids": []string{a, "org-b"}})
		if got := memberIDs(r); len(got) != 6 || r.Obj("results_metadata")["total"] != float64(6) || r.Obj("results_metadata")["next_cursor"] != nil {
			t.Fatalf("all = %s", r.Raw)
		}
		if orgs := r.Obj("organizations"); len(orgs) != 2 || orgs[a].(map[string]any)["organization_slug"] != "org-a" {
			t.Errorf("organizations = %v", orgs)
		}
		// Paging.
		var paged []string
		cursor := ""
		for range 4 {
			body := map[string]any{"organization_ids": []string{a}, "limit": 2}
			if cursor != "" {
				body["cursor"] = cursor
			}
			r := search(body)
			paged = append(paged, memberIDs(r)...)
			next, _ := r.Obj("results_metadata")["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if fmt.Sprint(paged) != fmt.Sprint(ids) {
			t.Errorf("paged = %v, want %v", paged, ids)
		}
		q := func(op string, operands ...map[string]any) map[string]any {
			return map[string]any{"organization_ids": []string{a, b}, "query": map[string]any{"operator": op, "operands": operands}}
		}
		filterCases := []struct {
			body map[string]any
			want []string
		}{
			{q("AND", map[string]any{"filter_name": "member_emails", "filter_value": []string{"USER1@a.example"}}), ids[1:2]},
			{q("AND", map[string]any{"filter_name": "member_email_fuzzy", "filter_value": "user"}), ids},
			{q("AND", map[string]any{"filter_name": "member_email_fuzzy", "filter_value": "user"},
				map[string]any{"filter_name": "member_ids", "filter_value": []string{ids[3], admin}}), ids[3:4]},
			{q("OR", map[string]any{"filter_name": "member_ids", "filter_value": []string{ids[0]}},
				map[string]any{"filter_name": "member_roles", "filter_value": []string{"stytch_admin"}}), []string{ids[0], admin}},
			{q("AND", map[string]any{"filter_name": "statuses", "filter_value": []string{"active"}},
				map[string]any{"filter_name": "member_is_breakglass", "filter_value": true}), nil},
		}
		for i, c := range filterCases {
			if got := memberIDs(search(c.body)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("filter case %d: got %v, want %v", i, got, c.want)
			}
		}
		errCases := []struct {
			body     map[string]any
			status   int
			wantType string
		}{
			{map[string]any{}, 400, "member_search_organization_ids_required"},
			{map[string]any{"organization_ids": []string{"nope"}}, 404, "organization_not_found"},
			{map[string]any{"organization_ids": []string{a}, "limit": 1001}, 400, "member_search_invalid_limit"},
			{map[string]any{"organization_ids": []string{a}, "cursor": "!!"}, 400, "member_search_invalid_cursor"},
			{q("XOR"), 400, "member_search_invalid_operator"},
			{q("AND", map[string]any{"filter_name": "shoe_size", "filter_value": []string{"9"}}), 400, "member_search_invalid_filter_name"},
			{q("AND", map[string]any{"filter_name": "member_ids", "filter_value": "x"}), 400, "member_search_invalid_filter_value"},
			{q("AND", map[string]any{"filter_name": "member_is_breakglass", "filter_value": "yes"}), 400, "member_search_invalid_filter_value"},
		}
		for _, c := range errCases {
			e.WantError(e.Call("POST", "/v1/b2b/organizations/members/search", c.body), c.status, c.wantType)
		}
		// Organizations of another project are not found.
		creds := e.NewProject("test")
		e.WantError(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/members/search", Creds: creds,
			Body: map[string]any{"organization_ids": []string{a}}}), 404, "organization_not_found")
	})
}

// A member allowed to create members cannot use create to hand out roles,
// breakglass or trusted metadata that update would refuse.
func TestCreateMemberWithSessionNeedsFieldPermissions(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	e.MustOK(e.Call("PUT", "/v1/b2b/rbac/organizations/acme", map[string]any{"org_policy": map[string]any{"roles": []any{
		map[string]any{"role_id": "inviter", "description": "Creates members",
			"permissions": []any{map[string]any{"resource_id": "stytch.member", "actions": []string{"create"}}}},
	}}}))
	inviter := mintSession(e, nil, "acme", createMember(e, "acme", "inviter@acme.example", "inviter"))
	as := map[string]string{"X-Stytch-Member-Session": inviter.Token}
	for _, tc := range []struct {
		body    map[string]any
		status  int
		errType string
	}{
		{map[string]any{"email_address": "a@acme.example", "roles": []string{"stytch_admin"}}, 403, "session_authorization_error"},
		{map[string]any{"email_address": "b@acme.example", "is_breakglass": true}, 403, "session_authorization_error"},
		{map[string]any{"email_address": "c@acme.example", "trusted_metadata": map[string]any{"tier": "gold"}}, 401, "cannot_update_trusted_metadata"},
	} {
		e.WantError(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/acme/members", Body: tc.body, Header: as}), tc.status, tc.errType)
	}
	e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/acme/members",
		Body: map[string]any{"email_address": "d@acme.example", "name": "D"}, Header: as}))
	r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme"}}))
	if n := r.Obj("results_metadata")["total"]; n != float64(2) {
		t.Fatalf("%v members, want the inviter and d@", n)
	}
}

func TestSessionHeadersRefusedWhereNotEnforced(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	admin := mintSession(e, nil, "acme", createMember(e, "acme", "admin@acme.example", "stytch_admin"))
	as := map[string]string{"X-Stytch-Member-Session": admin.Token}
	for _, req := range []apptest.Request{
		{Method: "PUT", Path: "/v1/b2b/rbac/organizations/acme", Body: map[string]any{"org_policy": map[string]any{"roles": []any{}}}},
		{Method: "GET", Path: "/v1/b2b/rbac/organizations/acme"},
		{Method: "GET", Path: "/v1/b2b/rbac/policy"},
		{Method: "POST", Path: "/v1/b2b/organizations", Body: map[string]any{"organization_name": "X", "organization_slug": "xx"}},
		{Method: "GET", Path: "/v1/b2b/organizations/acme"},
		{Method: "POST", Path: "/v1/b2b/organizations/search", Body: map[string]any{}},
		{Method: "GET", Path: "/v1/b2b/organizations/acme/member?email_address=admin@acme.example"},
		{Method: "GET", Path: "/v1/b2b/sessions?organization_id=acme&member_id=x"},
	} {
		req.Header = as
		e.WantError(e.Do(req), 400, "session_authorization_not_supported")
	}
	// Nothing was created.
	e.WantError(e.Call("GET", "/v1/b2b/organizations/xx", nil), 404, "organization_not_found")
}
