package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

func TestSessionCreate(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{
				"SEAM_DATABASE_URL": testdb.URL(t, backend),
				"SEAM_SECRET_KEY":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)),
				"SEAM_BASE_URL":     "https://seam.example",
				"SEAM_LOG_LEVEL":    "error",
			}
			env := func(k string) string { return vars[k] }
			ctx := context.Background()
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(ctx, args, env, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			code, out, errOut := cli("project", "create", "--name", "cli", "--json")
			if code != 0 {
				t.Fatalf("project create: %d %s", code, errOut)
			}
			var creds struct {
				ProjectID string `json:"project_id"`
			}
			if err := json.Unmarshal([]byte(out), &creds); err != nil {
				t.Fatal(err)
			}

			var cfg config.Config
			cfg.DatabaseURL, cfg.SecretKey, cfg.BaseURL, cfg.LogFormat = vars["SEAM_DATABASE_URL"], vars["SEAM_SECRET_KEY"], vars["SEAM_BASE_URL"], "json"
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			p, err := a.Store.GetProject(ctx, creds.ProjectID)
			if err != nil {
				t.Fatal(err)
			}
			created, err := a.Orgs.Create(ctx, p, organizations.Fields{OrganizationName: opt.Of("Acme"), OrganizationSlug: opt.Of("acme")})
			if err != nil {
				t.Fatal(err)
			}
			org := created.Organization
			m, err := a.Members.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), p, org, members.CreateParams{EmailAddress: opt.Of("ada@acme.example"), Roles: opt.Of([]string{"stytch_admin"})})
			if err != nil {
				t.Fatal(err)
			}

			code, out, errOut = cli("session", "create", "--project", p.ID, "--organization", "acme", "--member", "ADA@acme.example", "--duration", "90m", "--json")
			if code != 0 {
				t.Fatalf("session create: %d %s", code, errOut)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 3 {
				t.Fatalf("--json output %q: %v", out, err)
			}
			res, err := a.Sessions.Authenticate(ctx, p, sessions.AuthenticateParams{SessionToken: got["session_token"]})
			if err != nil || res.Session.ID != got["member_session_id"] || res.Member.ID != m.ID {
				t.Fatalf("minted token does not authenticate: %v", err)
			}
			if d := res.Session.ExpiresAt.Sub(res.Session.StartedAt); d != 90*time.Minute {
				t.Errorf("session lasts %s, want 90m", d)
			}
			if _, err := a.Sessions.Authenticate(ctx, p, sessions.AuthenticateParams{SessionJWT: got["session_jwt"]}); err != nil {
				t.Errorf("minted JWT does not authenticate: %v", err)
			}
			// Text output by member ID with the default duration.
			code, out, _ = cli("session", "create", "--project", p.ID, "--organization", org.ID, "--member", m.ID)
			if code != 0 || !strings.Contains(out, "session_token:") || !strings.Contains(out, "member_session_id: member-session-test-") {
				t.Errorf("text output: %d %q", code, out)
			}

			// --sso-connection: an SSO factor from the member's registration.
			conn := &store.Connection{ProjectID: p.ID, OrganizationID: org.ID, ID: "oidc-connection-test-00000000-0000-4000-8000-000000000001",
				Kind: store.KindOIDC, Status: "active", Config: json.RawMessage(`{}`), CreatedAt: a.Clock(), UpdatedAt: a.Clock()}
			if err := a.Store.CreateConnection(ctx, conn); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Members.LinkSSO(ctx, p, org, members.SSOIdentity{ConnectionID: conn.ID, ExternalID: "sub-1", Email: m.Email, EmailTrust: linking.EmailVerified}, false, nil); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = cli("session", "create", "--project", p.ID, "--organization", "acme", "--member", m.ID, "--sso-connection", conn.ID, "--json")
			if code != 0 {
				t.Fatalf("session create --sso-connection: %d %s", code, errOut)
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			res, err = a.Sessions.Authenticate(ctx, p, sessions.AuthenticateParams{SessionToken: got["session_token"]})
			if err != nil {
				t.Fatal(err)
			}
			var factors []map[string]any
			if err := json.Unmarshal(res.Session.AuthenticationFactors, &factors); err != nil || len(factors) != 1 ||
				factors[0]["delivery_method"] != "sso_oidc" || factors[0]["oidc_sso_factor"].(map[string]any)["provider_id"] != conn.ID {
				t.Errorf("factors = %s", res.Session.AuthenticationFactors)
			}

			failures := []struct {
				args []string
				code int
				msg  string
			}{
				{[]string{"session"}, 2, "usage: seam session create"},
				{[]string{"session", "create", "--project", p.ID}, 2, "are required"},
				{[]string{"session", "create", "--project", p.ID, "--organization", "acme", "--member", m.ID, "--duration", "90s"}, 2, "whole minutes"},
				{[]string{"session", "create", "--project", p.ID, "--organization", "acme", "--member", m.ID, "--duration", "4m"}, 1, "invalid_session_duration"},
				{[]string{"session", "create", "--project", p.ID, "--organization", "acme", "--member", "member-test-nope"}, 1, "member_not_found"},
				{[]string{"session", "create", "--project", p.ID, "--organization", "nope", "--member", m.ID}, 1, "organization_not_found"},
				{[]string{"session", "create", "--project", "project-test-nope", "--organization", "acme", "--member", m.ID}, 1, "no project"},
				{[]string{"session", "create", "--project", p.ID, "--organization", "acme", "--member", m.ID, "--sso-connection", "saml-connection-test-x"}, 1, "no SSO registration"},
			}
			for _, f := range failures {
				code, out, errOut := cli(f.args...)
				if code != f.code || !strings.Contains(errOut, f.msg) || out != "" {
					t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d mentioning %q", f.args, code, errOut, out, f.code, f.msg)
				}
			}
		})
	}
}
