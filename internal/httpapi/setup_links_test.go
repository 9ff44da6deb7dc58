package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
)

// TestSetupLinkLifecycle: create (default and bounded lifetimes, kind pin),
// list without URLs, revoke once, and every refusal of the API.
func TestSetupLinkLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		before := time.Now()
		r := e.MustOK(e.Call("POST", "/v1/b2b/sso/setup_links/acme", map[string]any{}))
		id, url := r.Str("setup_link_id"), r.Str("url")
		if !strings.HasPrefix(id, "setup-link-test-") || !strings.HasPrefix(url, e.URL+"/setup/seam-setup-test-") || len(url) != len(e.URL+"/setup/seam-setup-test-")+64 {
			t.Fatalf("create = %s", r.Raw)
		}
		if r.Str("organization_id") != org || r.Str("status") != "active" || r.Str("connection_kind") != "" {
			t.Errorf("create = %s", r.Raw)
		}
		exp, err := time.Parse(time.RFC3339Nano, r.Str("expires_at"))
		if err != nil || exp.Before(before.Add(24*time.Hour-time.Minute)) || exp.After(time.Now().Add(24*time.Hour+time.Minute)) {
			t.Errorf("default expires_at = %q (%v), want 24 h from now", r.Str("expires_at"), err)
		}
		pinned := e.MustOK(e.Call("POST", "/v1/b2b/sso/setup_links/"+org, map[string]any{"expires_in_minutes": 1, "connection_kind": "oidc"}))
		if pinned.Str("connection_kind") != "oidc" {
			t.Errorf("pinned = %s", pinned.Raw)
		}
		e.MustOK(e.Call("POST", "/v1/b2b/sso/setup_links/acme", map[string]any{"expires_in_minutes": 43200}))

		for _, bad := range []struct {
			body any
			typ  string
		}{
			{map[string]any{"expires_in_minutes": 0}, "invalid_expires_in_minutes"},
			{map[string]any{"expires_in_minutes": 43201}, "invalid_expires_in_minutes"},
			{map[string]any{"expires_in_minutes": -5}, "invalid_expires_in_minutes"},
			{map[string]any{"connection_kind": "external"}, "invalid_connection_kind"},
			{map[string]any{"organization_id": "organization-test-00000000-0000-4000-8000-000000000000"}, "invalid_request_value"},
		} {
			e.WantError(e.Call("POST", "/v1/b2b/sso/setup_links/acme", bad.body), http.StatusBadRequest, bad.typ)
		}
		e.WantError(e.Call("POST", "/v1/b2b/sso/setup_links/nobody", map[string]any{}), http.StatusNotFound, "organization_not_found")
		e.WantError(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/sso/setup_links/acme", NoAuth: true}), http.StatusUnauthorized, "unauthorized_credentials")

		list := e.MustOK(e.Call("GET", "/v1/b2b/sso/setup_links/acme", nil))
		links := list.Body["setup_links"].([]any)
		if len(links) != 3 {
			t.Fatalf("list = %s", list.Raw)
		}
		if strings.Contains(string(list.Raw), "/setup/seam-setup-") {
			t.Errorf("the list shows a link's URL: %s", list.Raw)
		}
		if links[2].(map[string]any)["setup_link_id"] != id {
			t.Errorf("list is not newest first: %s", list.Raw)
		}

		e.Clock.Advance(2 * time.Minute)
		list = e.MustOK(e.Call("GET", "/v1/b2b/sso/setup_links/acme", nil))
		if got := list.Body["setup_links"].([]any)[1].(map[string]any)["status"]; got != "expired" {
			t.Errorf("a one-minute link two minutes later is %v", got)
		}

		del := e.MustOK(e.Call("DELETE", "/v1/b2b/sso/setup_links/acme/links/"+id, nil))
		if del.Str("setup_link_id") != id {
			t.Errorf("delete = %s", del.Raw)
		}
		e.WantError(e.Call("DELETE", "/v1/b2b/sso/setup_links/acme/links/"+id, nil), http.StatusNotFound, "setup_link_not_found")
		e.WantError(e.Call("DELETE", "/v1/b2b/sso/setup_links/acme/links/not-an-id", nil), http.StatusNotFound, "setup_link_not_found")
		list = e.MustOK(e.Call("GET", "/v1/b2b/sso/setup_links/acme", nil))
		last := list.Body["setup_links"].([]any)[2].(map[string]any)
		if last["status"] != "revoked" || last["revoked_at"] == nil {
			t.Errorf("revoked link = %v", last)
		}

		// Another organization sees none of these and cannot revoke them.
		e.CreateOrg("Other", "other")
		e.WantError(e.Call("DELETE", "/v1/b2b/sso/setup_links/other/links/"+pinned.Str("setup_link_id"), nil), http.StatusNotFound, "setup_link_not_found")
		if n := len(e.MustOK(e.Call("GET", "/v1/b2b/sso/setup_links/other", nil)).Body["setup_links"].([]any)); n != 0 {
			t.Errorf("organization other lists %d links", n)
		}
	})
}
