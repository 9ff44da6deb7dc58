package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/httpapi"
	"github.com/seamsso/seam/internal/projects"
)

// matrixFixture is the world the RBAC matrix runs in: organization "acme"
// (the path organization of every call) with an admin, a member without
// roles and a member whose only role is an organization role granting
// stytch.sso get; organization "other" with its own admin; and a second
// project with an admin session.
type matrixFixture struct {
	t           *testing.T
	e           *apptest.Env
	certPEM     string // an IdP certificate to upload
	keyPEM      string // a PKCS#1 key to upload as an encryption key
	metadataURL string // IdP metadata served over TLS to the guarded client

	admin, admin2, plain, reader, otherOrgAdmin, foreignProject minted
	expired, revoked                                            minted
}

// matrixEndpoint describes how to call one route whose member sessions are
// authorized at the route (the action it needs comes from the route table's
// declaration): build makes a request that succeeds when authorized, and
// creates whatever the request acts on.
type matrixEndpoint struct {
	build func(f *matrixFixture) (method, path string, body any)
	// consumes is set when a successful call uses its target up (deletes,
	// creates that must not repeat), so every success needs a fresh build.
	consumes bool
}

const (
	samlConnPattern = "/v1/b2b/sso/saml/{organization_id}/connections/{connection_id}"
	oidcConnPattern = "/v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}"
)

func matrixEndpoints() map[string]matrixEndpoint {
	saml := func(f *matrixFixture) string { return createSAML(f.e, "acme")["connection_id"].(string) }
	oidc := func(f *matrixFixture) string { return createOIDC(f.e, "acme")["connection_id"].(string) }
	external := func(f *matrixFixture) string {
		src := activeOIDC(f.e, "other")
		return f.e.MustOK(f.e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"external_organization_id": "other", "external_connection_id": src, "display_name": "Other SSO",
		})).Obj("connection")["connection_id"].(string)
	}
	return map[string]matrixEndpoint{
		"GET /v1/b2b/sso/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			return "GET", "/v1/b2b/sso/acme", nil
		}, false},
		// Any kind can be deleted here; OIDC connections are the cheapest to make.
		"DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}": {func(f *matrixFixture) (string, string, any) {
			return "DELETE", "/v1/b2b/sso/acme/connections/" + oidc(f), nil
		}, true},
		"POST /v1/b2b/sso/saml/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			return "POST", "/v1/b2b/sso/saml/acme", map[string]any{"display_name": "Matrix", "identity_provider": "generic"}
		}, false},
		"PUT " + samlConnPattern: {func(f *matrixFixture) (string, string, any) {
			return "PUT", samlPath("acme", saml(f)), map[string]any{"display_name": "Renamed"}
		}, false},
		"PUT " + samlConnPattern + "/url": {func(f *matrixFixture) (string, string, any) {
			return "PUT", samlPath("acme", saml(f)) + "/url", map[string]any{"metadata_url": f.metadataURL}
		}, false},
		"DELETE " + samlConnPattern + "/verification_certificates/{certificate_id}": {func(f *matrixFixture) (string, string, any) {
			id := saml(f)
			c := f.e.MustOK(f.e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": f.certPEM})).Obj("connection")
			cert := c["verification_certificates"].([]any)[0].(map[string]any)["certificate_id"].(string)
			return "DELETE", samlPath("acme", id) + "/verification_certificates/" + cert, nil
		}, true},
		"DELETE " + samlConnPattern + "/encryption_private_keys/{private_key_id}": {func(f *matrixFixture) (string, string, any) {
			id := saml(f)
			c := f.e.MustOK(f.e.Call("PUT", samlPath("acme", id), map[string]any{"saml_encryption_private_key": f.keyPEM})).Obj("connection")
			key := c["encryption_private_keys"].([]any)[0].(map[string]any)["private_key_id"].(string)
			return "DELETE", samlPath("acme", id) + "/encryption_private_keys/" + key, nil
		}, true},
		"POST /v1/b2b/sso/setup_links/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			return "POST", "/v1/b2b/sso/setup_links/acme", map[string]any{"expires_in_minutes": 60}
		}, false},
		"GET /v1/b2b/sso/setup_links/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			return "GET", "/v1/b2b/sso/setup_links/acme", nil
		}, false},
		"DELETE /v1/b2b/sso/setup_links/{organization_id}/links/{setup_link_id}": {func(f *matrixFixture) (string, string, any) {
			id := f.e.MustOK(f.e.Call("POST", "/v1/b2b/sso/setup_links/acme", map[string]any{})).Str("setup_link_id")
			return "DELETE", "/v1/b2b/sso/setup_links/acme/links/" + id, nil
		}, true},
		"GET " + samlConnPattern + "/metadata": {func(f *matrixFixture) (string, string, any) {
			return "GET", samlPath("acme", saml(f)) + "/metadata", nil
		}, false},
		"GET " + samlConnPattern + "/logins": {func(f *matrixFixture) (string, string, any) {
			return "GET", samlPath("acme", saml(f)) + "/logins", nil
		}, false},
		"GET " + samlConnPattern + "/metadata_refreshes": {func(f *matrixFixture) (string, string, any) {
			return "GET", samlPath("acme", saml(f)) + "/metadata_refreshes", nil
		}, false},
		"POST " + samlConnPattern + "/signing_certificates": {func(f *matrixFixture) (string, string, any) {
			return "POST", samlPath("acme", saml(f)) + "/signing_certificates", nil
		}, false},
		"POST " + samlConnPattern + "/signing_certificates/{certificate_id}/activate": {func(f *matrixFixture) (string, string, any) {
			p := samlPath("acme", saml(f))
			c := f.e.MustOK(f.e.Call("POST", p+"/signing_certificates", nil)).Obj("connection")
			return "POST", p + "/signing_certificates/" + c["signing_certificates"].([]any)[1].(map[string]any)["certificate_id"].(string) + "/activate", nil
		}, false},
		"DELETE " + samlConnPattern + "/signing_certificates/{certificate_id}": {func(f *matrixFixture) (string, string, any) {
			p := samlPath("acme", saml(f))
			c := f.e.MustOK(f.e.Call("POST", p+"/signing_certificates", nil)).Obj("connection")
			return "DELETE", p + "/signing_certificates/" + c["signing_certificates"].([]any)[1].(map[string]any)["certificate_id"].(string), nil
		}, true},
		"POST " + samlConnPattern + "/metadata_refreshes": {func(f *matrixFixture) (string, string, any) {
			p := samlPath("acme", saml(f))
			f.e.MustOK(f.e.Call("PUT", p+"/url", map[string]any{"metadata_url": f.metadataURL}))
			return "POST", p + "/metadata_refreshes", nil
		}, false},
		"POST /v1/b2b/sso/oidc/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			return "POST", "/v1/b2b/sso/oidc/acme", map[string]any{"display_name": "Matrix OIDC"}
		}, false},
		"PUT " + oidcConnPattern: {func(f *matrixFixture) (string, string, any) {
			return "PUT", oidcPath("acme", oidc(f)), map[string]any{"display_name": "Renamed"}
		}, false},
		"GET " + oidcConnPattern + "/logins": {func(f *matrixFixture) (string, string, any) {
			return "GET", oidcPath("acme", oidc(f)) + "/logins", nil
		}, false},
		"POST /v1/b2b/sso/external/{organization_id}": {func(f *matrixFixture) (string, string, any) {
			src := activeOIDC(f.e, "other")
			return "POST", "/v1/b2b/sso/external/acme", map[string]any{
				"external_organization_id": "other", "external_connection_id": src, "display_name": "Matrix External",
			}
		}, true}, // one External connection per source and organization
		"PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}": {func(f *matrixFixture) (string, string, any) {
			return "PUT", "/v1/b2b/sso/external/acme/connections/" + external(f), map[string]any{"display_name": "Renamed"}
		}, false},
		"GET /v1/b2b/sso/external/{organization_id}/connections/{connection_id}/logins": {func(f *matrixFixture) (string, string, any) {
			return "GET", "/v1/b2b/sso/external/acme/connections/" + external(f) + "/logins", nil
		}, false},
		"POST " + scimPattern: {func(f *matrixFixture) (string, string, any) {
			f.e.MustOK(f.e.Call("DELETE", "/v1/b2b/scim/acme/connection/"+matrixSCIM(f), nil))
			return "POST", "/v1/b2b/scim/acme/connection", map[string]any{"display_name": "Matrix SCIM"}
		}, true}, // one SCIM connection per organization
		"GET " + scimPattern: {func(f *matrixFixture) (string, string, any) {
			matrixSCIM(f)
			return "GET", "/v1/b2b/scim/acme/connection", nil
		}, false},
		"PUT " + scimPattern + "/{connection_id}": {func(f *matrixFixture) (string, string, any) {
			return "PUT", "/v1/b2b/scim/acme/connection/" + matrixSCIM(f), map[string]any{"display_name": "Renamed"}
		}, false},
		"DELETE " + scimPattern + "/{connection_id}": {func(f *matrixFixture) (string, string, any) {
			return "DELETE", "/v1/b2b/scim/acme/connection/" + matrixSCIM(f), nil
		}, true},
		"GET " + scimPattern + "/{connection_id}": {func(f *matrixFixture) (string, string, any) {
			return "GET", "/v1/b2b/scim/acme/connection/" + matrixSCIM(f), nil
		}, false},
		"POST " + scimPattern + "/{connection_id}/rotate/start": {func(f *matrixFixture) (string, string, any) {
			return "POST", "/v1/b2b/scim/acme/connection/" + matrixSCIM(f) + "/rotate/start", nil
		}, false},
		"POST " + scimPattern + "/{connection_id}/rotate/complete": {func(f *matrixFixture) (string, string, any) {
			id := matrixSCIM(f)
			f.e.MustOK(f.e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/start", nil))
			return "POST", "/v1/b2b/scim/acme/connection/" + id + "/rotate/complete", nil
		}, true},
		"POST " + scimPattern + "/{connection_id}/rotate/cancel": {func(f *matrixFixture) (string, string, any) {
			id := matrixSCIM(f)
			f.e.MustOK(f.e.Call("POST", "/v1/b2b/scim/acme/connection/"+id+"/rotate/start", nil))
			return "POST", "/v1/b2b/scim/acme/connection/" + id + "/rotate/cancel", nil
		}, true},
	}
}

const scimPattern = "/v1/b2b/scim/{organization_id}/connection"

// matrixSCIM returns acme's SCIM connection, creating it when there is none.
func matrixSCIM(f *matrixFixture) string {
	if c := f.e.MustOK(f.e.Call("GET", "/v1/b2b/scim/acme/connection", nil)).Obj("connection"); c != nil {
		return c["connection_id"].(string)
	}
	return f.e.MustOK(f.e.Call("POST", "/v1/b2b/scim/acme/connection", map[string]any{})).Obj("connection")["connection_id"].(string)
}

// matrixPrincipal is one row of the matrix: the headers sent, and the
// expected outcome for an endpoint needing action.
type matrixPrincipal struct {
	name    string
	headers func(f *matrixFixture) map[string]string
	want    func(action string) (status int, errorType string)
}

func allowed(string) (int, string) { return http.StatusOK, "" }

func refused(status int, errorType string) func(string) (int, string) {
	return func(string) (int, string) { return status, errorType }
}

func matrixPrincipals() []matrixPrincipal {
	tok := func(pick func(f *matrixFixture) minted) func(f *matrixFixture) map[string]string {
		return func(f *matrixFixture) map[string]string { return sessionHeaders(pick(f).Token, "") }
	}
	jwt := func(pick func(f *matrixFixture) minted) func(f *matrixFixture) map[string]string {
		return func(f *matrixFixture) map[string]string { return sessionHeaders("", pick(f).JWT) }
	}
	return []matrixPrincipal{
		{"no session headers", func(*matrixFixture) map[string]string { return nil }, allowed},
		{"admin of the organization (token)", tok(func(f *matrixFixture) minted { return f.admin }), allowed},
		{"admin of the organization (JWT)", jwt(func(f *matrixFixture) minted { return f.admin }), allowed},
		{"admin of the organization (token and JWT of one session)", func(f *matrixFixture) map[string]string {
			return sessionHeaders(f.admin.Token, f.admin.JWT)
		}, allowed},
		{"member without permission", tok(func(f *matrixFixture) minted { return f.plain }), refused(403, "session_authorization_error")},
		{"admin of another organization", tok(func(f *matrixFixture) minted { return f.otherOrgAdmin }), refused(403, "session_authorization_tenancy_error")},
		{"admin of another organization (JWT)", jwt(func(f *matrixFixture) minted { return f.otherOrgAdmin }), refused(403, "session_authorization_tenancy_error")},
		{"custom organization role with only stytch.sso and stytch.scim get", tok(func(f *matrixFixture) minted { return f.reader }), func(action string) (int, string) {
			if action == "get" {
				return http.StatusOK, ""
			}
			return 403, "session_authorization_error"
		}},
		{"expired session (token)", tok(func(f *matrixFixture) minted { return f.expired }), refused(404, "session_not_found")},
		{"expired session (JWT)", jwt(func(f *matrixFixture) minted { return f.expired }), refused(404, "session_not_found")},
		{"revoked session (token)", tok(func(f *matrixFixture) minted { return f.revoked }), refused(404, "session_not_found")},
		{"revoked session (JWT)", jwt(func(f *matrixFixture) minted { return f.revoked }), refused(404, "session_not_found")},
		{"forged JWT (payload changed)", func(f *matrixFixture) map[string]string {
			return sessionHeaders("", tamperJWT(f.t, f.plain.JWT, func(c map[string]any) {
				c["https://stytch.com/session"].(map[string]any)["roles"] = []string{"stytch_member", "stytch_admin"}
			}))
		}, refused(401, "unable_to_parse_session_jwt")},
		{"forged JWT (alg none)", func(f *matrixFixture) map[string]string {
			return sessionHeaders("", unsignedJWT(f.t, f.admin.JWT))
		}, refused(401, "unable_to_parse_session_jwt")},
		{"JWT of another project", jwt(func(f *matrixFixture) minted { return f.foreignProject }), refused(401, "jwt_invalid_audience")},
		{"token and JWT of different sessions", func(f *matrixFixture) map[string]string {
			return sessionHeaders(f.admin.Token, f.admin2.JWT)
		}, refused(400, "too_many_session_arguments")},
	}
}

// TestRBACMatrix runs every route of the route table whose member sessions
// are authorized at the route (declared with rbacRoute) against every
// principal, on both stores, and checks that refused calls change nothing.
// The action each principal is judged against is the route's declared one.
func TestRBACMatrix(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newMatrixFixture(t, backend)
		endpoints := matrixEndpoints()

		var patterns []string
		seen := map[string]bool{}
		actions := map[string]string{}
		declared := map[string]map[int][]string{}
		for _, rt := range httpapi.Routes(f.e.App.Server) {
			declared[rt.Pattern] = rt.Errors
			if rt.Sessions != "route" {
				continue
			}
			seen[rt.Pattern] = true
			if rt.Resource != "stytch.sso" && rt.Resource != "stytch.scim" {
				t.Errorf("route %q authorizes %s at the route: the matrix's principals hold stytch.sso and stytch.scim roles; extend them", rt.Pattern, rt.Resource)
				continue
			}
			if _, ok := endpoints[rt.Pattern]; !ok {
				t.Errorf("route %q is not in the RBAC matrix: add a matrixEndpoints row (a request that succeeds when authorized)", rt.Pattern)
				continue
			}
			actions[rt.Pattern] = rt.Action
			patterns = append(patterns, rt.Pattern)
		}
		for p := range endpoints {
			if !seen[p] {
				t.Errorf("matrix row %q matches no route", p)
			}
		}
		sort.Strings(patterns)
		principals := matrixPrincipals()
		for _, pattern := range patterns {
			ep := endpoints[pattern]
			t.Run(pattern, func(t *testing.T) {
				method, path, body := ep.build(f)
				for _, pr := range principals {
					status, errType := pr.want(actions[pattern])
					if status == http.StatusOK {
						m, p, b := method, path, body
						if ep.consumes {
							m, p, b = ep.build(f)
						}
						r := f.e.Do(apptest.Request{Method: m, Path: p, Body: b, Header: pr.headers(f)})
						if r.Status != http.StatusOK {
							t.Errorf("%s: got %d %s, want 200", pr.name, r.Status, r.Raw)
						}
						continue
					}
					before := f.snapshot()
					r := f.e.Do(apptest.Request{Method: method, Path: path, Body: body, Header: pr.headers(f)})
					if r.Status != status || r.ErrorType() != errType {
						t.Errorf("%s: got %d %q, want %d %q (%s)", pr.name, r.Status, r.ErrorType(), status, errType, r.Raw)
						continue
					}
					if !slices.Contains(declared[pattern][status], errType) {
						t.Errorf("%s: %d %s is not among the route's declared errors (route_errors*.go)", pr.name, status, errType)
					}
					if r.Str("error_message") == "" || !strings.HasPrefix(r.Str("request_id"), "request-id-") {
						t.Errorf("%s: malformed error envelope %s", pr.name, r.Raw)
					}
					if after := f.snapshot(); after != before {
						t.Errorf("%s: a refused call changed state:\nbefore %s\nafter  %s", pr.name, before, after)
					}
				}
			})
		}
	})
}

func newMatrixFixture(t *testing.T, backend string) *matrixFixture {
	t.Helper()
	certPEM, keyPEM := testCert(t, "matrix-idp")
	f := &matrixFixture{t: t, certPEM: certPEM, keyPEM: keyPEM}
	md, trust := idpMetadataServer(t, certPEM)
	f.metadataURL = md
	f.e = apptest.New(t, backend, trust)
	e := f.e
	e.CreateOrg("Acme", "acme")
	e.CreateOrg("Other", "other")
	e.MustOK(e.Call("PUT", "/v1/b2b/rbac/organizations/acme", map[string]any{"org_policy": map[string]any{"roles": []any{
		map[string]any{"role_id": "sso-reader", "description": "Reads SSO settings",
			"permissions": []any{map[string]any{"resource_id": "stytch.sso", "actions": []string{"get"}},
				map[string]any{"resource_id": "stytch.scim", "actions": []string{"get"}}}},
	}}}))
	admin := createMember(e, "acme", "admin@acme.example", "stytch_admin")
	admin2 := createMember(e, "acme", "admin2@acme.example", "stytch_admin")
	plain := createMember(e, "acme", "plain@acme.example")
	reader := createMember(e, "acme", "reader@acme.example", "sso-reader")
	otherAdmin := createMember(e, "other", "admin@other.example", "stytch_admin")
	f.admin = mintSession(e, nil, "acme", admin)
	f.admin2 = mintSession(e, nil, "acme", admin2)
	f.plain = mintSession(e, nil, "acme", plain)
	f.reader = mintSession(e, nil, "acme", reader)
	f.otherOrgAdmin = mintSession(e, nil, "other", otherAdmin)

	// An admin session that expired an hour ago.
	e.Clock.Advance(-2 * time.Hour)
	f.expired = mintSession(e, nil, "acme", admin)
	e.Clock.Advance(2 * time.Hour)
	f.revoked = mintSession(e, nil, "acme", admin)
	e.MustOK(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{"member_session_id": f.revoked.ID}))

	// An admin of an organization with the same slug in another project.
	creds := e.NewProject("test")
	e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: creds,
		Body: map[string]any{"organization_name": "Acme B", "organization_slug": "acme"}}))
	foreign := createMemberAs(e, creds, "acme", "admin@b.example", "stytch_admin")
	f.foreignProject = mintSession(e, creds, "acme", foreign)
	return f
}

func createMemberAs(e *apptest.Env, creds *projects.Credentials, org, email string, roles ...string) string {
	e.T.Helper()
	r := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations/" + org + "/members", Creds: creds,
		Body: map[string]any{"email_address": email, "roles": roles}}))
	return r.Str("member_id")
}

// snapshot is everything a refused SSO call could have changed.
func (f *matrixFixture) snapshot() string {
	f.t.Helper()
	var parts []string
	for _, p := range []string{"/v1/b2b/sso/acme", "/v1/b2b/sso/other", "/v1/b2b/organizations/acme", "/v1/b2b/organizations/other",
		"/v1/b2b/scim/acme/connection"} {
		parts = append(parts, stripRequestID(f.e.MustOK(f.e.Call("GET", p, nil)).Raw))
	}
	return strings.Join(parts, "\n")
}

// idpMetadataServer serves SAML IdP metadata over TLS and returns its URL
// and the option that lets the guarded outbound client reach and trust it.
func idpMetadataServer(t *testing.T, certPEM string) (string, apptest.Option) {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	doc := `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/matrix">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>` + base64.StdEncoding.EncodeToString(block.Bytes) + `</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/matrix/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write([]byte(doc))
	}))
	t.Cleanup(srv.Close)
	file := filepath.Join(t.TempDir(), "idp-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/metadata", func(c *config.Config) {
		c.OutboundAllow = "127.0.0.0/8"
		c.OutboundCAFile = file
	}
}

// tamperJWT rewrites a JWT's payload and keeps the original signature.
func tamperJWT(t *testing.T, tok string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	claims := jwtPayload(t, tok)
	edit(claims)
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// unsignedJWT re-issues a JWT's payload with "alg":"none" and no signature.
func unsignedJWT(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	if slices.Contains([]string{parts[0]}, h) {
		t.Fatal("token was already unsigned")
	}
	return h + "." + parts[1] + "."
}

// TestRoutesRefusingSessions: every project route declared to refuse member
// sessions (the default of the route table) answers 400
// session_authorization_not_supported to session headers, before any work,
// whatever the path names.
func TestRoutesRefusingSessions(t *testing.T) {
	e := apptest.New(t, "sqlite")
	n := 0
	for _, rt := range httpapi.Routes(e.App.Server) {
		if !rt.ProjectAuth || rt.Sessions != "refused" {
			continue
		}
		n++
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.NewReplacer("{organization_id}", "organization-test-00000000-0000-4000-8000-000000000000",
			"{member_id}", "member-test-00000000-0000-4000-8000-000000000000").Replace(path)
		r := e.Do(apptest.Request{Method: method, Path: path, Body: map[string]any{}, Header: sessionHeaders("any-token", "")})
		if r.Status != http.StatusBadRequest || r.ErrorType() != "session_authorization_not_supported" {
			t.Errorf("%s with session headers: %d %s", rt.Pattern, r.Status, r.Raw)
		}
	}
	if n == 0 {
		t.Fatal("no route refuses member sessions: the route table was not read")
	}
}
