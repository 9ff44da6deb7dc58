package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	seamconfig "github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/sessions"
)

// TestScenariosAgainstSeam runs every scenario briefly against a real Seam
// (SQLite, in process) and requires successful requests and no errors: the
// load generator must measure the endpoint it names, not an error path. It
// asserts nothing about speed.
func TestScenariosAgainstSeam(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Seam")
	}
	// oidc-login's provider runs on loopback, as with run.sh.
	e := apptest.New(t, "sqlite", func(c *seamconfig.Config) { c.OutboundAllow = "127.0.0.1/32" })
	org := e.CreateOrg("Load Org", "load-org")
	orgID, _ := org["organization_id"].(string)
	member := e.MustOK(e.Call("POST", "/v1/b2b/organizations/"+orgID+"/members",
		map[string]any{"email_address": "load@example.com", "name": "Load Test"}))
	tok, jwt := mint(t, e, orgID, member.Str("member_id"))

	for _, name := range scenarioNames() {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := []string{
				"-url", e.URL, "-project", e.Creds.ProjectID, "-secret", e.Creds.Secret,
				"-session-token", tok, "-session-jwt", jwt, "-organization", orgID, "-public-token", e.Creds.PublicToken,
				"-scenario", name, "-concurrency", "2", "-warmup", "50ms", "-duration", "300ms", "-json",
				// The server runs in this process, so its CPU time is ours.
				"-server-pid", strconv.Itoa(os.Getpid()),
			}
			if code := run(context.Background(), args, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var rep report
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, out.String())
			}
			if rep.Requests == 0 || rep.Errors != 0 || rep.RPS <= 0 || rep.P50MS <= 0 || rep.P99MS < rep.P50MS || rep.ServerCores <= 0 || rep.ServerPeakRSSMiB <= 0 {
				t.Errorf("report = %+v", rep)
			}
		})
	}
}

func TestFirstRequestMustSucceed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Seam")
	}
	e := apptest.New(t, "sqlite")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"wrong secret", []string{"-scenario", "org-get", "-secret", "secret-test-wrong"}, "401"},
		{"unknown organization", []string{"-scenario", "org-get", "-secret", e.Creds.Secret, "-organization", "organization-test-00000000-0000-4000-8000-000000000000"}, "404"},
		{"forged session token", []string{"-scenario", "sessions-authenticate", "-secret", e.Creds.Secret, "-session-token", strings.Repeat("x", 44)}, "HTTP 4"},
		{"no session token", []string{"-scenario", "sessions-authenticate", "-secret", e.Creds.Secret}, "-session-token"},
		{"unknown scenario", []string{"-scenario", "nope", "-secret", e.Creds.Secret}, "unknown scenario"},
		{"unknown IdP key", []string{"-scenario", "saml-login", "-secret", e.Creds.Secret, "-idp-key", "dsa"}, "-idp-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"-url", e.URL, "-project", e.Creds.ProjectID, "-duration", "100ms", "-warmup", "0s"}, tt.args...)
			code := run(context.Background(), args, &out, &errOut)
			if code == 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, errOut.String(), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("a failed run printed a report: %s", out.String())
			}
		})
	}
}

// mint starts a member session through the Go API, as `seam session create`
// does (there is no HTTP endpoint that mints one without a login).
func mint(t *testing.T, e *apptest.Env, orgID, memberID string) (token, jwt string) {
	t.Helper()
	ctx := context.Background()
	p, err := e.App.Store.GetProject(ctx, e.Creds.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.App.Orgs.Get(ctx, e.App.Store, p.ID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.App.Members.Get(ctx, e.App.Store, o, memberID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, jwt, err = e.App.Sessions.Create(ctx, p, o, m, sessions.OperatorFactor(e.Clock.Now()), 60, nil)
	if err != nil {
		t.Fatal(err)
	}
	return token, jwt
}
