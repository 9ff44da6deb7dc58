// Package rbac holds Seam's Stytch-compatible role-based access control: the
// project policy (Stytch's reserved stytch.* resources and default roles plus
// what the project set over PWA v3, or else what the operator adds through
// SEAM_RBAC_POLICY; Policies decides which), organization custom roles, and
// the authorization check that member-session headers switch on.
//
// The authorization rule mirrors the one the official SDKs evaluate locally
// (stytch-go shared/rbac_local.go, stytch-node lib/shared/rbac_local.ts) so
// that a verdict from Seam and a verdict computed by an SDK from Seam's
// published policy always agree:
//
//   - a subject in another organization than the request gets 403
//     session_authorization_tenancy_error;
//   - a role grants when one of its permissions names the resource and lists
//     "*" or the action;
//   - otherwise 403 session_authorization_error.
//
// Roles a subject holds that the policy does not define are ignored, never an
// error: a role can be deleted while sessions that carry it are still alive.
//
// Validation errors are *apierr.Error values with Stytch error_type strings
// from Stytch's own error catalogue (StytchAPIErrorType in stytch-android):
//
//	empty_rbac_role_id               400  a role without role_id
//	empty_rbac_resource_id           400  a resource (or permission) without resource_id
//	empty_rbac_scope                 400  a scope without its name
//	rbac_role_duplicate              400  two roles with one role_id
//	rbac_resource_duplicate          400  two resources with one resource_id
//	rbac_scope_duplicate             400  two scopes with one name
//	rbac_action_duplicate            400  an action listed twice
//	rbac_role_id_too_long            400  role_id longer than MaxIDLength
//	rbac_resource_id_too_long        400  resource_id longer than MaxIDLength
//	rbac_scope_too_long              400  scope longer than MaxIDLength
//	rbac_action_too_long             400  action longer than MaxIDLength
//	rbac_description_too_long        400  description longer than MaxDescriptionLength
//	rbac_resource_missing_actions    400  a resource that declares no action
//	rbac_permission_missing_actions  400  a permission that lists no action
//	rbac_role_missing_permissions    400  a custom role without permissions
//	rbac_scope_missing_permissions   400  a scope without permissions
//	invalid_stytch_prefixed_resource 400  a custom resource named stytch.*, or an
//	                                      action added to a reserved resource
//	invalid_permission_resource      400  a permission on a resource the policy lacks
//	invalid_permission_action        400  an action the resource does not declare
//	invalid_wildcard_action          400  "*" declared as a resource action, or
//	                                      listed together with other actions
//	invalid_rbac_stytch_role_edit    400  an organization role named stytch_*
//	invalid_rbac_custom_role         400  an organization role whose ID is a project role,
//	                                      or a custom project role named stytch_*
//	invalid_rbac_role_id             400  a role assignment naming no existing role
//	too_many_roles                   400  more than MaxOrgRoles organization roles
//	invalid_argument                 400  structural limits (permissions per role,
//	                                      actions per permission, policy size, bad JSON)
package rbac
