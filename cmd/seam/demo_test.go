package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/testdb"
)

// TestDemoZeroSetup is the getting-started path: `seam serve` on an empty
// SQLite database, `seam demo --project <printed ID>`, the printed start URL
// in a browser (a cookie-jar client), the test IdP's page, the ACS, the
// demo's landing page, and the token exchanged with the printed secret.
func TestDemoZeroSetup(t *testing.T) {
	env := map[string]string{"SEAM_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "seam.db")}
	addr, stdout, _, _ := serveInBackground(t, env)
	out := stdout.String()
	pid, secret := field(out, "project_id:"), field(out, "secret:")
	if !strings.Contains(out, "seam demo --project "+pid) {
		t.Fatalf("bootstrap does not print the demo command:\n%s", out)
	}

	vars := map[string]string{"SEAM_DATABASE_URL": env["SEAM_DATABASE_URL"], "SEAM_ADDR": addr, "SEAM_LOG_LEVEL": "error"}
	var demoOut, demoErr bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--project", pid}, func(k string) string { return vars[k] }, &demoOut, &demoErr); code != 0 {
		t.Fatalf("seam demo: %d %s", code, demoErr.String())
	}
	text := demoOut.String()
	start := regexp.MustCompile(`http://\S+/v1/public/sso/start\?\S+`).FindString(text)
	if start == "" || !strings.Contains(text, "ada@example.com") || !strings.Contains(text, "/logins") {
		t.Fatalf("demo output lacks the start URL or the next steps:\n%s", text)
	}
	if strings.Contains(text, secret) {
		t.Fatal("demo printed the project secret")
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := get(t, c, start) // start -> test IdP picker
	if !strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self'") || strings.Contains(page.body, "<script>") {
		t.Fatalf("picker page: CSP %q or inline script", page.header.Get("Content-Security-Policy"))
	}
	form := hiddenFields(page.body)
	form.Set("user", "ada")
	form.Set("response", "valid")
	post := postForm(t, c, page.url.ResolveReference(&url.URL{Path: "login"}).String(), form)
	acs := hiddenFields(post.body)
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(post.body)
	if len(action) != 2 || acs.Get("SAMLResponse") == "" {
		t.Fatalf("no auto-post form:\n%s", post.body)
	}
	landed := postForm(t, c, html.UnescapeString(action[1]), acs) // ACS -> landing page
	if landed.status != http.StatusOK || !strings.Contains(landed.url.Path, "/v1/test_idp/landing") {
		t.Fatalf("login ended at %s with %d:\n%s", landed.url, landed.status, landed.body)
	}
	token := landed.url.Query().Get("token")
	if token == "" || !strings.Contains(landed.body, token) {
		t.Fatalf("landing page does not show the token:\n%s", landed.body)
	}

	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/b2b/sso/authenticate",
		strings.NewReader(`{"sso_token":"`+token+`","session_duration_minutes":60}`))
	req.SetBasicAuth(pid, secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var auth struct {
		Member struct {
			Email string `json:"email_address"`
			Roles []struct {
				RoleID string `json:"role_id"`
			} `json:"roles"`
		} `json:"member"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&auth); err != nil || resp.StatusCode != 200 || auth.Member.Email != "ada@example.com" {
		t.Fatalf("authenticate: %d %v %+v", resp.StatusCode, err, auth)
	}
	admin := false
	for _, r := range auth.Member.Roles {
		admin = admin || r.RoleID == "stytch_admin"
	}
	if !admin {
		t.Fatalf("ada (group admins) lacks stytch_admin: %+v", auth.Member.Roles)
	}
}

// TestDemoCommand: --json on both stores, both protocols, the organization
// reused, live projects and a missing --project refused.
func TestDemoCommand(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{
				"SEAM_DATABASE_URL": testdb.URL(t, backend),
				"SEAM_SECRET_KEY":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
				"SEAM_BASE_URL":     "https://seam.example",
				"SEAM_LOG_LEVEL":    "error",
			}
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(context.Background(), args, func(k string) string { return vars[k] }, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			project := func(environment string, redirects ...string) string {
				args := []string{"project", "create", "--name", "demo", "--environment", environment, "--json"}
				for _, r := range redirects {
					args = append(args, "--redirect-url", r)
				}
				code, out, errOut := cli(args...)
				if code != 0 {
					t.Fatalf("project create: %s", errOut)
				}
				var c struct {
					ProjectID string `json:"project_id"`
				}
				_ = json.Unmarshal([]byte(out), &c)
				return c.ProjectID
			}
			pid := project("test", "https://app.example/cb", "https://seam.example/v1/test_idp/landing")

			var orgID string
			for _, protocol := range []string{"saml", "oidc"} {
				code, out, errOut := cli("demo", "--project", pid, "--protocol", protocol, "--json")
				if code != 0 {
					t.Fatalf("demo %s: %d %s", protocol, code, errOut)
				}
				var res map[string]string
				if err := json.Unmarshal([]byte(out), &res); err != nil {
					t.Fatalf("--json output %q: %v", out, err)
				}
				if res["status"] != "active" || res["protocol"] != protocol || res["redirect_url"] != "https://seam.example/v1/test_idp/landing" ||
					!strings.HasPrefix(res["start_url"], "https://seam.example/v1/public/sso/start?") {
					t.Fatalf("demo %s: %v", protocol, res)
				}
				if orgID != "" && res["organization_id"] != orgID {
					t.Fatalf("second demo made another organization: %s vs %s", res["organization_id"], orgID)
				}
				orgID = res["organization_id"]
			}

			// Without the landing page registered, the project's first URL.
			other := project("test", "https://app.example/cb")
			code, out, errOut := cli("demo", "--project", other)
			if code != 0 || !strings.Contains(out, "The browser lands on https://app.example/cb?stytch_token_type=sso") {
				t.Fatalf("demo without landing URL: %d %s %s", code, out, errOut)
			}
			code, _, errOut = cli("demo", "--project", other, "--redirect-url", "https://evil.example/")
			if code != 1 || !strings.Contains(errOut, "no_match_for_provided_sso_url") || !strings.Contains(errOut, "https://app.example/cb") {
				t.Fatalf("unregistered --redirect-url: %d %s", code, errOut)
			}

			live := project("live", "https://app.example/cb")
			code, _, errOut = cli("demo", "--project", live)
			if code != 1 || !strings.Contains(errOut, "test_idp_not_available") {
				t.Fatalf("demo on a live project: %d %s", code, errOut)
			}
			if code, _, errOut = cli("demo"); code != 2 || !strings.Contains(errOut, "--project is required") {
				t.Fatalf("demo without --project: %d %s", code, errOut)
			}
		})
	}
}

func field(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			return f[1]
		}
	}
	return ""
}

type fetched struct {
	url    *url.URL
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u string) fetched {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) fetched {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) fetched {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fetched{url: resp.Request.URL, status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}
