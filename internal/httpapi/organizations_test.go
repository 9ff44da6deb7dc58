package httpapi_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

func TestOrganizationsCRUD(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		r := e.MustOK(e.Call("POST", "/v1/b2b/organizations", map[string]any{
			"organization_name": "Acme", "organization_slug": "acme", "organization_external_id": "crm-42",
			"trusted_metadata": map[string]any{"plan": "gold"}, "email_allowed_domains": []string{"Acme.example"},
			"sso_jit_provisioning": "RESTRICTED",
		}))
		org := r.Obj("organization")
		id := org["organization_id"].(string)
		if org["sso_jit_provisioning"] != "RESTRICTED" || org["organization_external_id"] != "crm-42" ||
			fmt.Sprint(org["email_allowed_domains"]) != "[acme.example]" || org["created_at"] == "" {
			t.Fatalf("created org = %v", org)
		}
		for _, ref := range []string{id, "acme", "crm-42"} {
			got := e.MustOK(e.Call("GET", "/v1/b2b/organizations/"+ref, nil)).Obj("organization")
			if got["organization_id"] != id {
				t.Errorf("get %s = %v", ref, got["organization_id"])
			}
		}
		// Partial update: absent fields keep their values; explicit values change.
		up := e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{
			"organization_name": "Acme Corp", "organization_id": id,
		})).Obj("organization")
		if up["organization_name"] != "Acme Corp" || up["sso_jit_provisioning"] != "RESTRICTED" ||
			up["trusted_metadata"].(map[string]any)["plan"] != "gold" {
			t.Fatalf("partial update = %v", up)
		}
		up = e.MustOK(e.Call("PUT", "/v1/b2b/organizations/"+id, map[string]any{
			"trusted_metadata": map[string]any{"plan": nil}, "email_allowed_domains": []string{}, "organization_external_id": "",
		})).Obj("organization")
		if len(up["trusted_metadata"].(map[string]any)) != 0 || len(up["email_allowed_domains"].([]any)) != 0 ||
			up["organization_external_id"] != "" {
			t.Fatalf("clearing update = %v", up)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/crm-42", nil), 404, "organization_not_found")
		// Body organization_id must agree with the path.
		e.WantError(e.Call("PUT", "/v1/b2b/organizations/"+id, map[string]any{"organization_id": "organization-test-other"}), 400, "invalid_request_value")

		del := e.MustOK(e.Call("DELETE", "/v1/b2b/organizations/acme", nil))
		if del.Str("organization_id") != id {
			t.Fatalf("delete = %s", del.Raw)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/"+id, nil), 404, "organization_not_found")
		e.WantError(e.Call("DELETE", "/v1/b2b/organizations/"+id, nil), 404, "organization_not_found")
	})
}

func TestOrganizationValidation(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Taken", "taken")
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/taken", map[string]any{"organization_external_id": "ext-taken"}))
	cases := []struct {
		name    string
		body    map[string]any
		errType string
	}{
		{"missing name", map[string]any{"organization_slug": "ok-slug"}, "organization_name_missing"},
		{"blank name", map[string]any{"organization_name": "  ", "organization_slug": "ok-slug"}, "organization_name_missing"},
		{"missing slug", map[string]any{"organization_name": "n"}, "invalid_organization_slug"},
		{"bad slug", map[string]any{"organization_name": "n", "organization_slug": "no spaces"}, "invalid_organization_slug"},
		{"short slug", map[string]any{"organization_name": "n", "organization_slug": "a"}, "invalid_organization_slug"},
		{"duplicate slug", map[string]any{"organization_name": "n", "organization_slug": "taken"}, "organization_slug_already_used"},
		{"duplicate external id", map[string]any{"organization_name": "n", "organization_slug": "fresh", "organization_external_id": "ext-taken"}, "organization_external_id_already_used"},
		{"bad external id", map[string]any{"organization_name": "n", "organization_slug": "fresh", "organization_external_id": "a b"}, "invalid_organization_external_id"},
		{"bad jit", map[string]any{"organization_name": "n", "organization_slug": "fresh", "sso_jit_provisioning": "SOMETIMES"}, "invalid_sso_jit_provisioning"},
		{"bad domain", map[string]any{"organization_name": "n", "organization_slug": "fresh", "email_allowed_domains": []string{"not a domain"}}, "invalid_email_allowed_domains"},
		{"metadata not object", map[string]any{"organization_name": "n", "organization_slug": "fresh", "trusted_metadata": []int{1}}, "invalid_trusted_metadata"},
		{"bad logo", map[string]any{"organization_name": "n", "organization_slug": "fresh", "organization_logo_url": "javascript:alert(1)"}, "invalid_organization_logo_url"},
		{"unknown role", map[string]any{"organization_name": "n", "organization_slug": "fresh", "rbac_email_implicit_role_assignments": []map[string]string{{"domain": "a.com", "role_id": "nope"}}}, "invalid_rbac_role_id"},
		{"default connection on create", map[string]any{"organization_name": "n", "organization_slug": "fresh", "sso_default_connection_id": "saml-connection-test-x"}, "invalid_sso_default_connection_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.WantError(e.Call("POST", "/v1/b2b/organizations", tc.body), 400, tc.errType)
		})
	}
	// A failed update changes nothing.
	before := e.MustOK(e.Call("GET", "/v1/b2b/organizations/taken", nil)).Raw
	e.WantError(e.Call("PUT", "/v1/b2b/organizations/taken", map[string]any{
		"organization_name": "New name", "organization_slug": "bad slug",
	}), 400, "invalid_organization_slug")
	e.WantError(e.Call("PUT", "/v1/b2b/organizations/taken", map[string]any{"sso_default_connection_id": "saml-connection-test-nope"}), 400, "invalid_sso_default_connection_id")
	after := e.MustOK(e.Call("GET", "/v1/b2b/organizations/taken", nil))
	if after.Obj("organization")["organization_name"] != "Taken" || after.Obj("organization")["updated_at"] != jsonField(t, before, "organization", "updated_at") {
		t.Fatalf("failed update changed the organization: %s", after.Raw)
	}
}

func TestOrganizationsProjectIsolation(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Mine", "mine")
		other := e.NewProject("test")
		id := org["organization_id"].(string)
		for _, req := range []apptest.Request{
			{Method: "GET", Path: "/v1/b2b/organizations/" + id},
			{Method: "GET", Path: "/v1/b2b/organizations/mine"},
			{Method: "PUT", Path: "/v1/b2b/organizations/" + id, Body: map[string]any{"organization_name": "stolen"}},
			{Method: "DELETE", Path: "/v1/b2b/organizations/" + id},
		} {
			req.Creds = other
			e.WantError(e.Do(req), 404, "organization_not_found")
		}
		r := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/search", Body: map[string]any{}, Creds: other}))
		if r.Obj("results_metadata")["total"] != float64(0) {
			t.Fatalf("other project's search sees organizations: %s", r.Raw)
		}
		// The other project may reuse the slug.
		e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: other,
			Body: map[string]any{"organization_name": "Theirs", "organization_slug": "mine"}}))
	})
}

func TestOrganizationSearch(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		var ids []string
		for i := 0; i < 5; i++ {
			ids = append(ids, e.CreateOrg(fmt.Sprintf("Search Org %d", i), fmt.Sprintf("search-%d", i))["organization_id"].(string))
		}
		e.CreateOrg("Unrelated", "unrelated")
		seen := map[string]bool{}
		cursor := ""
		for page := 0; page < 5; page++ {
			body := map[string]any{"limit": 2, "query": map[string]any{"operator": "AND", "operands": []map[string]any{
				{"filter_name": "organization_name_fuzzy", "filter_value": []string{"search org"}},
			}}}
			if cursor != "" {
				body["cursor"] = cursor
			}
			r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/search", body))
			meta := r.Obj("results_metadata")
			if meta["total"] != float64(5) {
				t.Fatalf("total = %v", meta["total"])
			}
			for _, o := range r.Body["organizations"].([]any) {
				seen[o.(map[string]any)["organization_id"].(string)] = true
			}
			next, _ := meta["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d organizations, want 5", len(seen))
		}
		r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/search", map[string]any{"query": map[string]any{"operands": []map[string]any{
			{"filter_name": "organization_ids", "filter_value": []string{ids[0], ids[3]}},
			{"filter_name": "organization_slugs", "filter_value": []string{"search-3", "search-4"}},
		}}}))
		if r.Obj("results_metadata")["total"] != float64(1) {
			t.Fatalf("ids AND slugs: %s", r.Raw)
		}
		for _, bad := range []struct {
			body    map[string]any
			errType string
		}{
			{map[string]any{"limit": 1001}, "organization_search_invalid_limit"},
			{map[string]any{"cursor": "not-a-cursor"}, "organization_search_invalid_cursor"},
			{map[string]any{"query": map[string]any{"operands": []map[string]any{{"filter_name": "nope", "filter_value": []string{"x"}}}}}, "organization_search_invalid_filter_name"},
			{map[string]any{"query": map[string]any{"operands": []map[string]any{{"filter_name": "organization_ids", "filter_value": 5}}}}, "organization_search_invalid_filter_value"},
			{map[string]any{"query": map[string]any{"operator": "XOR"}}, "organization_search_invalid_operator"},
		} {
			e.WantError(e.Call("POST", "/v1/b2b/organizations/search", bad.body), 400, bad.errType)
		}
	})
}

func TestOrganizationConcurrentUpdates(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Concurrent", "concurrent")
		var wg sync.WaitGroup
		domains := []string{}
		for i := 0; i < 8; i++ {
			domains = append(domains, fmt.Sprintf("d%d.example", i))
		}
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Each writer sets a different field; none may be lost.
				body := map[string]any{}
				switch i % 4 {
				case 0:
					body["organization_name"] = "Renamed"
				case 1:
					body["email_allowed_domains"] = domains
				case 2:
					body["trusted_metadata"] = map[string]any{"k": "v"}
				case 3:
					body["sso_jit_provisioning"] = "NOT_ALLOWED"
				}
				e.MustOK(e.Call("PUT", "/v1/b2b/organizations/concurrent", body))
			}(i)
		}
		wg.Wait()
		o := e.MustOK(e.Call("GET", "/v1/b2b/organizations/concurrent", nil)).Obj("organization")
		if o["organization_name"] != "Renamed" || len(o["email_allowed_domains"].([]any)) != 8 ||
			o["trusted_metadata"].(map[string]any)["k"] != "v" || o["sso_jit_provisioning"] != "NOT_ALLOWED" {
			t.Fatalf("lost an update: %v", o)
		}
	})
}

func TestOrganizationListLimits(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	many := func(n int, f string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(f, i)
		}
		return out
	}
	cases := []struct {
		body    map[string]any
		errType string
	}{
		{map[string]any{"email_allowed_domains": many(101, "d%d.example")}, "invalid_email_allowed_domains"},
		{map[string]any{"allowed_first_party_connected_apps": many(101, "app-%d")}, "invalid_allowed_first_party_connected_apps"},
		{map[string]any{"allowed_third_party_connected_apps": []string{strings.Repeat("x", 129)}}, "invalid_allowed_third_party_connected_apps"},
		{map[string]any{"allowed_oauth_tenants": map[string][]string{"slack": many(101, "T%d")}}, "invalid_allowed_oauth_tenants"},
		{map[string]any{"sso_jit_provisioning_allowed_connections": many(101, "saml-connection-test-%d")}, "invalid_sso_jit_provisioning_allowed_connections"},
	}
	for _, tc := range cases {
		e.WantError(e.Call("PUT", "/v1/b2b/organizations/acme", tc.body), 400, tc.errType)
	}
	// Duplicates collapse instead of multiplying the stored list.
	o := e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"allowed_first_party_connected_apps": []string{"a", "a", "b"}})).Obj("organization")
	if fmt.Sprint(o["allowed_first_party_connected_apps"]) != "[a b]" {
		t.Errorf("apps = %v", o["allowed_first_party_connected_apps"])
	}
}

func TestSSOConnectionLimit(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	for i := 0; i < 50; i++ {
		e.MustOK(e.Call("POST", "/v1/b2b/sso/oidc/acme", map[string]any{"display_name": fmt.Sprint("c", i)}))
	}
	e.WantError(e.Call("POST", "/v1/b2b/sso/oidc/acme", map[string]any{}), 400, "too_many_sso_connections")
	e.WantError(e.Call("POST", "/v1/b2b/sso/saml/acme", map[string]any{}), 400, "too_many_sso_connections")
}
