package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/projects"
)

// adminFixture is a running Seam with a workspace key and one project,
// addressed through the administration API.
type adminFixture struct {
	*samlFixture
	key *projects.Credentials // workspace key as Basic credentials
	env string                // /pwa/v3/projects/{slug}/environments/{env}
}

func newAdminFixture(t *testing.T, backend string) *adminFixture {
	t.Helper()
	f := &adminFixture{samlFixture: newSAMLFixture(t, backend)}
	k, err := f.e.App.Admin.CreateKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.key = &projects.Credentials{ProjectID: k.KeyID, Secret: k.Secret}
	f.env = "/pwa/v3/projects/" + f.e.Creds.ProjectID + "/environments/test"
	return f
}

func (f *adminFixture) pwa(method, path string, body any) *apptest.Response {
	f.e.T.Helper()
	return f.e.Do(apptest.Request{Method: method, Path: path, Body: body, Creds: f.key})
}

// startStatus runs the login start with a login_redirect_url.
func (f *adminFixture) startStatus(t *testing.T, publicToken, loginURL string) int {
	t.Helper()
	q := url.Values{"connection_id": {f.connID}, "public_token": {publicToken}}
	if loginURL != "" {
		q.Set("login_redirect_url", loginURL)
	}
	c := f.e.Browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(f.e.URL + "/v1/public/sso/start?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminAuth(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		revoked, err := f.e.App.Admin.CreateKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.e.App.Admin.RevokeKey(context.Background(), revoked.KeyID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			creds  *projects.Credentials
			noAuth bool
			path   string
			status int
			errTyp string
		}{
			{"no credentials", nil, true, "/pwa/v3/projects", 401, "unauthorized_credentials"},
			{"project secret on the admin API", f.e.Creds, false, "/pwa/v3/projects", 401, "unauthorized_credentials"},
			{"wrong workspace secret", &projects.Credentials{ProjectID: f.key.ProjectID, Secret: "workspace-secret-prod-nope"}, false, "/pwa/v3/projects", 401, "unauthorized_credentials"},
			{"revoked workspace key", &projects.Credentials{ProjectID: revoked.KeyID, Secret: revoked.Secret}, false, "/pwa/v3/projects", 401, "unauthorized_credentials"},
			{"unknown workspace key", &projects.Credentials{ProjectID: "workspace-key-prod-nope", Secret: f.key.Secret}, false, "/pwa/v3/projects", 401, "unauthorized_credentials"},
			{"workspace key on the project API", f.key, false, "/v1/b2b/organizations/acme", 401, "unauthorized_credentials"},
			{"workspace key on the admin API", f.key, false, "/pwa/v3/projects", 200, ""},
			{"project secret on the project API", f.e.Creds, false, "/v1/b2b/organizations/acme", 200, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := f.e.Do(apptest.Request{Method: "GET", Path: c.path, Creds: c.creds, NoAuth: c.noAuth})
				if r.Status != c.status || r.ErrorType() != c.errTyp {
					t.Errorf("%d %s, want %d %s: %s", r.Status, r.ErrorType(), c.status, c.errTyp, r.Raw)
				}
			})
		}
	})
}

func TestAdminRedirectURLsTakeEffectAtOnce(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		const u = "https://app.example/new?x=1"
		if got := f.startStatus(t, f.e.Creds.PublicToken, u); got != 400 {
			t.Fatalf("start with an unregistered URL = %d", got)
		}
		r := f.e.MustOK(f.pwa("POST", f.env+"/redirect_urls", map[string]any{
			"url": u, "valid_types": []map[string]any{{"type": "LOGIN", "is_default": true}, {"type": "SIGNUP"}}}))
		if r.Obj("redirect_url")["url"] != u {
			t.Errorf("created %s", r.Raw)
		}
		if got := f.startStatus(t, f.e.Creds.PublicToken, u); got != http.StatusFound {
			t.Fatalf("start right after adding = %d", got)
		}
		all := f.e.MustOK(f.pwa("GET", f.env+"/redirect_urls/all", nil))
		list, _ := all.Body["redirect_urls"].([]any)
		if len(list) != 3 {
			t.Fatalf("all = %s", all.Raw)
		}
		// The new URL took LOGIN's default; SIGNUP stays with the first URL.
		got := f.e.MustOK(f.pwa("GET", f.env+"/redirect_urls?url="+url.QueryEscape("http://app.test/callback"), nil))
		types := got.Obj("redirect_url")["valid_types"].([]any)
		if types[0].(map[string]any)["is_default"] != false || types[1].(map[string]any)["is_default"] != true {
			t.Errorf("old URL after the move: %s", got.Raw)
		}
		// SIGNUP only: a login with it is refused at once.
		f.e.MustOK(f.pwa("PUT", f.env+"/redirect_urls?url="+url.QueryEscape(u), map[string]any{
			"valid_types": []map[string]any{{"type": "SIGNUP"}}}))
		if got := f.startStatus(t, f.e.Creds.PublicToken, u); got != 400 {
			t.Errorf("start with a SIGNUP-only URL as login = %d", got)
		}
		cleared := f.e.MustOK(f.pwa("PUT", f.env+"/redirect_urls?url="+url.QueryEscape(u), map[string]any{}))
		if types, ok := cleared.Obj("redirect_url")["valid_types"].([]any); !ok || len(types) != 0 {
			t.Errorf("cleared types = %s, want []", cleared.Raw)
		}
		f.e.MustOK(f.pwa("DELETE", f.env+"/redirect_urls?url="+url.QueryEscape(u), nil))
		f.e.WantError(f.pwa("GET", f.env+"/redirect_urls?url="+url.QueryEscape(u), nil), 404, "redirect_url_not_found")
	})
}

func TestAdminErrors(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			errType            string
		}{
			{"unknown project", "GET", "/pwa/v3/projects/nope", nil, 404, "project_not_found"},
			{"unknown project's secrets", "GET", "/pwa/v3/projects/nope/environments/test/secrets", nil, 404, "project_not_found"},
			{"unknown environment", "GET", "/pwa/v3/projects/" + f.e.Creds.ProjectID + "/environments/staging", nil, 404, "environment_not_found"},
			{"redirect URL not a URL", "POST", f.env + "/redirect_urls", map[string]any{"url": "not a url"}, 400, "invalid_redirect_url"},
			{"redirect URL with fragment", "POST", f.env + "/redirect_urls", map[string]any{"url": "https://a.example/#x"}, 400, "invalid_redirect_url"},
			{"redirect URL unknown type", "POST", f.env + "/redirect_urls", map[string]any{"url": "https://a.example/", "valid_types": []map[string]any{{"type": "RESET"}}}, 400, "invalid_redirect_url_type"},
			{"redirect URL type twice", "POST", f.env + "/redirect_urls", map[string]any{"url": "https://a.example/", "valid_types": []map[string]any{{"type": "LOGIN"}, {"type": "LOGIN"}}}, 400, "invalid_redirect_url_type"},
			{"redirect URL duplicate", "POST", f.env + "/redirect_urls", map[string]any{"url": "http://app.test/callback"}, 400, "duplicate_redirect_url"},
			{"redirect URL wrong JSON type", "POST", f.env + "/redirect_urls", map[string]any{"url": 5}, 400, "invalid_request_value"},
			{"redirect URL get without url", "GET", f.env + "/redirect_urls", nil, 400, "invalid_redirect_url"},
			{"redirect URL update unknown", "PUT", f.env + "/redirect_urls?url=https://b.example/", map[string]any{}, 404, "redirect_url_not_found"},
			{"redirect URL delete bad flag", "DELETE", f.env + "/redirect_urls?url=https://b.example/&do_not_promote_defaults=maybe", nil, 400, "invalid_request_value"},
			{"secret unknown", "DELETE", f.env + "/secrets/secret-test-nope", nil, 404, "secret_not_found"},
			{"public token unknown", "GET", f.env + "/public_tokens/public-token-test-nope", nil, 404, "public_token_not_found"},
			{"project bad vertical", "POST", "/pwa/v3/projects", map[string]any{"name": "x", "vertical": "CONSUMER"}, 400, "invalid_vertical"},
			{"project no name", "POST", "/pwa/v3/projects", map[string]any{"vertical": "B2B"}, 400, "invalid_project_name"},
			{"project bad slug", "POST", "/pwa/v3/projects", map[string]any{"name": "x", "vertical": "B2B", "project_slug": "Not A Slug"}, 400, "invalid_slug"},
			{"project slug taken", "POST", "/pwa/v3/projects", map[string]any{"name": "x", "vertical": "B2B", "project_slug": f.e.Creds.ProjectID}, 400, "project_slug_already_exists"},
			{"environment bad type", "POST", "/pwa/v3/projects/" + f.e.Creds.ProjectID + "/environments", map[string]any{"name": "s", "type": "PROD"}, 400, "invalid_environment_type"},
			{"environment slug taken", "POST", "/pwa/v3/projects/" + f.e.Creds.ProjectID + "/environments", map[string]any{"name": "t", "type": "TEST", "environment_slug": "test"}, 400, "environment_slug_already_exists"},
			{"last public token", "DELETE", f.env + "/public_tokens/" + f.e.Creds.PublicToken, nil, 400, "cannot_delete_last_public_token"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.e.WantError(f.pwa(c.method, c.path, c.body), c.status, c.errType)
			})
		}
	})
}

func TestAdminSecretRotation(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		old := f.e.Creds
		list := f.e.MustOK(f.pwa("GET", f.env+"/secrets", nil)).Body["secrets"].([]any)
		if len(list) != 1 {
			t.Fatalf("secrets = %v", list)
		}
		oldID := list[0].(map[string]any)["secret_id"].(string)
		f.e.WantError(f.pwa("DELETE", f.env+"/secrets/"+oldID, nil), 400, "cannot_delete_last_secret")

		created := f.e.MustOK(f.pwa("POST", f.env+"/secrets", nil)).Obj("secret")
		fresh := &projects.Credentials{ProjectID: old.ProjectID, Secret: created["secret"].(string)}
		for _, c := range []*projects.Credentials{old, fresh} {
			f.e.MustOK(f.e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/acme", Creds: c}))
		}
		masked := f.e.MustOK(f.pwa("GET", f.env+"/secrets/"+created["secret_id"].(string), nil)).Obj("secret")
		if _, leaked := masked["secret"]; leaked || masked["last_four"] != fresh.Secret[len(fresh.Secret)-4:] {
			t.Errorf("masked secret = %v", masked)
		}
		f.e.MustOK(f.pwa("DELETE", f.env+"/secrets/"+oldID, nil))
		f.e.WantError(f.e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/acme", Creds: old}), 401, "unauthorized_credentials")
		f.e.MustOK(f.e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/acme", Creds: fresh}))

		// Public tokens rotate the same way.
		tok := f.e.MustOK(f.pwa("POST", f.env+"/public_tokens", nil)).Obj("public_token")["public_token"].(string)
		if got := f.startStatus(t, tok, ""); got != http.StatusFound {
			t.Errorf("start with the new public token = %d", got)
		}
		f.e.MustOK(f.pwa("DELETE", f.env+"/public_tokens/"+f.e.Creds.PublicToken, nil))
		if got := f.startStatus(t, f.e.Creds.PublicToken, ""); got != http.StatusUnauthorized {
			t.Errorf("start with the deleted public token = %d", got)
		}
	})
}

func TestAdminProjectsAndEnvironments(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newAdminFixture(t, backend)
		p := f.e.MustOK(f.pwa("POST", "/pwa/v3/projects", map[string]any{"name": "Acme App", "vertical": "B2B", "project_slug": "acme-app"})).Obj("project")
		if p["project_slug"] != "acme-app" || p["vertical"] != "B2B" || p["name"] != "Acme App" {
			t.Errorf("project = %v", p)
		}
		envs := f.e.MustOK(f.pwa("GET", "/pwa/v3/projects/acme-app/environments", nil)).Body["environments"].([]any)
		if len(envs) != 2 {
			t.Fatalf("environments = %v", envs)
		}
		types := map[any]bool{}
		for _, e := range envs {
			types[e.(map[string]any)["type"]] = true
		}
		if !types["TEST"] || !types["LIVE"] {
			t.Errorf("environment types = %v", types)
		}
		// An environment made by the API has no secret until one is created.
		base := "/pwa/v3/projects/acme-app/environments/live"
		live := f.e.MustOK(f.pwa("GET", base, nil)).Obj("environment")
		if secrets, _ := f.e.MustOK(f.pwa("GET", base+"/secrets", nil)).Body["secrets"].([]any); len(secrets) != 0 {
			t.Errorf("new environment has secrets %v", secrets)
		}
		sec := f.e.MustOK(f.pwa("POST", base+"/secrets", nil)).Obj("secret")
		creds := &projects.Credentials{ProjectID: live["project_id"].(string), Secret: sec["secret"].(string)}
		f.e.MustOK(f.e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: creds,
			Body: map[string]any{"organization_name": "Live Org", "organization_slug": "live-org"}}))

		stg := f.e.MustOK(f.pwa("POST", "/pwa/v3/projects/acme-app/environments", map[string]any{"name": "Staging", "type": "TEST"})).Obj("environment")
		if stg["environment_slug"] != "staging" || stg["type"] != "TEST" {
			t.Errorf("staging = %v", stg)
		}
		all := f.e.MustOK(f.pwa("GET", "/pwa/v3/projects", nil)).Body["projects"].([]any)
		if len(all) != 2 {
			t.Errorf("projects = %v", all)
		}
	})
}
