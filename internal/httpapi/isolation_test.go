package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/httpapi"
	"github.com/seamsso/seam/internal/projects"
)

// isoWorld is the tenant-isolation matrix's world: project P1 (e.Creds)
// with organization O1 ("iso-one", the target of every call) and O2
// ("iso-two") whose admin holds a member session; project P2 with its own
// organization. Builders create fresh P1 objects for each route.
type isoWorld struct {
	t           *testing.T
	e           *apptest.Env
	p2          *projects.Credentials
	o1          string // O1's organization ID
	o2Admin     minted // an admin session of O2 (project P1)
	certPEM     string
	keyPEM      string
	metadataURL string
	n           int
	secret      []string // P1 object IDs that must never appear in an answer to P2
}

type isoCall struct {
	method, path string
	body         any
}

// isoRoute is how the matrix calls one route on an object of P1/O1.
type isoRoute struct {
	build func(w *isoWorld) isoCall
	// ownScope routes name no object (create, search, the project policy):
	// P2 may succeed in its own project, but its answer must not hold any of
	// P1's IDs.
	ownScope bool
	// noControl: the matrix cannot make a P1 call succeed here (it would
	// need a whole login); the refusals are still checked.
	noControl bool
}

// newIsoWorld starts a Seam on backend that trusts an IdP metadata server
// (certificate named cn), with the organizations "iso-one" (O1) and
// "iso-two".
func newIsoWorld(t *testing.T, backend, cn string) (*apptest.Env, *isoWorld) {
	certPEM, keyPEM := testCert(t, cn)
	md, trust := idpMetadataServer(t, certPEM)
	e := apptest.New(t, backend, trust)
	w := &isoWorld{t: t, e: e, certPEM: certPEM, keyPEM: keyPEM, metadataURL: md}
	w.o1 = w.keep(e.CreateOrg("Iso One", "iso-one")["organization_id"].(string))
	e.CreateOrg("Iso Two", "iso-two")
	return e, w
}

func (w *isoWorld) uniq(prefix string) string {
	w.n++
	return fmt.Sprintf("%s-%d", prefix, w.n)
}

func (w *isoWorld) keep(id string) string {
	w.secret = append(w.secret, id)
	return id
}

func (w *isoWorld) saml() string {
	return w.keep(createSAML(w.e, w.o1)["connection_id"].(string))
}

func (w *isoWorld) oidc() string {
	return w.keep(createOIDC(w.e, w.o1)["connection_id"].(string))
}

func (w *isoWorld) external() string {
	src := activeOIDC(w.e, "iso-two")
	c := w.e.MustOK(w.e.Call("POST", "/v1/b2b/sso/external/"+w.o1, map[string]any{
		"external_organization_id": "iso-two", "external_connection_id": src, "display_name": w.uniq("ext"),
	})).Obj("connection")
	return w.keep(c["connection_id"].(string))
}

// setupLink creates a setup link of O1; its ID and URL are P1's secrets.
func (w *isoWorld) setupLink() string {
	r := w.e.MustOK(w.e.Call("POST", "/v1/b2b/sso/setup_links/"+w.o1, map[string]any{}))
	w.keep(r.Str("url"))
	return w.keep(r.Str("setup_link_id"))
}

func (w *isoWorld) member() string {
	return w.keep(createMember(w.e, w.o1, w.uniq("m")+"@one.example"))
}

func (w *isoWorld) session() minted {
	s := mintSession(w.e, nil, w.o1, w.member())
	w.keep(s.ID)
	return s
}

// hook creates a webhook endpoint of P1 (the URL only has to pass the
// guarded client's check; nothing is delivered here).
func (w *isoWorld) hook() string {
	e := w.e.MustOK(w.e.Call("POST", "/v1/webhooks/endpoints", map[string]any{"url": w.e.URL + "/receiver"})).Obj("endpoint")
	return w.keep(e["endpoint_id"].(string))
}

func isoRoutes() map[string]isoRoute {
	org := "/v1/b2b/organizations/"
	samlConn := func(w *isoWorld) string { return "/v1/b2b/sso/saml/" + w.o1 + "/connections/" + w.saml() }
	oidcConn := func(w *isoWorld) string { return "/v1/b2b/sso/oidc/" + w.o1 + "/connections/" + w.oidc() }
	extConn := func(w *isoWorld) string { return "/v1/b2b/sso/external/" + w.o1 + "/connections/" + w.external() }
	routes := map[string]isoRoute{
		"POST /v1/b2b/organizations": {build: func(w *isoWorld) isoCall {
			s := w.uniq("iso-new")
			return isoCall{"POST", "/v1/b2b/organizations", map[string]any{"organization_name": s, "organization_slug": s}}
		}, ownScope: true},
		"POST /v1/b2b/organizations/search": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/organizations/search", map[string]any{"query": map[string]any{"operator": "AND",
				"operands": []any{map[string]any{"filter_name": "organization_ids", "filter_value": []string{w.o1}}}}}}
		}, ownScope: true},
		"GET /v1/b2b/organizations/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", org + w.o1, nil}
		}},
		"PUT /v1/b2b/organizations/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", org + w.o1, map[string]any{"organization_name": w.uniq("renamed")}}
		}},
		"DELETE /v1/b2b/organizations/{organization_id}": {build: func(w *isoWorld) isoCall {
			s := w.uniq("iso-doomed")
			id := w.keep(w.e.CreateOrg(s, s)["organization_id"].(string))
			return isoCall{"DELETE", org + id, nil}
		}},
		"GET /v1/b2b/sso/{organization_id}": {build: func(w *isoWorld) isoCall {
			w.saml()
			return isoCall{"GET", "/v1/b2b/sso/" + w.o1, nil}
		}},
		"DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"DELETE", "/v1/b2b/sso/" + w.o1 + "/connections/" + w.oidc(), nil}
		}},
		"POST /v1/b2b/sso/saml/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/sso/saml/" + w.o1, map[string]any{"display_name": w.uniq("saml")}}
		}},
		"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", samlConn(w), map[string]any{"display_name": w.uniq("renamed")}}
		}},
		"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/url": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", samlConn(w) + "/url", map[string]any{"metadata_url": w.metadataURL}}
		}},
		"DELETE /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/verification_certificates/{certificate_id}": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			c := w.e.MustOK(w.e.Call("PUT", p, map[string]any{"x509_certificate": w.certPEM})).Obj("connection")
			cert := w.keep(c["verification_certificates"].([]any)[0].(map[string]any)["certificate_id"].(string))
			return isoCall{"DELETE", p + "/verification_certificates/" + cert, nil}
		}},
		"DELETE /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/encryption_private_keys/{private_key_id}": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			c := w.e.MustOK(w.e.Call("PUT", p, map[string]any{"saml_encryption_private_key": w.keyPEM})).Obj("connection")
			key := w.keep(c["encryption_private_keys"].([]any)[0].(map[string]any)["private_key_id"].(string))
			return isoCall{"DELETE", p + "/encryption_private_keys/" + key, nil}
		}},
		"GET /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", samlConn(w) + "/metadata", nil}
		}},
		"GET /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata_refreshes": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			w.e.MustOK(w.e.Call("PUT", p+"/url", map[string]any{"metadata_url": w.metadataURL}))
			return isoCall{"GET", p + "/metadata_refreshes", nil}
		}},
		"POST /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/signing_certificates": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", samlConn(w) + "/signing_certificates", nil}
		}},
		"POST /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/signing_certificates/{certificate_id}/activate": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			c := w.e.MustOK(w.e.Call("POST", p+"/signing_certificates", nil)).Obj("connection")
			cert := w.keep(c["signing_certificates"].([]any)[1].(map[string]any)["certificate_id"].(string))
			return isoCall{"POST", p + "/signing_certificates/" + cert + "/activate", nil}
		}},
		"DELETE /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/signing_certificates/{certificate_id}": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			c := w.e.MustOK(w.e.Call("POST", p+"/signing_certificates", nil)).Obj("connection")
			cert := w.keep(c["signing_certificates"].([]any)[1].(map[string]any)["certificate_id"].(string))
			return isoCall{"DELETE", p + "/signing_certificates/" + cert, nil}
		}},
		"POST /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata_refreshes": {build: func(w *isoWorld) isoCall {
			p := samlConn(w)
			w.e.MustOK(w.e.Call("PUT", p+"/url", map[string]any{"metadata_url": w.metadataURL}))
			return isoCall{"POST", p + "/metadata_refreshes", nil}
		}},
		"POST /v1/b2b/sso/oidc/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/sso/oidc/" + w.o1, map[string]any{"display_name": w.uniq("oidc")}}
		}},
		"PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", oidcConn(w), map[string]any{"display_name": w.uniq("renamed")}}
		}},
		"POST /v1/b2b/sso/external/{organization_id}": {build: func(w *isoWorld) isoCall {
			src := w.keep(activeOIDC(w.e, "iso-two"))
			return isoCall{"POST", "/v1/b2b/sso/external/" + w.o1, map[string]any{
				"external_organization_id": "iso-two", "external_connection_id": src, "display_name": w.uniq("ext")}}
		}},
		"PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", extConn(w), map[string]any{"display_name": w.uniq("renamed")}}
		}},
		"POST /v1/b2b/sso/authenticate": {build: func(w *isoWorld) isoCall {
			// An SSO token is looked up by its hash within the caller's
			// project; making a real one of P1 needs a whole login.
			return isoCall{"POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": strings.Repeat("a", 44)}}
		}, noControl: true},
		"POST /v1/b2b/sso/setup_links/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/sso/setup_links/" + w.o1, map[string]any{"connection_kind": "saml"}}
		}},
		"GET /v1/b2b/sso/setup_links/{organization_id}": {build: func(w *isoWorld) isoCall {
			w.setupLink()
			return isoCall{"GET", "/v1/b2b/sso/setup_links/" + w.o1, nil}
		}},
		"DELETE /v1/b2b/sso/setup_links/{organization_id}/links/{setup_link_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"DELETE", "/v1/b2b/sso/setup_links/" + w.o1 + "/links/" + w.setupLink(), nil}
		}},
		"GET /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/logins": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", samlConn(w) + "/logins", nil}
		}},
		"GET /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}/logins": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", oidcConn(w) + "/logins", nil}
		}},
		"GET /v1/b2b/sso/external/{organization_id}/connections/{connection_id}/logins": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", extConn(w) + "/logins", nil}
		}},
		"POST /v1/b2b/organizations/{organization_id}/members": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", org + w.o1 + "/members", map[string]any{"email_address": w.uniq("new") + "@one.example"}}
		}},
		"GET /v1/b2b/organizations/{organization_id}/member": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", org + w.o1 + "/member?member_id=" + w.member(), nil}
		}},
		"PUT /v1/b2b/organizations/{organization_id}/members/{member_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", org + w.o1 + "/members/" + w.member(), map[string]any{"name": w.uniq("renamed")}}
		}},
		"DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"DELETE", org + w.o1 + "/members/" + w.member(), nil}
		}},
		"POST /v1/b2b/organizations/members/search": {build: func(w *isoWorld) isoCall {
			w.member()
			return isoCall{"POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{w.o1}}}
		}, ownScope: true},
		"POST /v1/b2b/sessions/authenticate": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": w.session().Token}}
		}},
		"POST /v1/b2b/sessions/revoke": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/sessions/revoke", map[string]any{"member_session_id": w.session().ID}}
		}},
		"GET /v1/b2b/sessions": {build: func(w *isoWorld) isoCall {
			m := w.member()
			mintSession(w.e, nil, w.o1, m)
			return isoCall{"GET", "/v1/b2b/sessions?organization_id=" + w.o1 + "&member_id=" + m, nil}
		}},
		"POST /v1/b2b/scim/{organization_id}/connection": {build: func(w *isoWorld) isoCall {
			w.e.MustOK(w.e.Call("DELETE", "/v1/b2b/scim/"+w.o1+"/connection/"+isoSCIM(w), nil))
			return isoCall{"POST", "/v1/b2b/scim/" + w.o1 + "/connection", map[string]any{"display_name": w.uniq("scim")}}
		}},
		"GET /v1/b2b/scim/{organization_id}/connection": {build: func(w *isoWorld) isoCall {
			isoSCIM(w)
			return isoCall{"GET", "/v1/b2b/scim/" + w.o1 + "/connection", nil}
		}},
		"PUT /v1/b2b/scim/{organization_id}/connection/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", "/v1/b2b/scim/" + w.o1 + "/connection/" + isoSCIM(w), map[string]any{"display_name": w.uniq("scim")}}
		}},
		"DELETE /v1/b2b/scim/{organization_id}/connection/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"DELETE", "/v1/b2b/scim/" + w.o1 + "/connection/" + isoSCIM(w), nil}
		}},
		"GET /v1/b2b/scim/{organization_id}/connection/{connection_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/b2b/scim/" + w.o1 + "/connection/" + isoSCIM(w), nil}
		}},
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/start": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/b2b/scim/" + w.o1 + "/connection/" + isoSCIM(w) + "/rotate/start", nil}
		}},
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/complete": {build: func(w *isoWorld) isoCall {
			id := isoSCIM(w)
			w.e.MustOK(w.e.Call("POST", "/v1/b2b/scim/"+w.o1+"/connection/"+id+"/rotate/start", nil))
			return isoCall{"POST", "/v1/b2b/scim/" + w.o1 + "/connection/" + id + "/rotate/complete", nil}
		}},
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/cancel": {build: func(w *isoWorld) isoCall {
			id := isoSCIM(w)
			w.e.MustOK(w.e.Call("POST", "/v1/b2b/scim/"+w.o1+"/connection/"+id+"/rotate/start", nil))
			return isoCall{"POST", "/v1/b2b/scim/" + w.o1 + "/connection/" + id + "/rotate/cancel", nil}
		}},
		"GET /v1/b2b/rbac/policy": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/b2b/rbac/policy", nil}
		}, ownScope: true},
		"GET /v1/b2b/rbac/organizations/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/b2b/rbac/organizations/" + w.o1, nil}
		}},
		"POST /v1/webhooks/endpoints": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/webhooks/endpoints", map[string]any{"url": w.e.URL + "/receiver"}}
		}, ownScope: true},
		"GET /v1/webhooks/endpoints": {build: func(w *isoWorld) isoCall {
			w.hook()
			return isoCall{"GET", "/v1/webhooks/endpoints", nil}
		}, ownScope: true},
		"GET /v1/webhooks/endpoints/{endpoint_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/webhooks/endpoints/" + w.hook(), nil}
		}},
		"PUT /v1/webhooks/endpoints/{endpoint_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", "/v1/webhooks/endpoints/" + w.hook(), map[string]any{"event_types": []string{"direct.member.update"}}}
		}},
		"DELETE /v1/webhooks/endpoints/{endpoint_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"DELETE", "/v1/webhooks/endpoints/" + w.hook(), nil}
		}},
		"POST /v1/webhooks/endpoints/{endpoint_id}/rotate_secret": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/webhooks/endpoints/" + w.hook() + "/rotate_secret", nil}
		}},
		"GET /v1/webhooks/endpoints/{endpoint_id}/deliveries": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/webhooks/endpoints/" + w.hook() + "/deliveries", nil}
		}},
		"POST /v1/webhooks/endpoints/{endpoint_id}/replay": {build: func(w *isoWorld) isoCall {
			return isoCall{"POST", "/v1/webhooks/endpoints/" + w.hook() + "/replay", map[string]any{"since": "2000-01-01T00:00:00Z"}}
		}},
		"GET /v1/events": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/events?organization_id=" + w.o1, nil}
		}},
		"PUT /v1/b2b/rbac/organizations/{organization_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", "/v1/b2b/rbac/organizations/" + w.o1, map[string]any{"org_policy": map[string]any{"roles": []any{
				map[string]any{"role_id": w.uniq("role"), "description": "x", "permissions": []any{
					map[string]any{"resource_id": "stytch.sso", "actions": []string{"get"}}}}}}}}
		}},
	}
	for pattern, r := range lifecycleIsoRoutes() {
		routes[pattern] = r
	}
	return routes
}

// TestTenantIsolationMatrix calls every route of the route table that a
// project secret authenticates on an object of project P1 / organization
// O1: with P2's secret, and with P1's secret plus a member session of
// another organization O2. Each must be refused (404 or 403; 400
// session_authorization_not_supported where sessions are refused) without
// changing the database, or, for routes that name no object, answer
// without any of P1's IDs. A control call with P1's secret then succeeds,
// so the refusal is the tenancy check and not a malformed request. A
// project route the matrix does not know fails the test; public and
// workspace-key routes carry no tenant credentials and are listed.
func TestTenantIsolationMatrix(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e, w := newIsoWorld(t, backend, "iso-idp")
		w.o2Admin = mintSession(e, nil, "iso-two", createMember(e, "iso-two", "admin@two.example", "stytch_admin"))
		w.p2 = e.NewProject("test")
		e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: w.p2,
			Body: map[string]any{"organization_name": "P2 Org", "organization_slug": "iso-one"}}))

		known := isoRoutes()
		seen := map[string]bool{}
		checked := 0
		for _, rt := range httpapi.Routes(e.App.Server) {
			if !rt.ProjectAuth {
				continue // public routes and workspace-key routes name no tenant by credential
			}
			seen[rt.Pattern] = true
			spec, ok := known[rt.Pattern]
			if !ok {
				t.Errorf("route %q is not in the tenant-isolation matrix: add how to call it on an object of P1 (isoRoutes)", rt.Pattern)
				continue
			}
			t.Run(rt.Pattern, func(t *testing.T) {
				w.t = t
				call := spec.build(w)
				do := func(creds *projects.Credentials, headers map[string]string) *apptest.Response {
					return e.Do(apptest.Request{Method: call.method, Path: call.path, Body: call.body, Creds: creds, Header: headers})
				}
				sent, _ := json.Marshal(call.body)
				leaks := func(r *apptest.Response) string {
					for _, id := range w.secret {
						// An ID the caller sent may be echoed in a refusal.
						if strings.Contains(string(r.Raw), id) && !strings.Contains(call.path+string(sent), id) {
							return id
						}
					}
					return ""
				}
				// P2's secret.
				before := dbSnapshot(t, e)
				r := do(w.p2, nil)
				switch {
				case spec.ownScope && r.Status == http.StatusOK:
					if id := leaks(r); id != "" {
						t.Fatalf("P2's answer holds P1's %s: %s", id, r.Raw)
					}
				case r.Status == http.StatusNotFound || r.Status == http.StatusForbidden:
					if after := dbSnapshot(t, e); !sameSnapshot(before, after) {
						t.Fatalf("refused P2 call changed the database")
					}
					if id := leaks(r); id != "" {
						t.Fatalf("P2's refusal holds P1's %s: %s", id, r.Raw)
					}
				default:
					t.Fatalf("with P2's secret: %d %s", r.Status, r.Raw)
				}
				// P1's secret with a member session of O2.
				if rt.Sessions != "ignored" {
					before = dbSnapshot(t, e)
					r = do(nil, sessionHeaders(w.o2Admin.Token, ""))
					wantOK := r.Status == http.StatusNotFound || r.Status == http.StatusForbidden
					if rt.Sessions == "refused" {
						wantOK = r.Status == http.StatusBadRequest && r.ErrorType() == "session_authorization_not_supported"
					}
					if !wantOK && !(spec.ownScope && r.Status == http.StatusOK && rt.Sessions == "domain" && leaks(r) == "") {
						t.Fatalf("with an O2 member session (%s): %d %s", rt.Sessions, r.Status, r.Raw)
					}
					if r.Status != http.StatusOK && !sameSnapshot(before, dbSnapshot(t, e)) {
						t.Fatalf("refused O2-session call changed the database")
					}
				}
				// Control: P1's own secret succeeds on the same call.
				if !spec.noControl {
					e.MustOK(do(nil, nil))
				}
				checked++
			})
		}
		for p := range known {
			if !seen[p] {
				t.Errorf("the matrix describes %q, which is not a project route any more", p)
			}
		}
		t.Logf("%d project routes checked", checked)
	})
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// isoSCIM returns O1's SCIM connection (an organization has at most one),
// creating it when there is none.
func isoSCIM(w *isoWorld) string {
	r := w.e.MustOK(w.e.Call("GET", "/v1/b2b/scim/"+w.o1+"/connection", nil))
	if c := r.Obj("connection"); c != nil {
		return w.keep(c["connection_id"].(string))
	}
	c := w.e.MustOK(w.e.Call("POST", "/v1/b2b/scim/"+w.o1+"/connection", map[string]any{})).Obj("connection")
	return w.keep(c["connection_id"].(string))
}
