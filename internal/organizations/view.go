// Package organizations implements Stytch's B2B Organizations API rules:
// validation, partial updates, slug and external-ID resolution, and search.
package organizations

import (
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/store"
)

// Organization is the API representation (Stytch's Organization object).
// The stored settings are embedded, so their JSON fields appear inline.
type Organization struct {
	OrganizationID         string             `json:"organization_id"`
	OrganizationName       string             `json:"organization_name"`
	OrganizationSlug       string             `json:"organization_slug"`
	OrganizationLogoURL    string             `json:"organization_logo_url"`
	OrganizationExternalID string             `json:"organization_external_id"`
	TrustedMetadata        json.RawMessage    `json:"trusted_metadata"`
	SSOJITProvisioning     string             `json:"sso_jit_provisioning"`
	SSODefaultConnectionID *string            `json:"sso_default_connection_id"`
	SSOActiveConnections   []ActiveConnection `json:"sso_active_connections"`
	settings
	CustomRoles          json.RawMessage `json:"custom_roles"`
	SCIMActiveConnection *struct{}       `json:"scim_active_connection"`
	CreatedAt            time.Time       `json:"created_at"`
	UpdatedAt            time.Time       `json:"updated_at"`
}

// ActiveConnection summarises an active SSO connection on the organization.
type ActiveConnection struct {
	ConnectionID     string `json:"connection_id"`
	DisplayName      string `json:"display_name"`
	IdentityProvider string `json:"identity_provider"`
}

// EmailRoleAssignment grants a role to members whose email has the domain.
type EmailRoleAssignment struct {
	Domain string `json:"domain"`
	RoleID string `json:"role_id"`
}

// settings is the stored shape of store.Organization.Settings.
type settings struct {
	SSOJITProvisioningAllowedConnections []string              `json:"sso_jit_provisioning_allowed_connections"`
	EmailAllowedDomains                  []string              `json:"email_allowed_domains"`
	EmailJITProvisioning                 string                `json:"email_jit_provisioning"`
	EmailInvites                         string                `json:"email_invites"`
	AuthMethods                          string                `json:"auth_methods"`
	AllowedAuthMethods                   []string              `json:"allowed_auth_methods"`
	MFAPolicy                            string                `json:"mfa_policy"`
	MFAMethods                           string                `json:"mfa_methods"`
	AllowedMFAMethods                    []string              `json:"allowed_mfa_methods"`
	RBACEmailImplicitRoleAssignments     []EmailRoleAssignment `json:"rbac_email_implicit_role_assignments"`
	OAuthTenantJITProvisioning           string                `json:"oauth_tenant_jit_provisioning"`
	ClaimedEmailDomains                  []string              `json:"claimed_email_domains"`
	FirstPartyConnectedAppsAllowedType   string                `json:"first_party_connected_apps_allowed_type"`
	AllowedFirstPartyConnectedApps       []string              `json:"allowed_first_party_connected_apps"`
	ThirdPartyConnectedAppsAllowedType   string                `json:"third_party_connected_apps_allowed_type"`
	AllowedThirdPartyConnectedApps       []string              `json:"allowed_third_party_connected_apps"`
	AllowedOAuthTenants                  map[string][]string   `json:"allowed_oauth_tenants"`
}

func defaultSettings() settings {
	return settings{
		EmailJITProvisioning: "NOT_ALLOWED", EmailInvites: "ALL_ALLOWED", AuthMethods: "ALL_ALLOWED",
		MFAPolicy: "OPTIONAL", MFAMethods: "ALL_ALLOWED", OAuthTenantJITProvisioning: "NOT_ALLOWED",
		FirstPartyConnectedAppsAllowedType: "ALL_ALLOWED", ThirdPartyConnectedAppsAllowedType: "ALL_ALLOWED",
	}
}

func decodeSettings(raw json.RawMessage) settings {
	s := defaultSettings()
	_ = json.Unmarshal(raw, &s) // stored by this package; a decode failure keeps defaults
	return s
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// View converts a stored organization to its API form. active lists the
// organization's active SSO connections (computed by the caller).
func View(o *store.Organization, active []ActiveConnection) *Organization {
	st := decodeSettings(o.Settings)
	// Lists are [] rather than null: SDK callers iterate them.
	for _, l := range []*[]string{&st.SSOJITProvisioningAllowedConnections, &st.EmailAllowedDomains,
		&st.AllowedAuthMethods, &st.AllowedMFAMethods, &st.ClaimedEmailDomains,
		&st.AllowedFirstPartyConnectedApps, &st.AllowedThirdPartyConnectedApps} {
		*l = nonNil(*l)
	}
	st.RBACEmailImplicitRoleAssignments = nonNil(st.RBACEmailImplicitRoleAssignments)
	if st.AllowedOAuthTenants == nil {
		st.AllowedOAuthTenants = map[string][]string{}
	}
	var def *string
	if o.SSODefaultConnectionID != "" {
		d := o.SSODefaultConnectionID
		def = &d
	}
	return &Organization{
		OrganizationID: o.ID, OrganizationName: o.Name, OrganizationSlug: o.Slug,
		OrganizationLogoURL: o.LogoURL, OrganizationExternalID: o.ExternalID,
		TrustedMetadata: orJSON(o.TrustedMetadata, "{}"), SSOJITProvisioning: o.SSOJITProvisioning,
		SSODefaultConnectionID: def, SSOActiveConnections: nonNil(active), settings: st,
		CustomRoles: orJSON(o.CustomRoles, "[]"), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func orJSON(raw json.RawMessage, def string) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(def)
	}
	return raw
}
