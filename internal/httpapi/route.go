package httpapi

import (
	"context"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/rbac"
)

// route is one endpoint, declared once. The mux, the authentication and
// member-session authorization step (guard), GET /openapi.json and the
// route-driven tests (the RBAC matrix) all read this declaration, so a route
// is documented, authorized and tested by being declared.
type route struct {
	pattern string // "METHOD /path/{param}"
	auth    authMode
	access  access
	summary string
	// in is the JSON request body's type (a zero value), a formBody for an
	// HTML form post, nil when the route takes no body; out is the 200
	// response: a JSON body type, or a nonJSON description for redirects,
	// pages and documents.
	in, out any
	// limit is the route's abuse-limit class (limits.go); every public
	// route declares one.
	limit limitClass
	// errs are the route's own errors (fails), those of its domain; the
	// errors of its class (authentication, body, limits) are derived
	// (route_errors.go). OpenAPI lists both per status as the only
	// error_type values the operation answers.
	errs    []errDecl
	handler http.Handler
}

// authMode is how a caller authenticates.
type authMode int

const (
	// authNone: public. Probes, the JWKS, and browser endpoints (the start
	// endpoint checks the public token in its query itself).
	authNone authMode = iota
	// authProject: HTTP Basic project_id:secret.
	authProject
	// authWorkspace: HTTP Basic with a workspace management key (project
	// administration, /pwa/v3/...). Member sessions carry no authority there.
	authWorkspace
	// authSetupLink: the setup link's secret in the path ({setup_token});
	// it reaches only the link's organization (setup_page.go).
	authSetupLink
	// authSCIM: a SCIM connection's bearer token (Authorization: Bearer),
	// for the SCIM service provider at the connection's base URL; errors are
	// RFC 7644 error responses.
	authSCIM
)

// sessionRule is what member-session headers (X-Stytch-Member-Session,
// X-Stytch-Member-SessionJWT) do on a project route.
type sessionRule int

const (
	// sessionsRefused: the endpoint does not run with a member's
	// permissions; a request carrying session headers is refused (400
	// session_authorization_not_supported) rather than silently run with the
	// project secret's full privileges.
	sessionsRefused sessionRule = iota
	// sessionsRoute: the path's organization is resolved before the handler
	// and the session must belong to it and hold access.action on
	// access.resource (Stytch's RBAC); the handler reads the organization
	// with pathOrg.
	sessionsRoute
	// sessionsDomain: the permission depends on the body or the target
	// member (e.g. updating one's own member, or trusted_metadata); the
	// domain checks it. access names the resource and the base action.
	sessionsDomain
	// sessionsIgnored: session headers carry no authority here (Stytch does
	// not RBAC-enforce the endpoint, e.g. sso.authenticate, whose body may
	// name a session to extend).
	sessionsIgnored
)

// access is a route's member-session authorization declaration.
type access struct {
	rule     sessionRule
	resource string
	action   string
}

// rbacRoute: sessions are authorized at the route for action on resource.
func rbacRoute(resource, action string) access {
	return access{rule: sessionsRoute, resource: resource, action: action}
}

// rbacDomain: sessions are authorized by the domain; resource and action
// are the base permission, for documentation and the RBAC matrix.
func rbacDomain(resource, action string) access {
	return access{rule: sessionsDomain, resource: resource, action: action}
}

// noSessions: member-session headers are refused.
func noSessions() access { return access{rule: sessionsRefused} }

// ignoresSessions: member-session headers carry no authority.
func ignoresSessions() access { return access{rule: sessionsIgnored} }

// formBody declares a request body that is an HTML form post
// (application/x-www-form-urlencoded), not JSON: the SAML ACS.
type formBody struct {
	fields []string // the fields the handler reads
}

// bodyKind is what a route accepts as its request body.
type bodyKind int

const (
	// noBody routes read no body; one sent anyway is ignored.
	noBody bodyKind = iota
	// jsonBody routes read a JSON object (their in type). A body must be
	// sent as application/json; an empty body is {}.
	jsonBody
	// formBodyKind routes read an HTML form post.
	formBodyKind
	// scimBodyKind routes read a SCIM resource or PatchOp message sent as
	// application/scim+json (or application/json).
	scimBodyKind
)

// body is the kind of request body the route declares with in.
func (rt route) body() bodyKind {
	switch rt.in.(type) {
	case nil:
		return noBody
	case formBody:
		return formBodyKind
	case scimResource:
		return scimBodyKind
	}
	return jsonBody
}

// nonJSON describes a response that is not a JSON object: a redirect, an
// HTML page, a document.
type nonJSON struct {
	status      int
	mediaType   string // "" for a redirect without a body
	description string
}

// redirectJSON is a redirect (302 with Location) whose body is a JSON
// object too, as Stytch documents for the start endpoint.
type redirectJSON struct {
	body any
}

// guard wraps a route's handler in what its declaration asks for: project
// authentication, and the member-session rule.
func (s *Server) guard(rt route) http.Handler {
	h := s.limitedProject(rt, rt.handler)
	if rt.auth == authWorkspace {
		return s.requireWorkspaceKey(h)
	}
	if rt.auth == authSetupLink {
		return s.requireSetupLink(h)
	}
	if rt.auth == authSCIM {
		return h // the SCIM handler authenticates the bearer token itself (scimHandler)
	}
	if rt.auth != authProject {
		return h
	}
	switch rt.access.rule {
	case sessionsRefused:
		h = refuseSessions(h)
	case sessionsRoute:
		h = s.authorizeRoute(rt.access, h)
	}
	return s.requireProject(h)
}

func hasSessionHeaders(r *http.Request) bool {
	return r.Header.Get(headerSession) != "" || r.Header.Get(headerSessionJWT) != ""
}

func refuseSessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasSessionHeaders(r) {
			writeError(w, r, apierr.BadRequest("session_authorization_not_supported",
				"This endpoint does not run with a member's permissions; call it with the project secret only, without X-Stytch-Member-Session headers."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorizeRoute resolves the path's organization (ID, slug or external
// ID), authorizes a member session on it, and hands it to the handler.
func (s *Server) authorizeRoute(a access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.resolveOrg(r)
		if err == nil {
			logctx.Note(r.Context(), logctx.What{OrganizationID: org.ID})
			err = s.authorize(r, org, a.resource, a.action)
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyOrg, org)))
	})
}

// RBAC resources of the routes.
const (
	resourceSSO          = rbac.ResourceSSO
	resourceOrganization = rbac.ResourceOrganization
	resourceMember       = rbac.ResourceMember
	resourceSCIM         = rbac.ResourceSCIM
)
