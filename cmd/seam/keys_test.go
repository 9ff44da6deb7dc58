package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// jwtKID reads the kid of a JWT's header (no verification).
func jwtKID(t *testing.T, jwt string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var header struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(h, &header); err != nil {
		t.Fatal(err)
	}
	return header.KID
}

// seam keys rotate-jwt: the new key signs at once, JWTs signed by the old
// one still verify, and both are published.
func TestKeysRotateJWT(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{
				"SEAM_DATABASE_URL": testdb.URL(t, backend),
				"SEAM_SECRET_KEY":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
				"SEAM_BASE_URL":     "https://seam.example",
				"SEAM_LOG_LEVEL":    "error",
			}
			ctx := context.Background()
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(ctx, args, func(k string) string { return vars[k] }, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			code, out, errOut := cli("project", "create", "--name", "keys", "--json")
			if code != 0 {
				t.Fatalf("project create: %d %s", code, errOut)
			}
			var creds struct {
				ProjectID string `json:"project_id"`
			}
			_ = json.Unmarshal([]byte(out), &creds)
			cfg := config.Config{DatabaseURL: vars["SEAM_DATABASE_URL"], SecretKey: vars["SEAM_SECRET_KEY"], BaseURL: vars["SEAM_BASE_URL"], LogFormat: "json"}
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			p, _ := a.Store.GetProject(ctx, creds.ProjectID)
			created, err := a.Orgs.Create(ctx, p, organizations.Fields{OrganizationName: opt.Of("Acme"), OrganizationSlug: opt.Of("acme")})
			if err != nil {
				t.Fatal(err)
			}
			org := created.Organization
			if _, err := a.Members.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), p, org, members.CreateParams{EmailAddress: opt.Of("ada@acme.example")}); err != nil {
				t.Fatal(err)
			}
			mint := func() string {
				code, out, errOut := cli("session", "create", "--project", p.ID, "--organization", "acme", "--member", "ada@acme.example", "--json")
				if code != 0 {
					t.Fatalf("session create: %d %s", code, errOut)
				}
				var got map[string]string
				_ = json.Unmarshal([]byte(out), &got)
				return got["session_jwt"]
			}
			before := mint()
			eventsBefore, err := a.Store.ListEvents(ctx, store.EventFilter{ProjectID: p.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			code, out, errOut = cli("keys", "rotate-jwt", "--project", p.ID, "--json")
			if code != 0 {
				t.Fatalf("keys rotate-jwt: %d %s", code, errOut)
			}
			var rotated sessions.RotatedKey
			if err := json.Unmarshal([]byte(out), &rotated); err != nil {
				t.Fatalf("%q: %v", out, err)
			}
			old := jwtKID(t, before)
			if rotated.KID == old || rotated.Generation != 2 || strings.Join(rotated.Published, ",") != rotated.KID+","+old {
				t.Fatalf("rotation %+v; old kid %s", rotated, old)
			}
			after := mint()
			if jwtKID(t, after) != rotated.KID {
				t.Fatalf("a JWT minted after the rotation is signed by %s, want %s", jwtKID(t, after), rotated.KID)
			}
			for _, jwt := range []string{before, after} {
				if _, err := a.Sessions.Authenticate(ctx, p, sessions.AuthenticateParams{SessionJWT: jwt}); err != nil {
					t.Errorf("JWT signed by %s does not verify after the rotation: %v", jwtKID(t, jwt), err)
				}
			}
			// A key rotation changes no object of the catalogue: no event
			// (docs/events.md, "What records no event").
			if evs, err := a.Store.ListEvents(ctx, store.EventFilter{ProjectID: p.ID, Limit: 1000}); err != nil || len(evs) != len(eventsBefore) {
				t.Errorf("rotate-jwt recorded %d events (%v)", len(evs)-len(eventsBefore), err)
			}
			if code, _, _ := cli("keys", "rotate-jwt"); code != 2 {
				t.Errorf("rotate-jwt without --project: exit %d", code)
			}
			if code, _, _ := cli("keys", "rotate-master"); code != 2 {
				t.Errorf("unknown keys command: exit %d", code)
			}
		})
	}
}
