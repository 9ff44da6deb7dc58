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

func (s *Server) rbacPolicy(r *http.Request) (int, any, error) {
	return http.StatusOK, policyResponse{Policy: s.policy}, nil
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

// orgUpdateActions lists the stytch.organization actions an organization
// update needs when a member session makes it (Stytch's
// B2BOrganizationsUpdateRequest documentation). Fields Stytch documents no
// action for need every action ("*": a role with the wildcard on the
// resource).
func orgUpdateActions(f organizations.Fields) []string {
	var out []string
	add := func(set bool, action string) {
		if set {
			out = append(out, action)
		}
	}
	add(f.OrganizationName.Set, "update.info.name")
	add(f.OrganizationSlug.Set, "update.info.slug")
	add(f.OrganizationLogoURL.Set, "update.info.logo-url")
	add(f.SSODefaultConnectionID.Set, "update.settings.default-sso-connection")
	add(f.SSOJITProvisioning.Set || f.SSOJITProvisioningAllowedConnections.Set, "update.settings.sso-jit-provisioning")
	add(f.EmailAllowedDomains.Set, "update.settings.allowed-domains")
	add(f.EmailJITProvisioning.Set, "update.settings.email-jit-provisioning")
	add(f.EmailInvites.Set, "update.settings.email-invites")
	add(f.AuthMethods.Set || f.AllowedAuthMethods.Set, "update.settings.allowed-auth-methods")
	add(f.MFAPolicy.Set, "update.settings.mfa-policy")
	add(f.RBACEmailImplicitRoleAssignments.Set, "update.settings.implicit-roles")
	add(f.MFAMethods.Set || f.AllowedMFAMethods.Set, "update.settings.allowed-mfa-methods")
	add(f.OAuthTenantJITProvisioning.Set, "update.settings.oauth-tenant-jit-provisioning")
	add(f.AllowedOAuthTenants.Set, "update.settings.allowed-oauth-tenants")
	add(f.OrganizationExternalID.Set || f.ClaimedEmailDomains.Set || f.FirstPartyConnectedAppsAllowedType.Set ||
		f.AllowedFirstPartyConnectedApps.Set || f.ThirdPartyConnectedAppsAllowedType.Set || f.AllowedThirdPartyConnectedApps.Set,
		rbac.Wildcard)
	return out
}

// orgAuthorizer returns the authorization callback of an organization
// update or delete: nil without session headers; else the session must
// belong to the organization and hold every action.
func (s *Server) orgAuthorizer(r *http.Request, trustedMetadata bool, actions []string) (func(o *store.Organization) error, error) {
	sub, err := s.sessionSubject(r)
	if err != nil || sub == nil {
		return nil, err
	}
	return func(o *store.Organization) error {
		if sub.Org.ID != o.ID {
			return rbac.TenancyError(sub.Org.ID, o.ID)
		}
		if trustedMetadata {
			return apierr.Unauthorized("cannot_update_trusted_metadata",
				"trusted_metadata cannot be updated with a member session; call without session headers.")
		}
		for _, a := range actions {
			if _, err := s.sessions.Check(sub, o, rbac.ResourceOrganization, a); err != nil {
				return err
			}
		}
		return nil
	}, nil
}
