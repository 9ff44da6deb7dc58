package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
)

// TestOutboundLimitPerProject: a project's outbound fetches (metadata URL
// updates, OIDC discovery) are limited per minute; over the limit a
// metadata-URL update answers 429 too_many_requests with Retry-After and
// changes nothing, OIDC discovery is skipped with a warning, other projects
// are unaffected, and the next minute admits again.
func TestOutboundLimitPerProject(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		certPEM, _ := testCert(t, "limit-idp")
		md, trust := idpMetadataServer(t, certPEM)
		e := apptest.New(t, backend, trust, func(c *config.Config) { c.LimitOutbound = 2 })
		e.CreateOrg("Acme", "acme")
		conn := createSAML(e, "acme")["connection_id"].(string)
		oidcConn := createOIDC(e, "acme")["connection_id"].(string)
		byURL := func() *apptest.Response {
			return e.Call("PUT", samlPath("acme", conn)+"/url", map[string]any{"metadata_url": md})
		}
		steps := []struct {
			name string
			want int
		}{{"first fetch", 200}, {"second fetch", 200}, {"third fetch refused", 429}}
		for _, s := range steps {
			r := byURL()
			if s.want == 429 {
				e.WantError(r, http.StatusTooManyRequests, "too_many_requests")
				if r.Header.Get("Retry-After") == "" {
					t.Fatalf("%s: no Retry-After", s.name)
				}
				continue
			}
			e.MustOK(r)
		}
		// OIDC discovery over the limit: saved, with a warning naming the limit.
		r := e.MustOK(e.Call("PUT", oidcPath("acme", oidcConn), map[string]any{"issuer": "https://idp.example.com/tenant"}))
		if w := r.Str("warning"); !strings.Contains(w, "too many outbound fetches") {
			t.Fatalf("OIDC update over the limit: warning %q", w)
		}
		// Another project has its own budget.
		p2 := e.NewProject(ids.Test)
		e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: p2,
			Body: map[string]any{"organization_name": "B", "organization_slug": "bee"}}))
		c2 := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/sso/saml/bee", Creds: p2,
			Body: map[string]any{"display_name": "B"}})).Obj("connection")["connection_id"].(string)
		e.MustOK(e.Do(apptest.Request{Method: "PUT", Path: samlPath("bee", c2) + "/url", Creds: p2, Body: map[string]any{"metadata_url": md}}))
		// The next minute admits again.
		e.Clock.Advance(61 * time.Second)
		e.MustOK(byURL())
	})
}
