package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/testdb"
)

// TestCLIProjectAdministration drives the administration commands against
// a database that a running `seam serve` uses, on both backends: what the
// CLI changes, the server applies at once.
func TestCLIProjectAdministration(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{"SEAM_DATABASE_URL": testdb.URL(t, backend), "SEAM_LOG_LEVEL": "error",
				"SEAM_SECRET_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}
			env := func(k string) string { return vars[k] }
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(context.Background(), args, env, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			jsonOf := func(args ...string) map[string]any {
				t.Helper()
				code, out, errOut := cli(args...)
				if code != 0 {
					t.Fatalf("%v: %d %s", args, code, errOut)
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(out), &m); err != nil {
					t.Fatalf("%v: not JSON: %q", args, out)
				}
				return m
			}
			addr, _, _, _ := serveInBackground(t, vars)
			call := func(user, pass, method, path string) int {
				t.Helper()
				req, _ := http.NewRequest(method, "http://"+addr+path, nil)
				req.SetBasicAuth(user, pass)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}

			creds := jsonOf("project", "create", "--name", "Admin app", "--json")
			pid, oldSecret := creds["project_id"].(string), creds["secret"].(string)
			// Projects.
			list := jsonOf("project", "list", "--json")["projects"].([]any)
			if last := list[len(list)-1].(map[string]any); last["project_id"] != pid || last["project_slug"] != pid {
				t.Fatalf("list = %v", list) // SQLite also holds the bootstrap project
			}
			got := jsonOf("project", "get", "--project", pid, "--json")
			if got["name"] != "Admin app" || got["environment"] != "test" || len(got["secrets"].([]any)) != 1 {
				t.Errorf("get = %v", got)
			}

			// Without a redirect URL, create says how to add one (on stderr
			// with --json, which jsonOf just parsed from stdout).
			if _, out, errOut := cli("project", "create", "--name", "No URL yet", "--json"); !strings.Contains(errOut, "no redirect URL yet") ||
				!strings.Contains(errOut, "seam project redirect-url add --project project-test-") || strings.Contains(out, "redirect-url") {
				t.Errorf("create without --redirect-url: stdout %q stderr %q", out, errOut)
			}
			if _, out, _ := cli("project", "create", "--name", "With URL", "--redirect-url", "https://app.example/cb"); strings.Contains(out, "no redirect URL") {
				t.Errorf("create with --redirect-url hints anyway: %q", out)
			}

			// Redirect URLs.
			added := jsonOf("project", "redirect-url", "add", "--project", pid, "--url", "https://app.example/cb", "--type", "login,signup", "--json")
			types := added["redirect_url"].(map[string]any)["valid_types"].([]any)
			if len(types) != 2 || types[0].(map[string]any)["is_default"] != true {
				t.Errorf("added = %v (the first URL of a type becomes its default)", added)
			}
			jsonOf("project", "redirect-url", "add", "--project", pid, "--url", "https://app.example/invite", "--type", "invite", "--json")
			urls := jsonOf("project", "redirect-url", "list", "--project", pid, "--json")["redirect_urls"].([]any)
			if len(urls) != 2 {
				t.Errorf("urls = %v", urls)
			}
			// update replaces the types; --default takes the types' defaults,
			// and a URL keeps the defaults it had unless told otherwise.
			typesOf := func() map[string]string {
				t.Helper()
				out := map[string]string{}
				for _, u := range jsonOf("project", "redirect-url", "list", "--project", pid, "--json")["redirect_urls"].([]any) {
					var ts []string
					for _, vt := range u.(map[string]any)["valid_types"].([]any) {
						v := vt.(map[string]any)
						if ts = append(ts, v["type"].(string)); v["is_default"] == true {
							ts[len(ts)-1] += "*"
						}
					}
					out[u.(map[string]any)["url"].(string)] = strings.Join(ts, ",")
				}
				return out
			}
			updated := jsonOf("project", "redirect-url", "update", "--project", pid, "--url", "https://app.example/invite", "--type", "invite,login", "--default", "--json")
			if vt := updated["redirect_url"].(map[string]any)["valid_types"].([]any); len(vt) != 2 {
				t.Errorf("updated = %v", updated)
			}
			if got := typesOf(); got["https://app.example/invite"] != "INVITE*,LOGIN*" || got["https://app.example/cb"] != "LOGIN,SIGNUP*" {
				t.Errorf("after update --default: %v", got)
			}
			jsonOf("project", "redirect-url", "update", "--project", pid, "--url", "https://app.example/cb", "--type", "signup,discovery", "--json")
			if got := typesOf(); got["https://app.example/cb"] != "SIGNUP*,DISCOVERY*" || got["https://app.example/invite"] != "INVITE*,LOGIN*" {
				t.Errorf("after update without --default: %v", got)
			}
			if code, out, _ := cli("project", "redirect-url", "update", "--project", pid, "--url", "https://app.example/cb", "--type", "login,signup,discovery"); code != 0 || !strings.Contains(out, "https://app.example/cb  login, signup (default), discovery (default)") {
				t.Errorf("update (text): %d %q", code, out)
			}
			jsonOf("project", "redirect-url", "update", "--project", pid, "--url", "https://app.example/cb", "--default", "--json")
			if got := typesOf(); got["https://app.example/cb"] != "LOGIN*,SIGNUP*,DISCOVERY*" || got["https://app.example/invite"] != "INVITE*,LOGIN" {
				t.Errorf("after update --default without --type: %v", got)
			}
			jsonOf("project", "redirect-url", "remove", "--project", pid, "--url", "https://app.example/invite", "--json")
			if urls := jsonOf("project", "redirect-url", "list", "--project", pid, "--json")["redirect_urls"].([]any); len(urls) != 1 {
				t.Errorf("after remove: %v", urls)
			}

			// Secret rotation while the server runs.
			fresh := jsonOf("project", "secret", "create", "--project", pid, "--json")
			if len(fresh) != 2 || !strings.HasPrefix(fresh["secret_id"].(string), "secret-test-") {
				t.Fatalf("secret create = %v, want exactly secret_id and secret", fresh)
			}
			newSecret := fresh["secret"].(string)
			for _, s := range []string{oldSecret, newSecret} {
				if st := call(pid, s, "POST", "/v1/b2b/organizations/search"); st != 200 {
					t.Errorf("secret refused during rotation: %d", st)
				}
			}
			secrets := jsonOf("project", "secret", "list", "--project", pid, "--json")["secrets"].([]any)
			if len(secrets) != 2 {
				t.Fatalf("secrets = %v", secrets)
			}
			if strings.Contains(strings.Join(func() []string {
				_, out, _ := cli("project", "secret", "list", "--project", pid, "--json")
				return []string{out}
			}(), ""), newSecret) {
				t.Error("secret list shows a secret")
			}
			oldID := secrets[0].(map[string]any)["secret_id"].(string)
			jsonOf("project", "secret", "delete", "--project", pid, "--secret-id", oldID, "--json")
			if st := call(pid, oldSecret, "POST", "/v1/b2b/organizations/search"); st != 401 {
				t.Errorf("deleted secret = %d, want 401", st)
			}
			if st := call(pid, newSecret, "POST", "/v1/b2b/organizations/search"); st != 200 {
				t.Errorf("new secret = %d", st)
			}
			newID := fresh["secret_id"].(string)
			if code, _, errOut := cli("project", "secret", "delete", "--project", pid, "--secret-id", newID); code != 1 || !strings.Contains(errOut, "cannot_delete_last_secret") {
				t.Errorf("deleting the last secret: %d %s", code, errOut)
			}

			// Public tokens.
			tok := jsonOf("project", "public-token", "create", "--project", pid, "--json")["public_token"].(string)
			if toks := jsonOf("project", "public-token", "list", "--project", pid, "--json")["public_tokens"].([]any); len(toks) != 2 {
				t.Errorf("tokens = %v", toks)
			}
			jsonOf("project", "public-token", "delete", "--project", pid, "--public-token", tok, "--json")

			// RBAC policy: "get" prints what "set" reads; the running server's
			// B2B policy endpoint shows a change at once; a refused file
			// changes nothing.
			policyRoles := func() string {
				t.Helper()
				req, _ := http.NewRequest("GET", "http://"+addr+"/v1/b2b/rbac/policy", nil)
				req.SetBasicAuth(pid, newSecret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body struct {
					Policy struct {
						Roles []struct {
							RoleID string `json:"role_id"`
						} `json:"roles"`
					} `json:"policy"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, r := range body.Policy.Roles {
					ids = append(ids, r.RoleID)
				}
				return strings.Join(ids, ",")
			}
			if got := policyRoles(); got != "stytch_member,stytch_admin" {
				t.Fatalf("roles before = %s", got)
			}
			doc := jsonOf("project", "rbac-policy", "get", "--project", pid, "--json")
			policy := doc["policy"].(map[string]any)
			policy["custom_resources"] = []any{map[string]any{"resource_id": "reports", "available_actions": []string{"read"}}}
			policy["custom_roles"] = []any{map[string]any{"role_id": "auditor", "permissions": []any{
				map[string]any{"resource_id": "reports", "actions": []string{"read"}}}}}
			file := filepath.Join(t.TempDir(), "policy.json")
			writeJSON := func(v any) {
				t.Helper()
				b, _ := json.Marshal(v)
				if err := os.WriteFile(file, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			writeJSON(doc)
			jsonOf("project", "rbac-policy", "set", "--project", pid, "--file", file, "--json")
			if got := policyRoles(); got != "stytch_member,stytch_admin,auditor" {
				t.Errorf("roles after set = %s", got)
			}
			policy["custom_roles"] = []any{map[string]any{"role_id": "x", "permissions": []any{
				map[string]any{"resource_id": "nope", "actions": []string{"read"}}}}}
			writeJSON(policy) // the bare policy object is read too
			if code, _, errOut := cli("project", "rbac-policy", "set", "--project", pid, "--file", file); code != 1 || !strings.Contains(errOut, "invalid_permission_resource") {
				t.Errorf("refused set: %d %s", code, errOut)
			}
			if got := policyRoles(); got != "stytch_member,stytch_admin,auditor" {
				t.Errorf("roles after a refused set = %s", got)
			}

			// Workspace keys against the running server.
			key := jsonOf("workspace-key", "create", "--json")
			if len(key) != 2 || !strings.HasPrefix(key["key_id"].(string), "workspace-key-prod-") {
				t.Fatalf("workspace key = %v", key)
			}
			kid, ksec := key["key_id"].(string), key["secret"].(string)
			if st := call(kid, ksec, "GET", "/pwa/v3/projects"); st != 200 {
				t.Errorf("workspace key refused: %d", st)
			}
			if st := call(pid, newSecret, "GET", "/pwa/v3/projects"); st != 401 {
				t.Errorf("project secret on the admin API: %d", st)
			}
			keys := jsonOf("workspace-key", "list", "--json")["keys"].([]any)
			if len(keys) != 1 || strings.Contains(func() string { _, out, _ := cli("workspace-key", "list", "--json"); return out }(), ksec) {
				t.Errorf("keys = %v", keys)
			}
			jsonOf("workspace-key", "revoke", "--key-id", kid, "--json")
			if st := call(kid, ksec, "GET", "/pwa/v3/projects"); st != 401 {
				t.Errorf("revoked key: %d", st)
			}

			// Errors: unknown project, bad input, usage.
			for _, c := range []struct {
				args []string
				code int
				want string
			}{
				{[]string{"project", "get", "--project", "project-test-nope"}, 1, "project_not_found"},
				{[]string{"project", "secret", "create", "--project", "project-test-nope"}, 1, "project_not_found"},
				{[]string{"project", "redirect-url", "add", "--project", pid, "--url", "ftp://x"}, 1, "invalid_redirect_url"},
				{[]string{"project", "redirect-url", "add", "--project", pid, "--url", "https://x.example", "--type", "reset"}, 1, "invalid_redirect_url_type"},
				{[]string{"project", "redirect-url", "remove", "--project", pid, "--url", "https://nope.example"}, 1, "redirect_url_not_found"},
				{[]string{"project", "redirect-url", "add", "--project", pid}, 2, "--url is required"},
				{[]string{"project", "redirect-url", "add", "--project", pid, "--url", "https://app.example/cb"}, 1, "seam project redirect-url update"},
				{[]string{"project", "redirect-url", "update", "--project", pid, "--url", "https://nope.example"}, 1, "redirect_url_not_found"},
				{[]string{"project", "redirect-url", "update", "--project", pid, "--url", "https://app.example/cb", "--type", "reset"}, 1, "invalid_redirect_url_type"},
				{[]string{"project", "redirect-url", "update", "--project", pid}, 2, "--url is required"},
				{[]string{"project", "secret", "delete", "--project", pid}, 2, "--secret-id is required"},
				{[]string{"project", "secret", "rotate"}, 2, "unknown command"},
				{[]string{"workspace-key", "revoke", "--key-id", "workspace-key-prod-nope"}, 1, "workspace_key_not_found"},
				{[]string{"workspace-key"}, 2, "usage"},
			} {
				if code, _, errOut := cli(c.args...); code != c.code || !strings.Contains(errOut, c.want) {
					t.Errorf("%v: %d %q, want %d and %q", c.args, code, errOut, c.code, c.want)
				}
			}
		})
	}
}
