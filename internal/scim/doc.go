// Package scim implements directory sync: Stytch's SCIM connection API
// (one connection per organization, a bearer token shown once and rotated
// with start/complete/cancel, SCIM group implicit role assignments) and an
// RFC 7643/7644 service provider at the connection's base URL that IdPs
// (Okta, Microsoft Entra ID, OneLogin, JumpCloud) provision into.
//
// A SCIM User is bound to one member of the organization: its SCIM id is
// the member ID. Creating a user creates the member, or adopts the
// organization's member with the same email address (so a person who
// logged in with SSO first, or later, is one member). active=false and
// DELETE deactivate the member (status "deleted") and revoke every session
// of it in the same transaction; active=true reactivates it. SCIM groups
// grant roles through the connection's scim_group_implicit_role_assignments
// (role source scim_connection_group, computed by package members).
//
// Every member change goes through package members; this package owns the
// SCIM representation, the filter and PATCH rules, and the token rules.
//
// Management API errors are *apierr.Error values:
//
//	scim_connection_not_found        404  no SCIM connection with this ID in the organization
//	scim_connection_already_exists   400  the organization already has a SCIM connection
//	invalid_identity_provider        400  not one of IdentityProviders
//	invalid_display_name             400  longer than MaxDisplayName or not UTF-8
//	scim_group_not_found             400  a role assignment names a group the connection lacks
//	invalid_rbac_role_id             400  a role assignment names an unknown role (package rbac)
//	no_token_rotation_in_progress    400  rotate/complete or rotate/cancel without rotate/start
//	invalid_cursor, invalid_limit    400  groups listing paging
//
// SCIM protocol errors are *Error values, written as RFC 7644 section 3.12
// error responses.
package scim
