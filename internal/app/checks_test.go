package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// A connection's ACS URL, audience and OIDC redirect URL are what its IdP
// was told at creation: restarting with another SEAM_BASE_URL warns and
// does not move them; rows from before the URL was stored are pinned to the
// base URL of the first `seam serve` start that sees them.
func TestCallbackURLsSurviveABaseURLChange(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		const oldBase, newBase = "https://old.example", "https://new.example"
		e := apptest.New(t, backend, func(c *config.Config) { c.BaseURL = oldBase })
		org := e.CreateOrg("Acme", "acme")
		orgID := org["organization_id"].(string)
		samlID := e.MustOK(e.Call("POST", "/v1/b2b/sso/saml/acme", map[string]any{"display_name": "IdP"})).Obj("connection")["connection_id"].(string)
		oidcID := e.MustOK(e.Call("POST", "/v1/b2b/sso/oidc/acme", map[string]any{"display_name": "OP"})).Obj("connection")["connection_id"].(string)
		samlOld, oidcOld := oldBase+"/v1/b2b/sso/callback/"+samlID, oldBase+"/v1/b2b/sso/callback/"+oidcID

		cfg := e.App.Config
		cfg.BaseURL = newBase
		var logs bytes.Buffer
		a2, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a2.Close()
		ctx := context.Background()
		// A row as the migration leaves it: no stored URL.
		legacy := &store.Connection{ProjectID: e.Creds.ProjectID, OrganizationID: orgID, ID: "oidc-connection-test-6c1d1b0e-94a4-4b36-a7f2-2f5f3b7f4a11",
			Kind: store.KindOIDC, Status: "pending", Config: []byte(`{}`), CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := a2.Store.CreateConnection(ctx, legacy); err != nil {
			t.Fatal(err)
		}
		if err := a2.StartupChecks(ctx); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), `"connections":2`) || !strings.Contains(logs.String(), "alternative_acs_url") {
			t.Errorf("no warning counting the 2 connections under the old base URL:\n%s", logs.String())
		}
		if !strings.Contains(logs.String(), "stored the ACS URL") {
			t.Errorf("pinning the legacy row was not logged:\n%s", logs.String())
		}

		c, err := a2.Store.GetConnectionByID(ctx, samlID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := a2.SSO.SAMLView(c)
		if err != nil || v.ACSURL != samlOld || v.AudienceURI != samlOld {
			t.Fatalf("SAML view after the change: %+v %v", v, err)
		}
		run, err := a2.SSO.SAMLRuntime(c)
		if err != nil || run.RequestACSURL != samlOld || run.SPEntityID != samlOld || run.ACSURLs[0] != samlOld || run.Audiences[0] != samlOld {
			t.Fatalf("SAML runtime after the change: %+v %v", run, err)
		}
		o, err := a2.Store.GetOrganization(ctx, e.Creds.ProjectID, orgID)
		if err != nil {
			t.Fatal(err)
		}
		md, err := a2.SSO.SPMetadata(ctx, o, samlID)
		if err != nil || !bytes.Contains(md, []byte(`entityID="`+samlOld+`"`)) || !bytes.Contains(md, []byte(`Location="`+samlOld+`"`)) {
			t.Fatalf("SP metadata after the change: %s %v", md, err)
		}
		oc, _ := a2.Store.GetConnectionByID(ctx, oidcID)
		if ov, err := a2.SSO.OIDCView(oc); err != nil || ov.RedirectURL != oidcOld {
			t.Fatalf("OIDC view after the change: %+v %v", ov, err)
		}
		lc, _ := a2.Store.GetConnectionByID(ctx, legacy.ID)
		if lc.CallbackURL != newBase+"/v1/b2b/sso/callback/"+legacy.ID {
			t.Errorf("legacy row pinned to %q", lc.CallbackURL)
		}
		// A connection created now gets the new base URL.
		p, err := a2.Store.GetProject(ctx, e.Creds.ProjectID)
		if err != nil {
			t.Fatal(err)
		}
		nc, err := a2.SSO.CreateOIDC(ctx, p, o, sso.OIDCCreate{})
		if err != nil || nc.CallbackURL != newBase+"/v1/b2b/sso/callback/"+nc.ID {
			t.Fatalf("new connection: %+v %v", nc, err)
		}
	})
}
