package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/health"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// seam keys rotate: every value sealed under the old master key is
// re-sealed under the new one, with a replica writing meanwhile and after
// an interrupted run; a second run changes nothing; afterwards the new key
// alone opens everything and the old key alone no longer starts.
func TestKeysRotateMasterKey(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			oldKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
			newKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32))
			dbURL := testdb.URL(t, backend)
			vars := func(cur, prev string) map[string]string {
				return map[string]string{"SEAM_DATABASE_URL": dbURL, "SEAM_SECRET_KEY": cur, "SEAM_SECRET_KEY_PREVIOUS": prev,
					"SEAM_BASE_URL": "https://seam.example", "SEAM_LOG_LEVEL": "error"}
			}
			cli := func(v map[string]string, args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(ctx, args, func(k string) string { return v[k] }, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			open := func(cur, prev string) (*app.App, error) {
				cfg := config.Config{DatabaseURL: dbURL, SecretKey: cur, SecretKeyPrevious: prev, BaseURL: "https://seam.example", LogFormat: "json"}
				if err := cfg.Finish(); err != nil {
					t.Fatal(err)
				}
				return app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
			}
			mustOpen := func(cur, prev string) *app.App {
				a, err := open(cur, prev)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}

			// Under the old key: every kind of sealed value.
			code, out, errOut := cli(vars(oldKey, ""), "project", "create", "--name", "rotation", "--json")
			if code != 0 {
				t.Fatalf("project create: %d %s", code, errOut)
			}
			var creds struct {
				ProjectID string `json:"project_id"`
			}
			_ = json.Unmarshal([]byte(out), &creds)
			a := mustOpen(oldKey, "")
			p, _ := a.Store.GetProject(ctx, creds.ProjectID)
			created, err := a.Orgs.Create(ctx, p, organizations.Fields{OrganizationName: opt.Of("Acme"), OrganizationSlug: opt.Of("acme")})
			if err != nil {
				t.Fatal(err)
			}
			org := created.Organization
			if _, err := a.Members.Create(ctx, rbac.ProjectPrincipal(rbac.DefaultPolicy()), p, org, members.CreateParams{EmailAddress: opt.Of("ada@acme.example")}); err != nil {
				t.Fatal(err)
			}
			samlConn, err := a.SSO.CreateSAML(ctx, p, org, sso.SAMLCreate{})
			if err != nil {
				t.Fatal(err)
			}
			encKey, _ := keys.GenerateRSAKey(rand.Reader, 2048)
			if _, err := a.SSO.UpdateSAML(ctx, p, org, samlConn.ID, sso.SAMLUpdate{SAMLEncryptionPrivateKey: opt.Of(keys.EncodePKCS1PrivateKeyPEM(encKey))}); err != nil {
				t.Fatal(err)
			}
			oidcConn, err := a.SSO.CreateOIDC(ctx, p, org, sso.OIDCCreate{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.SSO.UpdateOIDC(ctx, p, org, oidcConn.ID, sso.OIDCUpdate{ClientID: opt.Of("client"), ClientSecret: opt.Of("client secret")}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.TestIdP.Open(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			a.Close()
			mint := func(v map[string]string) string {
				code, out, errOut := cli(v, "session", "create", "--project", p.ID, "--organization", "acme", "--member", "ada@acme.example", "--json")
				if code != 0 {
					t.Fatalf("session create: %d %s", code, errOut)
				}
				var got map[string]string
				_ = json.Unmarshal([]byte(out), &got)
				return got["session_jwt"]
			}
			oldJWT := mint(vars(oldKey, ""))

			// The new key alone does not start; with the old one as previous it does.
			if _, err := open(newKey, ""); !errors.Is(err, health.ErrWrongMasterKey) || !strings.Contains(err.Error(), "SEAM_SECRET_KEY") {
				t.Fatalf("new key alone: %v", err)
			}
			both := vars(newKey, oldKey)
			code, out, _ = cli(both, "keys", "rotate", "--check", "--json")
			var check struct {
				Columns []rekey.Result `json:"columns"`
			}
			if err := json.Unmarshal([]byte(out), &check); err != nil || code == 0 {
				t.Fatalf("--check before the rotation: exit %d %s", code, out)
			}
			pending := map[store.SealedColumn]int{}
			for _, r := range check.Columns {
				pending[r.Column] = r.Resealed
			}
			want := map[store.SealedColumn]int{store.SealedConnectionConfigs: 2, store.SealedSessionSigningKeys: 1,
				store.SealedTestIdPKeys: 1, store.SealedTestIdPSecrets: 1, store.SealedMasterKeyCheck: 1, store.SealedLoginRequests: 0}
			for col, n := range want {
				if pending[col] != n {
					t.Errorf("%s: %d values pending, want %d (%s)", col, pending[col], n, out)
				}
			}

			// A replica with both keys is ready and serves meanwhile: what it
			// writes is sealed under the new key. A replica still running
			// with the old key alone is ready until the rotation.
			replica := mustOpen(newKey, oldKey)
			defer replica.Close()
			if err := replica.Health.Ready(ctx); err != nil {
				t.Fatalf("readiness with both keys: %v", err)
			}
			stale := mustOpen(oldKey, "")
			defer stale.Close()
			if err := stale.Health.Ready(ctx); err != nil {
				t.Fatalf("readiness with the old key before the rotation: %v", err)
			}
			if _, err := replica.SSO.CreateSAML(ctx, p, org, sso.SAMLCreate{}); err != nil {
				t.Fatal(err)
			}
			// An interrupted run (the context ends while the second
			// connection is re-sealed: the first was written) leaves a mix of
			// old and new; it is simply run again.
			ictx, cancel := context.WithCancel(ctx)
			defer cancel()
			r := replica.Rotator(1)
			for i, c := range r.Columns {
				if c.Column == store.SealedConnectionConfigs {
					inner, calls := c.Rewrite, 0
					r.Columns[i].Rewrite = func(row store.SealedRow, f rekey.Func) (string, bool, error) {
						if calls++; calls == 2 {
							cancel()
						}
						return inner(row, f)
					}
				}
			}
			if res, err := r.Run(ictx, false); err == nil || len(res) != 1 || res[0].Resealed != 1 {
				t.Fatalf("the interrupted run: %+v, %v", res, err)
			}

			code, out, errOut = cli(both, "keys", "rotate", "--batch", "1")
			if code != 0 || !strings.Contains(out, "sso_connections.config") {
				t.Fatalf("keys rotate: %d %s %s", code, out, errOut)
			}
			code, out, _ = cli(both, "keys", "rotate", "--json")
			var again struct {
				Columns []rekey.Result `json:"columns"`
			}
			_ = json.Unmarshal([]byte(out), &again)
			for _, r := range again.Columns {
				if r.Resealed != 0 || code != 0 {
					t.Errorf("second run re-sealed %d of %s (exit %d)", r.Resealed, r.Column, code)
				}
			}
			if code, out, _ := cli(both, "keys", "rotate", "--check"); code != 0 {
				t.Errorf("--check after the rotation: exit %d %s", code, out)
			}

			// The replica still running on the old key alone is no longer
			// ready: it could not open the re-sealed values.
			if err := stale.Health.Ready(ctx); err == nil || !strings.Contains(err.Error(), health.TypeMasterKeyMismatch) {
				t.Fatalf("readiness with the old key after the rotation: %v", err)
			}
			// The new key alone now starts and opens every value; the old
			// key alone no longer starts.
			fresh := mustOpen(newKey, "")
			defer fresh.Close()
			if _, err := fresh.Rotator(10).Run(ctx, true); err != nil {
				t.Fatalf("a value the new key alone does not open: %v", err)
			}
			if err := fresh.Health.Ready(ctx); err != nil {
				t.Fatalf("readiness with the new key: %v", err)
			}
			if _, err := fresh.TestIdP.Open(ctx, p.ID); err != nil {
				t.Fatalf("test IdP keys: %v", err)
			}
			if _, err := fresh.Sessions.Authenticate(ctx, p, sessions.AuthenticateParams{SessionJWT: oldJWT}); err != nil {
				t.Fatalf("a JWT signed before the rotation: %v", err)
			}
			mint(vars(newKey, ""))
			if _, err := open(oldKey, ""); !errors.Is(err, health.ErrWrongMasterKey) {
				t.Fatalf("old key alone after the rotation: %v", err)
			}
			if code, _, errOut := cli(vars(newKey, ""), "keys", "rotate"); code != 2 || !strings.Contains(errOut, "SEAM_SECRET_KEY_PREVIOUS") {
				t.Errorf("rotate without a previous key: exit %d %s", code, errOut)
			}
		})
	}
}
