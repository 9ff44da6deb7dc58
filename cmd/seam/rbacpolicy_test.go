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

// TestCLIRBACPolicy sets a project's RBAC policy with the CLI while a
// server runs on the same database: the server's B2B policy endpoint shows
// it at once, and an invalid file is refused with Stytch's error type.
func TestCLIRBACPolicy(t *testing.T) {
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
			addr, _, _, _ := serveInBackground(t, vars)
			code, out, errOut := cli("project", "create", "--name", "RBAC app", "--json")
			if code != 0 {
				t.Fatalf("create: %s", errOut)
			}
			var creds map[string]string
			_ = json.Unmarshal([]byte(out), &creds)
			pid := creds["project_id"]
			roles := func() []string {
				t.Helper()
				req, _ := http.NewRequest("GET", "http://"+addr+"/v1/b2b/rbac/policy", nil)
				req.SetBasicAuth(pid, creds["secret"])
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
				return ids
			}
			if got := strings.Join(roles(), ","); got != "stytch_member,stytch_admin" {
				t.Fatalf("roles before = %s", got)
			}

			// "get" prints what "set" reads: edit it and set it back.
			code, out, errOut = cli("project", "rbac-policy", "get", "--project", pid, "--json")
			if code != 0 {
				t.Fatalf("get: %s", errOut)
			}
			var doc map[string]map[string]any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("get output %q: %v", out, err)
			}
			doc["policy"]["custom_resources"] = []any{map[string]any{"resource_id": "reports", "available_actions": []string{"read"}}}
			doc["policy"]["custom_roles"] = []any{map[string]any{"role_id": "auditor", "permissions": []any{
				map[string]any{"resource_id": "reports", "actions": []string{"read"}}}}}
			file := filepath.Join(t.TempDir(), "policy.json")
			b, _ := json.Marshal(doc)
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := cli("project", "rbac-policy", "set", "--project", pid, "--file", file, "--json"); code != 0 {
				t.Fatalf("set: %s", errOut)
			}
			if got := strings.Join(roles(), ","); got != "stytch_member,stytch_admin,auditor" {
				t.Errorf("roles after set = %s", got)
			}

			// A role on an undeclared resource is refused; nothing changes.
			bad := `{"stytch_member":{"permissions":[]},"stytch_admin":{"permissions":[]},"custom_roles":[{"role_id":"x","permissions":[{"resource_id":"nope","actions":["read"]}]}]}`
			if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := cli("project", "rbac-policy", "set", "--project", pid, "--file", file); code != 1 || !strings.Contains(errOut, "invalid_permission_resource") {
				t.Errorf("bad set: %d %s", code, errOut)
			}
			if got := strings.Join(roles(), ","); got != "stytch_member,stytch_admin,auditor" {
				t.Errorf("roles after a refused set = %s", got)
			}
		})
	}
}
