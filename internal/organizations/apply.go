package organizations

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/custommeta"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

// apply validates every present field and copies it into o. It does not
// write; the caller stores o only when apply succeeds.
func (s *Service) apply(ctx context.Context, q store.Queries, o *store.Organization, f Fields, h Hooks) error {
	if f.OrganizationName.Set {
		if err := validateName(f.OrganizationName.V); err != nil {
			return err
		}
		o.Name = f.OrganizationName.V
	}
	if f.OrganizationSlug.Set {
		if err := validateSlug(f.OrganizationSlug.V); err != nil {
			return err
		}
		o.Slug = f.OrganizationSlug.V
	}
	if f.OrganizationLogoURL.Set {
		if err := validateLogoURL(f.OrganizationLogoURL.V); err != nil {
			return err
		}
		o.LogoURL = f.OrganizationLogoURL.V
	}
	if f.OrganizationExternalID.Set {
		if err := validateExternalID(f.OrganizationExternalID.V); err != nil {
			return err
		}
		o.ExternalID = f.OrganizationExternalID.V
	}
	if f.TrustedMetadata.Has() {
		tm, err := custommeta.Merge("trusted_metadata", o.TrustedMetadata, f.TrustedMetadata.V)
		if err != nil {
			return err
		}
		o.TrustedMetadata = tm
	}
	if f.SSOJITProvisioning.Set {
		if err := validateEnum("sso_jit_provisioning", f.SSOJITProvisioning.V, "ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"); err != nil {
			return err
		}
		o.SSOJITProvisioning = f.SSOJITProvisioning.V
	}
	if f.SSODefaultConnectionID.Set && f.SSODefaultConnectionID.V != "" {
		if err := checkConnection(ctx, q, h, o, f.SSODefaultConnectionID.V, "invalid_sso_default_connection_id"); err != nil {
			return err
		}
	}
	f.SSODefaultConnectionID.Apply(&o.SSODefaultConnectionID)

	st := decodeSettings(o.Settings)
	if err := s.applySettings(ctx, q, o, &st, f, h); err != nil {
		return err
	}
	o.Settings = mustJSON(st)
	return nil
}

func (s *Service) applySettings(ctx context.Context, q store.Queries, o *store.Organization, st *settings, f Fields, h Hooks) error {
	if f.SSOJITProvisioningAllowedConnections.Set {
		// Deduplicated before the per-connection lookups, which run under the
		// organization's row lock.
		ids, err := validateIDList("sso_jit_provisioning_allowed_connections", f.SSOJITProvisioningAllowedConnections.V)
		if err != nil {
			return err
		}
		f.SSOJITProvisioningAllowedConnections.V = ids
		for _, c := range ids {
			if err := checkConnection(ctx, q, h, o, c, "invalid_connection_for_jit_provisioning"); err != nil {
				return err
			}
		}
		st.SSOJITProvisioningAllowedConnections = f.SSOJITProvisioningAllowedConnections.V
	}
	if f.EmailAllowedDomains.Set {
		d, err := validateDomains("email_allowed_domains", f.EmailAllowedDomains.V)
		if err != nil {
			return err
		}
		st.EmailAllowedDomains = d
	}
	if f.ClaimedEmailDomains.Set {
		d, err := validateDomains("claimed_email_domains", f.ClaimedEmailDomains.V)
		if err != nil {
			return err
		}
		st.ClaimedEmailDomains = d
	}
	enums := []struct {
		field string
		v     *settingValue
	}{
		{"email_jit_provisioning", &settingValue{f.EmailJITProvisioning.Set, f.EmailJITProvisioning.V, &st.EmailJITProvisioning, []string{"RESTRICTED", "NOT_ALLOWED"}}},
		{"email_invites", &settingValue{f.EmailInvites.Set, f.EmailInvites.V, &st.EmailInvites, []string{"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}}},
		{"auth_methods", &settingValue{f.AuthMethods.Set, f.AuthMethods.V, &st.AuthMethods, []string{"ALL_ALLOWED", "RESTRICTED"}}},
		{"mfa_policy", &settingValue{f.MFAPolicy.Set, f.MFAPolicy.V, &st.MFAPolicy, []string{"OPTIONAL", "REQUIRED_FOR_ALL"}}},
		{"mfa_methods", &settingValue{f.MFAMethods.Set, f.MFAMethods.V, &st.MFAMethods, []string{"ALL_ALLOWED", "RESTRICTED"}}},
		{"oauth_tenant_jit_provisioning", &settingValue{f.OAuthTenantJITProvisioning.Set, f.OAuthTenantJITProvisioning.V, &st.OAuthTenantJITProvisioning, []string{"RESTRICTED", "NOT_ALLOWED"}}},
	}
	for _, e := range enums {
		if !e.v.set {
			continue
		}
		if err := validateEnum(e.field, e.v.val, e.v.allowed...); err != nil {
			return err
		}
		*e.v.dst = e.v.val
	}
	if f.AllowedAuthMethods.Set {
		if err := validateEach("allowed_auth_methods", f.AllowedAuthMethods.V, "sso", "magic_link", "password", "google_oauth", "microsoft_oauth", "hubspot_oauth", "slack_oauth", "github_oauth", "email_otp"); err != nil {
			return err
		}
		st.AllowedAuthMethods = f.AllowedAuthMethods.V
	}
	if f.AllowedMFAMethods.Set {
		if err := validateEach("allowed_mfa_methods", f.AllowedMFAMethods.V, "sms_otp", "totp"); err != nil {
			return err
		}
		st.AllowedMFAMethods = f.AllowedMFAMethods.V
	}
	for _, e := range []struct {
		field string
		set   bool
		val   string
		dst   *string
	}{
		{"first_party_connected_apps_allowed_type", f.FirstPartyConnectedAppsAllowedType.Set, f.FirstPartyConnectedAppsAllowedType.V, &st.FirstPartyConnectedAppsAllowedType},
		{"third_party_connected_apps_allowed_type", f.ThirdPartyConnectedAppsAllowedType.Set, f.ThirdPartyConnectedAppsAllowedType.V, &st.ThirdPartyConnectedAppsAllowedType},
	} {
		if !e.set {
			continue
		}
		if err := validateEnum(e.field, e.val, "ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"); err != nil {
			return err
		}
		*e.dst = e.val
	}
	for _, l := range []struct {
		field string
		in    opt.Value[[]string]
		dst   *[]string
	}{
		{"allowed_first_party_connected_apps", f.AllowedFirstPartyConnectedApps, &st.AllowedFirstPartyConnectedApps},
		{"allowed_third_party_connected_apps", f.AllowedThirdPartyConnectedApps, &st.AllowedThirdPartyConnectedApps},
	} {
		if !l.in.Set {
			continue
		}
		ids, err := validateIDList(l.field, l.in.V)
		if err != nil {
			return err
		}
		*l.dst = ids
	}
	if f.AllowedOAuthTenants.Set {
		if len(f.AllowedOAuthTenants.V) > 20 {
			return apierr.BadRequest("invalid_allowed_oauth_tenants", "allowed_oauth_tenants may name at most 20 providers.")
		}
		tenants := map[string][]string{}
		for provider, ids := range f.AllowedOAuthTenants.V {
			if len(provider) > 64 {
				return apierr.BadRequest("invalid_allowed_oauth_tenants", "allowed_oauth_tenants provider names must be at most 64 characters.")
			}
			clean, err := validateIDList("allowed_oauth_tenants", ids)
			if err != nil {
				return err
			}
			tenants[provider] = clean
		}
		st.AllowedOAuthTenants = tenants
	}
	if f.RBACEmailImplicitRoleAssignments.Set {
		if len(f.RBACEmailImplicitRoleAssignments.V) > maxListEntries {
			return apierr.BadRequest("invalid_rbac_email_implicit_role_assignments", "rbac_email_implicit_role_assignments may hold at most 100 entries.")
		}
		for _, a := range f.RBACEmailImplicitRoleAssignments.V {
			if _, err := validateDomains("rbac_email_implicit_role_assignments", []string{a.Domain}); err != nil {
				return err
			}
			if err := checkRole(ctx, q, h, o, a.RoleID); err != nil {
				return err
			}
		}
		st.RBACEmailImplicitRoleAssignments = f.RBACEmailImplicitRoleAssignments.V
	}
	return nil
}

type settingValue struct {
	set     bool
	val     string
	dst     *string
	allowed []string
}

func validateEach(field string, vals []string, allowed ...string) error {
	for _, v := range vals {
		if err := validateEnum(field, v, allowed...); err != nil {
			return err
		}
	}
	return nil
}

func checkConnection(ctx context.Context, q store.Queries, h Hooks, o *store.Organization, id, errType string) error {
	if h.ConnectionBelongs == nil {
		return apierr.BadRequest(errType, "Connection "+apierr.Quote(id)+" is not an SSO connection of this organization.")
	}
	ok, err := h.ConnectionBelongs(ctx, q, o.ProjectID, o.ID, id)
	if err != nil {
		return apierr.Internal(err)
	}
	if !ok {
		return apierr.BadRequest(errType, "Connection "+apierr.Quote(id)+" is not an SSO connection of this organization.")
	}
	return nil
}

func checkRole(ctx context.Context, q store.Queries, h Hooks, o *store.Organization, roleID string) error {
	ok := false
	if h.RoleExists != nil {
		var err error
		if ok, err = h.RoleExists(ctx, q, o.ProjectID, o, roleID); err != nil {
			return apierr.Internal(err)
		}
	}
	if !ok {
		return apierr.BadRequest("invalid_rbac_role_id", "Role "+apierr.Quote(roleID)+" does not exist in the project's RBAC policy or the organization's custom roles.")
	}
	return nil
}
