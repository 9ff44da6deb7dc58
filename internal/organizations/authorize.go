package organizations

import (
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// updateActions lists the stytch.organization actions an organization
// update needs when a member session makes it (Stytch's
// B2BOrganizationsUpdateRequest documentation). Fields Stytch documents no
// action for need every action ("*": a role with the wildcard on the
// resource).
func updateActions(f Fields) []string {
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

// authorizeUpdate is what a member session may change on o: the tenancy
// rule first, never trusted_metadata, and every action the fields need.
func (s *Service) authorizeUpdate(pr rbac.Principal, o *store.Organization, f Fields) error {
	if err := pr.Require(o.ID, ""); err != nil {
		return err
	}
	if err := pr.RefuseTrustedMetadata(f.TrustedMetadata.Set); err != nil {
		return err
	}
	for _, a := range updateActions(f) {
		if err := pr.Require(o.ID, "", rbac.Need{Resource: rbac.ResourceOrganization, Action: a}); err != nil {
			return err
		}
	}
	return nil
}
