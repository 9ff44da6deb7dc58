package rbac

// DefaultPolicy returns Stytch's default B2B policy: the reserved stytch.*
// resources with their actions and the two default roles. Each call builds a
// fresh value, so callers may modify the result.
//
// Action lists follow the admin portal of stytchauth/stytch-browser (the
// useRbac resource/action map) and the reference's §3.2; stytch.custom-org-roles
// is included because Stytch reserves it, although no default role grants it.
// The default policy has no scopes.
func DefaultPolicy() Policy {
	return Policy{
		Roles: []Role{
			{
				RoleID:      RoleMember,
				Description: "Granted to every Member when it is created; covers what a logged-in Member may do to itself. Cannot be deleted.",
				Permissions: []Permission{{ResourceID: ResourceSelf, Actions: []string{Wildcard}}},
			},
			{
				RoleID:      RoleAdmin,
				Description: "Granted to the Member that creates an Organization; such Members also hold stytch_member. Cannot be deleted.",
				Permissions: []Permission{
					{ResourceID: ResourceOrganization, Actions: []string{Wildcard}},
					{ResourceID: ResourceMember, Actions: []string{Wildcard}},
					{ResourceID: ResourceSSO, Actions: []string{Wildcard}},
					{ResourceID: ResourceSCIM, Actions: []string{Wildcard}},
				},
			},
		},
		Resources: reservedResources(),
		Scopes:    []Scope{},
	}
}

func reservedResources() []Resource {
	return []Resource{
		{
			ResourceID:  ResourceOrganization,
			Description: "Built-in resource for Organization objects",
			Actions: []string{
				"update.info.name",
				"update.info.slug",
				"update.info.logo-url",
				"update.settings.allowed-auth-methods",
				"update.settings.allowed-mfa-methods",
				"update.settings.email-jit-provisioning",
				"update.settings.email-invites",
				"update.settings.allowed-domains",
				"update.settings.default-sso-connection",
				"update.settings.sso-jit-provisioning",
				"update.settings.mfa-policy",
				"update.settings.implicit-roles",
				"update.settings.oauth-tenant-jit-provisioning",
				"update.settings.allowed-oauth-tenants",
				"delete",
			},
		},
		{
			ResourceID:  ResourceMember,
			Description: "Built-in resource for Member objects",
			Actions: []string{
				"create",
				"update.info.name",
				"update.info.email",
				"update.info.untrusted-metadata",
				"update.info.mfa-phone",
				"update.info.delete.mfa-phone",
				"update.info.delete.mfa-totp",
				"update.info.delete.password",
				"update.settings.is-breakglass",
				"update.settings.mfa-enrolled",
				"update.settings.default-mfa-method",
				"update.settings.roles",
				"search",
				"delete",
				"revoke-sessions",
			},
		},
		{
			ResourceID:  ResourceSSO,
			Description: "Built-in resource for SSO connection objects",
			Actions:     []string{ActionCreate, ActionGet, ActionUpdate, ActionDelete},
		},
		{
			ResourceID:  ResourceSelf,
			Description: "Built-in resource for the logged-in Member itself",
			Actions: []string{
				"update.info.name",
				"update.info.untrusted-metadata",
				"update.info.mfa-phone",
				"update.info.delete.mfa-phone",
				"update.info.delete.password",
				"update.info.delete.mfa-totp",
				"update.settings.mfa-enrolled",
				"update.settings.default-mfa-method",
				"delete",
				"revoke-sessions",
			},
		},
		{
			ResourceID:  ResourceSCIM,
			Description: "Built-in resource for SCIM connection objects",
			Actions:     []string{ActionCreate, ActionGet, ActionUpdate, ActionDelete},
		},
		{
			ResourceID:  ResourceCustomOrgRoles,
			Description: "Built-in resource for Organization custom roles",
			Actions:     []string{ActionCreate, ActionGet, ActionUpdate, ActionDelete},
		},
	}
}

// isDefaultRole reports whether id is one of the roles every project has.
func isDefaultRole(id string) bool { return id == RoleMember || id == RoleAdmin }
