package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/testdb"
)

func TestCLIProjectRenameAndDelete(t *testing.T) {
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
			pid := jsonOf("project", "create", "--name", "Old", "--json")["project_id"].(string)
			if got := jsonOf("project", "rename", "--project", pid, "--name", "New", "--json"); got["name"] != "New" || got["project_id"] != pid {
				t.Fatalf("rename: %v", got)
			}
			if got := jsonOf("project", "get", "--project", pid, "--json"); got["name"] != "New" {
				t.Fatalf("get after rename: %v", got)
			}
			if code, _, errOut := cli("project", "rename", "--project", "project-test-nope", "--name", "x"); code == 0 || !strings.Contains(errOut, "project_not_found") {
				t.Fatalf("rename unknown: %d %s", code, errOut)
			}
			if code, _, errOut := cli("project", "delete", "--project", pid); code != 2 || !strings.Contains(errOut, "--yes") {
				t.Fatalf("delete without --yes: %d %s", code, errOut)
			}
			jsonOf("project", "get", "--project", pid, "--json") // still there
			if got := jsonOf("project", "delete", "--project", pid, "--yes", "--json"); got["deleted"] != true {
				t.Fatalf("delete: %v", got)
			}
			if code, _, errOut := cli("project", "get", "--project", pid); code == 0 || !strings.Contains(errOut, "project_not_found") {
				t.Fatalf("get after delete: %d %s", code, errOut)
			}
		})
	}
}
