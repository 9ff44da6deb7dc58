package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// Member-session headers that switch on RBAC for a management call.
const (
	headerSession    = "X-Stytch-Member-Session"
	headerSessionJWT = "X-Stytch-Member-SessionJWT"
)

// authorize is the one authorization step of every management endpoint that
// accepts member-session headers. Without them the project secret is fully
// privileged; with them the session's member must belong to org and hold a
// role granting action on resource.
func (s *Server) authorize(r *http.Request, org *store.Organization, resource, action string) error {
	token, jwt := r.Header.Get(headerSession), r.Header.Get(headerSessionJWT)
	if token == "" && jwt == "" {
		return nil
	}
	if s.authz == nil {
		return apierr.BadRequest("session_authorization_unavailable", "Member-session authorization is not configured.")
	}
	return s.authz.AuthorizeSession(r.Context(), projectFrom(r.Context()), org, token, jwt, resource, action)
}

// resolveOrg loads the path's organization (ID, slug or external ID).
func (s *Server) resolveOrg(r *http.Request) (*store.Organization, error) {
	return s.orgs.Get(r.Context(), s.store, projectFrom(r.Context()).ID, r.PathValue("organization_id"))
}

// orgFor resolves the path's organization and authorizes the call on it.
func (s *Server) orgFor(r *http.Request, resource, action string) (*store.Organization, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, org, resource, action); err != nil {
		return nil, err
	}
	return org, nil
}

// noMemberSession guards endpoints that do not run with a member's
// permissions (Stytch's SDKs send no session headers to them): a request
// that carries session headers is refused rather than silently run with the
// project secret's full privileges, which a backend forwarding a member's
// session would not expect.
func (s *Server) noMemberSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(headerSession) != "" || r.Header.Get(headerSessionJWT) != "" {
			writeError(w, r, apierr.BadRequest("session_authorization_not_supported",
				"This endpoint does not run with a member's permissions; call it with the project secret only, without X-Stytch-Member-Session headers."))
			return
		}
		next.ServeHTTP(w, r)
	})
}
