package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"slices"
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

// commandsIn lists the commands a usage text documents: the lines indented
// by exactly two spaces, their words up to the first flag or description
// ("redirect-url add|list|remove" gives three).
func commandsIn(usage string) []string {
	var out []string
	for _, line := range strings.Split(usage, "\n") {
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") || strings.HasPrefix(line, "  -") {
			continue
		}
		names := []string{""}
		for _, word := range strings.Fields(regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), 2)[0]) {
			if !regexp.MustCompile(`^[a-z][a-z-]*(\|[a-z][a-z-]*)*$`).MatchString(word) {
				break
			}
			var next []string
			for _, n := range names {
				for _, alt := range strings.Split(word, "|") {
					next = append(next, strings.TrimSpace(n+" "+alt))
				}
			}
			names = next
		}
		if names[0] != "" {
			out = append(out, names...)
		}
	}
	return out
}

// everyCommand lists every command that `seam help` and the help of each
// command group document, so a new command is checked without being listed
// here.
func everyCommand(t *testing.T) []string {
	t.Helper()
	help := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append(args, "--help"), func(string) string { return "" }, &stdout, &stderr); code != 0 {
			t.Fatalf("%v --help: exit %d, stderr %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	seen := map[string]bool{}
	for _, c := range commandsIn(help()) {
		seen[c] = true
		if group, _, ok := strings.Cut(c, " "); ok && !seen[group] {
			seen[group] = true
			for _, sub := range commandsIn(help(group)) {
				seen[group+" "+sub] = true
			}
		}
	}
	var out []string
	for c := range seen {
		// A group is not a command; "version" takes no flags.
		if !seen[c+" "] && c != "version" && !isGroup(seen, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func isGroup(seen map[string]bool, c string) bool {
	for s := range seen {
		if strings.HasPrefix(s, c+" ") {
			return true
		}
	}
	return false
}

func TestHelpListsOnlyTheCommandsFlags(t *testing.T) {
	const server = "addr admin-addr base-url clock-skew database-url drain-period events-retention jwt-key-rotation limit-address limit-auth-failures limit-outbound limit-project-auth-failures limit-target log-format log-level metadata-refresh-interval outbound-allow outbound-ca-file rbac-policy shutdown-timeout trusted-proxies"
	// tool is what every administration command takes besides its own flags.
	tool := func(own string) string {
		f := append(strings.Fields(own), "database-url", "json", "log-format", "log-level")
		sort.Strings(f)
		return strings.Join(f, " ")
	}
	// Every documented command, with the flags its help lists (sorted).
	want := map[string]string{
		"serve":                       server,
		"migrate":                     "database-url log-format log-level",
		"demo":                        "addr base-url database-url json log-format log-level outbound-allow outbound-ca-file project protocol redirect-url",
		"healthcheck":                 "addr admin-addr live timeout url",
		"session create":              "base-url database-url duration json jwt-key-rotation log-format log-level member organization project rbac-policy sso-connection",
		"keys rotate":                 tool("batch check"),
		"keys rotate-jwt":             tool("project"),
		"project list":                tool(""),
		"project get":                 tool("project"),
		"project create":              tool("environment name redirect-url"),
		"project rename":              tool("name project"),
		"project delete":              tool("project yes"),
		"project redirect-url add":    tool("default project type url"),
		"project redirect-url update": tool("default project type url"),
		"project redirect-url list":   tool("project"),
		"project redirect-url remove": tool("project url"),
		"project secret create":       tool("project"),
		"project secret list":         tool("project"),
		"project secret delete":       tool("project secret-id"),
		"project public-token create": tool("project"),
		"project public-token list":   tool("project"),
		"project public-token delete": tool("project public-token"),
		"project rbac-policy get":     tool("project"),
		"project rbac-policy set":     tool("file project"),
		"webhook create":              tool("event-types project url"),
		"webhook list":                tool("project"),
		"webhook update":              tool("enabled endpoint-id event-types project url"),
		"webhook delete":              tool("endpoint-id project"),
		"webhook rotate-secret":       tool("endpoint-id project"),
		"webhook deliveries":          tool("endpoint-id limit project"),
		"webhook replay":              tool("endpoint-id event-id project since until"),
		"workspace-key create":        tool(""),
		"workspace-key list":          tool(""),
		"workspace-key revoke":        tool("key-id"),
	}
	commands := everyCommand(t)
	for _, c := range commands {
		flags, ok := want[c]
		if !ok {
			t.Errorf("%s is documented but not in this test's table: add the flags its --help must list", c)
		}
		var stdout, stderr bytes.Buffer
		args := append(strings.Fields(c), "--help")
		code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
		if code != 0 || stderr.Len() > 0 {
			t.Errorf("%s --help: exit %d, stderr %q; want 0 and help on stdout only", c, code, stderr.String())
		}
		if got := strings.Join(flagsIn(stdout.String()), " "); got != flags {
			t.Errorf("%s --help lists flags\n  %s\nwant\n  %s", c, got, flags)
		}
		// The master key unseals the database: every command that opens
		// one documents it, no other does.
		if opens, says := slices.Contains(flagsIn(stdout.String()), "database-url"), strings.Contains(stdout.String(), "SEAM_SECRET_KEY"); opens != says {
			t.Errorf("%s --help: mentions SEAM_SECRET_KEY %v, opens a database %v", c, says, opens)
		}
	}
	for c := range want {
		if !slices.Contains(commands, c) {
			t.Errorf("%s is not documented in seam help or its group's help (found %v)", c, commands)
		}
	}
	// -h and the group's own help work too.
	for _, args := range [][]string{{"serve", "-h"}, {"session", "--help"}, {"project", "-h"}, {"webhook", "-h"}, {"keys", "-h"}, {"workspace-key", "-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 || stdout.Len() == 0 {
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
