package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

func (s *Server) rbacRoutes() []route {
	const org = "/v1/b2b/rbac/organizations/{organization_id}"
	return []route{
		{pattern: "GET /v1/b2b/rbac/policy", auth: authProject, access: noSessions(), summary: "The project's RBAC policy.",
			out: policyResponse{}, handler: apiFunc(s.rbacPolicy)},
		{pattern: "GET " + org, auth: authProject, access: noSessions(), summary: "An organization's custom roles.",
			out: orgPolicyResponse{}, handler: apiFunc(s.getOrgPolicy)},
		{pattern: "PUT " + org, auth: authProject, access: noSessions(), summary: "Replace an organization's custom roles.",
			in: orgPolicyBody{}, out: orgPolicyResponse{}, handler: apiFunc(s.setOrgPolicy)},
	}
}

type orgPolicyBody struct {
	OrgPolicy *orgPolicy `json:"org_policy"`
}

type policyResponse struct {
	Policy rbac.Policy `json:"policy"`
}

// rbacPolicy answers the policy of the calling project: its own when it
// set one over PWA, else the deployment's. The project row the request
// authenticated with carries it.
func (s *Server) rbacPolicy(r *http.Request) (int, any, error) {
	p, err := s.policies.Of(projectFrom(r.Context()).RBACPolicy)
	if err != nil {
		return 0, nil, apierr.Internal(err)
	}
	return http.StatusOK, policyResponse{Policy: p}, nil
}

// orgPolicy is Stytch's org_policy object.
type orgPolicy struct {
	Roles []rbac.Role `json:"roles"`
}

type orgPolicyResponse struct {
	OrgPolicy orgPolicy `json:"org_policy"`
}

func orgPolicyOf(o *store.Organization) orgPolicyResponse {
	roles := organizations.CustomRoles(o)
	if roles == nil {
		roles = []rbac.Role{}
	}
	return orgPolicyResponse{OrgPolicy: orgPolicy{Roles: roles}}
}

func (s *Server) getOrgPolicy(r *http.Request) (int, any, error) {
	o, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, orgPolicyOf(o), nil
}

func (s *Server) setOrgPolicy(r *http.Request) (int, any, error) {
	var b orgPolicyBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	if b.OrgPolicy == nil {
		return 0, nil, apierr.BadRequest("invalid_argument", "org_policy is required.")
	}
	o, err := s.members.SetOrgRoles(r.Context(), projectFrom(r.Context()).ID, r.PathValue("organization_id"), b.OrgPolicy.Roles)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, orgPolicyOf(o), nil
}
