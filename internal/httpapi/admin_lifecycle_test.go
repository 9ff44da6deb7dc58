package httpapi_test

import (
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/projects"
)

func TestAdminUpdateAndDeleteProjects(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		slug := f.e.MustOK(f.pwa("POST", "/pwa/v3/projects", map[string]any{"name": "Shop", "vertical": "B2B", "project_slug": "shop"})).Obj("project")["project_slug"].(string)
		proj := "/pwa/v3/projects/" + slug
		f.e.MustOK(f.pwa("POST", proj+"/environments", map[string]any{"name": "Staging", "type": "TEST", "environment_slug": "staging"}))

		// Renaming the project renames the environments that carry its name.
		p := f.e.MustOK(f.pwa("PATCH", proj, map[string]any{"name": "Shop 2"})).Obj("project")
		if p["name"] != "Shop 2" || p["project_slug"] != slug {
			t.Fatalf("renamed project: %v", p)
		}
		names := map[string]string{}
		for _, e := range f.e.MustOK(f.pwa("GET", proj+"/environments", nil)).Body["environments"].([]any) {
			e := e.(map[string]any)
			names[e["environment_slug"].(string)] = e["name"].(string)
		}
		if names["test"] != "Shop 2" || names["live"] != "Shop 2" || names["staging"] != "Staging" {
			t.Fatalf("environment names after the rename: %v", names)
		}
		f.e.WantError(f.pwa("PATCH", proj, map[string]any{"name": " "}), 400, "invalid_project_name")
		f.e.WantError(f.pwa("PATCH", "/pwa/v3/projects/nope", map[string]any{"name": "x"}), 404, "project_not_found")

		// Environments: the name changes; settings of features Seam lacks are refused unless off.
		env := proj + "/environments/staging"
		e := f.e.MustOK(f.pwa("PATCH", env, map[string]any{"name": "QA", "cross_org_passwords_enabled": false, "user_lock_threshold": 0})).Obj("environment")
		if e["name"] != "QA" || e["environment_slug"] != "staging" || e["type"] != "TEST" {
			t.Fatalf("renamed environment: %v", e)
		}
		f.e.WantError(f.pwa("PATCH", env, map[string]any{"cross_org_passwords_enabled": true}), 400, "feature_not_supported_by_seam")
		f.e.WantError(f.pwa("PATCH", env, map[string]any{"idp_authorization_url": "https://x.example"}), 400, "feature_not_supported_by_seam")
		f.e.WantError(f.pwa("PATCH", env, map[string]any{"name": ""}), 400, "invalid_project_name")
		f.e.WantError(f.pwa("PATCH", proj+"/environments/nope", map[string]any{"name": "x"}), 404, "environment_not_found")
		if got := f.e.MustOK(f.pwa("GET", env, nil)).Obj("environment")["name"]; got != "QA" {
			t.Fatalf("a refused update changed the environment: %v", got)
		}

		// Metrics count what an environment holds.
		m := f.e.MustOK(f.pwa("GET", "/pwa/v3/projects/"+f.e.Creds.ProjectID+"/environments/test/metrics", nil)).Obj("metrics")
		if m["organization_count"] != 1.0 || m["member_count"] != 0.0 || m["user_count"] != 0.0 || m["m2m_client_count"] != 0.0 {
			t.Fatalf("metrics: %v", m)
		}
		createMember(f.e, "acme", "m@acme.example")
		if n := f.e.MustOK(f.pwa("GET", "/pwa/v3/projects/"+f.e.Creds.ProjectID+"/environments/test/metrics", nil)).Obj("metrics")["member_count"]; n != 1.0 {
			t.Fatalf("member_count = %v", n)
		}
		f.e.WantError(f.pwa("GET", env+"x/metrics", nil), 404, "environment_not_found")

		// Deleting an environment removes its project, credentials and all.
		staging := e["project_id"].(string)
		secret := f.e.MustOK(f.pwa("POST", env+"/secrets", map[string]any{})).Obj("secret")["secret"].(string)
		f.e.MustOK(f.pwa("DELETE", env, nil))
		f.e.WantError(f.pwa("GET", env, nil), 404, "environment_not_found")
		f.e.WantError(f.pwa("DELETE", env, nil), 404, "environment_not_found")
		if r := f.e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/rbac/policy", Creds: &projects.Credentials{ProjectID: staging, Secret: secret}}); r.Status != 401 {
			t.Fatalf("a deleted environment's secret still authenticates: %d %s", r.Status, r.Raw)
		}

		// Deleting the project removes every environment.
		f.e.MustOK(f.pwa("DELETE", proj, nil))
		f.e.WantError(f.pwa("GET", proj, nil), 404, "project_not_found")
		f.e.WantError(f.pwa("DELETE", proj, nil), 404, "project_not_found")
		f.e.WantError(f.pwa("GET", proj+"/environments/test", nil), 404, "project_not_found")
		// The fixture's own project is untouched.
		f.e.MustOK(f.e.Call("GET", "/v1/b2b/organizations/acme", nil))
	})
}
