package main

import (
	"bytes"
	"context"
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
)

// logLines parses the JSON log stream.
func logLines(t *testing.T, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stream), "\n") {
		if strings.Count(l, `"request_id"`) > 1 {
			t.Errorf("request_id twice in one line: %s", l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// A failed SAML login: its access line names the error type, the typed
// reason, the organization and the connection, with the duration in ms;
// the debug steps of the login carry the same request_id; no payload
// reaches the log.
func TestLogsExplainAFailedLogin(t *testing.T) {
	env := map[string]string{"SEAM_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "seam.db"), "SEAM_LOG_LEVEL": "debug"}
	addr, stdout, stderr, _ := serveInBackground(t, env)
	pid := field(stdout.String(), "project_id:")
	vars := map[string]string{"SEAM_DATABASE_URL": env["SEAM_DATABASE_URL"], "SEAM_ADDR": addr, "SEAM_LOG_LEVEL": "error"}
	var demoOut, demoErr bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--project", pid}, func(k string) string { return vars[k] }, &demoOut, &demoErr); code != 0 {
		t.Fatalf("seam demo: %d %s", code, demoErr.String())
	}
	start := regexp.MustCompile(`http://\S+/v1/public/sso/start\?\S+`).FindString(demoOut.String())
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := get(t, c, start)
	form := hiddenFields(page.body)
	form.Set("user", "ada")
	form.Set("response", "expired")
	post := postForm(t, c, page.url.ResolveReference(&url.URL{Path: "login"}).String(), form)
	acs := hiddenFields(post.body)
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(post.body)
	if len(action) != 2 {
		t.Fatalf("no auto-post form:\n%s", post.body)
	}
	resp, err := c.PostForm(html.UnescapeString(action[1]), acs)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rid := resp.Header.Get("X-Request-Id")
	if resp.StatusCode < 400 || rid == "" {
		t.Fatalf("the expired assertion was answered %d (request %q)", resp.StatusCode, rid)
	}

	var access map[string]any
	steps := 0
	for _, l := range logLines(t, stderr.String()) {
		if l["request_id"] != rid {
			continue
		}
		if l["msg"] == "http" {
			access = l
		}
		if l["level"] == "DEBUG" && strings.HasPrefix(l["msg"].(string), "login callback:") {
			steps++
		}
	}
	if access == nil {
		t.Fatalf("no access line for %s:\n%s", rid, stderr.String())
	}
	for _, k := range []string{"error_type", "reason", "organization_id", "connection_id", "duration_ms"} {
		if _, ok := access[k]; !ok {
			t.Errorf("the access line lacks %s: %v", k, access)
		}
	}
	if _, ok := access["duration"]; ok {
		t.Errorf("the access line still has a unitless duration: %v", access)
	}
	if !strings.HasPrefix(access["connection_id"].(string), "saml-connection-test-") || !strings.HasPrefix(access["organization_id"].(string), "organization-test-") {
		t.Errorf("access line IDs: %v", access)
	}
	if steps == 0 {
		t.Errorf("no debug step of the login carries request_id %s:\n%s", rid, stderr.String())
	}
	// The log holds no payload: not the SAML response, not the relay state.
	if sr := acs.Get("SAMLResponse"); len(sr) < 64 || strings.Contains(stderr.String(), sr[:64]) {
		t.Error("the SAML response reached the log")
	}
	// The outcome is counted by connection kind and typed reason.
	m, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if !strings.Contains(string(body), `seam_login_outcomes_total{kind="saml",outcome="expired"} 1`) {
		t.Errorf("no login outcome metric:\n%s", grepLines(string(body), "seam_login"))
	}
	// The start step was logged at debug with the start request's ID too.
	if !strings.Contains(stderr.String(), `"msg":"login start: connection located"`) {
		t.Errorf("no start step at debug:\n%s", stderr.String())
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With SEAM_ADMIN_ADDR, /metrics is served there and not on the public
// address; the probes answer on both.
func TestAdminAddrServesMetricsAndProbes(t *testing.T) {
	admin := freeAddr(t)
	addr, _, _, _ := serveInBackground(t, map[string]string{"SEAM_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "seam.db"),
		"SEAM_ADMIN_ADDR": admin})
	if code, typ := getStatus(t, "http://"+addr+"/metrics"); code != 404 || typ != "route_not_found" {
		t.Fatalf("public /metrics: %d %s", code, typ)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		for _, a := range []string{addr, admin} {
			if code, typ := getStatus(t, "http://"+a+p); code != 200 {
				t.Errorf("%s%s: %d %s", a, p, code, typ)
			}
		}
	}
	if code, _ := getStatus(t, "http://"+admin+"/v1/b2b/organizations/search"); code != 404 {
		t.Errorf("the admin address serves the API: %d", code)
	}
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`seam_build_info\{commit="[^"]+",go_version="go[^"]+",version="[^"]+"\} 1`),
		regexp.MustCompile(`go_sql_max_open_connections\{db_name="sqlite"\} `),
		regexp.MustCompile(`seam_http_requests_total\{method="GET",route="GET /readyz",status="200"\} `),
	} {
		if !want.Match(body) {
			t.Errorf("admin /metrics lacks %s", want)
		}
	}
}

func TestVersionPrintsBuildInfo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, &errOut); code != 0 {
		t.Fatal(code)
	}
	if !regexp.MustCompile(`^seam \S+ \(commit \S+, go1\.\S+\)\n$`).MatchString(out.String()) {
		t.Fatalf("version: %q", out.String())
	}
}
