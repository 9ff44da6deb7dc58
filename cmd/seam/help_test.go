package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// flagsIn lists the -flag names a usage text documents.
func flagsIn(usage string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

func TestHelpListsOnlyTheCommandsFlags(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, tc := range []struct {
		args []string
		want string // sorted, space-separated
	}{
		{[]string{"serve", "--help"}, "addr admin-addr base-url clock-skew database-url drain-period events-retention jwt-key-rotation limit-address limit-auth-failures limit-outbound limit-project-auth-failures limit-target log-format log-level metadata-refresh-interval outbound-allow outbound-ca-file rbac-policy shutdown-timeout trusted-proxies"},
		{[]string{"serve", "-h"}, "addr admin-addr base-url clock-skew database-url drain-period events-retention jwt-key-rotation limit-address limit-auth-failures limit-outbound limit-project-auth-failures limit-target log-format log-level metadata-refresh-interval outbound-allow outbound-ca-file rbac-policy shutdown-timeout trusted-proxies"},
		{[]string{"migrate", "--help"}, "database-url log-format log-level"},
		{[]string{"project", "create", "--help"}, "database-url environment json log-format log-level name redirect-url"},
		{[]string{"session", "create", "--help"}, "base-url database-url duration json jwt-key-rotation log-format log-level member organization project rbac-policy sso-connection"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, noEnv, &stdout, &stderr)
		if code != 0 {
			t.Errorf("%v: exit %d, want 0 (stderr %s)", tc.args, code, stderr.String())
		}
		if got := strings.Join(flagsIn(stdout.String()), " "); got != tc.want {
			t.Errorf("%v lists flags\n  %s\nwant\n  %s", tc.args, got, tc.want)
		}
		if !strings.Contains(stdout.String(), "SEAM_SECRET_KEY") {
			t.Errorf("%v: help does not mention SEAM_SECRET_KEY:\n%s", tc.args, stdout.String())
		}
	}
	for _, args := range [][]string{{"session", "--help"}, {"project", "-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, noEnv, &stdout, &stderr); code != 0 || stdout.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout.String())
		}
	}
}

// A listen address alone gives no host for the public URL: serve refuses
// to guess one, and says what to set.
func TestServeRefusesBaseURLWithoutHost(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "seam.db")
	for _, env := range []map[string]string{
		{"SEAM_ADDR": ":0"},
		{"SEAM_ADDR": "0.0.0.0:0"},
		{"SEAM_ADDR": "127.0.0.1:0", "SEAM_BASE_URL": "http://[::]:8080"},
	} {
		env["SEAM_DATABASE_URL"] = db
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "set SEAM_BASE_URL") {
			t.Errorf("%v: exit %d, stderr %s", env, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--addr", ":0"}, func(string) string { return "" }, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "SEAM_BASE_URL") {
		t.Errorf("--addr :0: exit %d, stderr %s", code, stderr.String())
	}
}
