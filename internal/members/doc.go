// Package members implements Stytch's B2B Members API rules: creation,
// partial updates, deletion and search of the members of an organization;
// the member object with its roles and their sources; and the member side
// of an SSO login (finding a member by SSO registration or email,
// just-in-time provisioning, registration upsert).
//
// Role sources (Stytch's MemberRoleSource types):
//
//	direct_assignment     stytch_member (every member) and the member's roles list
//	email_assignment      the organization's rbac_email_implicit_role_assignments
//	                      whose domain is the member's email domain
//	sso_connection        the connection implicit roles of a connection the member
//	                      has an SSO registration with
//	sso_connection_group  the group implicit roles of such a connection whose group
//	                      is in the registration's groups (GroupsAttribute)
//	scim_connection_group the scim_group_implicit_role_assignments of the member's
//	                      SCIM connection whose group the member's SCIM user is in
//	                      (package scim); counted by every session
//
// Roles that neither the project policy nor the organization's custom roles
// define any more are left out. The member object lists every source; a
// session only counts sso_connection and sso_connection_group sources of
// connections it has an authentication factor from (package sessions).
//
// Errors are *apierr.Error values:
//
//	member_not_found                404  unknown member_id / external ID / email in the organization
//	duplicate_member_email          400  email already used in the organization
//	duplicate_member_external_id    400  external_id already used in the organization
//	invalid_email                   400  email_address missing or malformed
//	invalid_member_name             400  name longer than MaxNameLength runes or not UTF-8
//	invalid_member_external_id      400  external_id not 1-128 of [A-Za-z0-9._|-]
//	invalid_phone_number            400  mfa_phone_number not E.164
//	invalid_default_mfa_method      400  default_mfa_method not sms_otp or totp
//	invalid_trusted_metadata,       400  not an object, too large (package metadata)
//	invalid_untrusted_metadata
//	invalid_rbac_role_id            400  a role that is neither a project nor an organization role
//	member_search_*                 400  search validation (see search.go)
package members
