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
