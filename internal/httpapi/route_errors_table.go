package httpapi

import (
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
)

// routeErrors are the routes' own errors (their domains'), by route
// pattern; the errors of a route's class are derived (commonErrors). The
// lists were collected by running the conformance suites and the hostile
// sweep, and both keep them true: an answer whose error_type a route does
// not declare fails the suites' schema check of every JSON answer
// (/openapi.json lists these as each status's error_type enum) and
// TestHostileInputSweep; TestRouteErrorDeclarations refuses a pattern that
// names no route and a type its class already declares. Where a domain
// lists its errors itself (the search driver's), the table reads them.
func routeErrors() map[string][]errDecl {
	return map[string][]errDecl{
		"DELETE /pwa/v3/projects/{project_slug}/environments/{environment_slug}/secrets/{secret_id}":                       fails("400 cannot_delete_last_secret", "404 secret_not_found"),
		"DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}":                                               fails("404 member_not_found"),
		"DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}/external_id":                                   fails("404 member_not_found"),
		"DELETE /v1/b2b/scim/{organization_id}/connection/{connection_id}":                                                 fails("404 scim_connection_not_found"),
		"DELETE /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/encryption_private_keys/{private_key_id}":   fails("404 saml_connection_not_found", "404 saml_encryption_private_key_not_found"),
		"DELETE /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/verification_certificates/{certificate_id}": fails("400 cannot_delete_last_sso_verification_key", "404 saml_connection_not_found", "404 sso_verification_key_not_found"),
		"DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}":                                                 fails("400 cannot_delete_default_sso_connection", "404 sso_connection_not_found"),
		"GET /b2b/public/sso/start":                                                          fails("400 public_token_required"),
		"GET /pwa/v3/projects/{project_slug}":                                                fails("404 project_not_found"),
		"GET /pwa/v3/projects/{project_slug}/environments/{environment_slug}":                fails("404 environment_not_found"),
		"GET /pwa/v3/projects/{project_slug}/environments/{environment_slug}/secrets":        fails("404 environment_not_found"),
		"GET /setup/metadata/{connection_id}":                                                fails("404 saml_connection_not_found"),
		"GET /setup/{setup_token}":                                                           fails("404 setup_link_not_found"),
		"GET /setup/{setup_token}/connections/{connection_id}":                               fails("404 setup_link_not_found"),
		"GET /setup/{setup_token}/connections/{connection_id}/metadata":                      fails("404 setup_link_not_found"),
		"GET /setup/{setup_token}/connections/{connection_id}/tests/{attempt_id}":            fails("404 setup_link_not_found"),
		"GET /v1/b2b/organizations/members/dangerously_get/{member_id}":                      fails("404 member_not_found"),
		"GET /v1/b2b/organizations/{organization_id}/member":                                 fails("404 member_not_found"),
		"GET /v1/b2b/scim/{organization_id}/connection/{connection_id}":                      fails("400 invalid_cursor"),
		"GET /v1/b2b/sessions/jwks/{project_id}":                                             fails("404 project_not_found"),
		"GET /v1/b2b/sso/callback/{connection_id}":                                           fails("400 missing_oidc_state_param"),
		"GET /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}/logins":          fails("404 oidc_connection_not_found"),
		"GET /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/logins":          fails("400 invalid_limit", "404 saml_connection_not_found"),
		"GET /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata":        fails("404 saml_connection_not_found"),
		"GET /v1/public/sso/start":                                                           fails("400 no_match_for_provided_sso_url", "400 public_token_required", "400 requires_active_sso_connection", "404 sso_connection_not_found"),
		"GET /v1/test_idp/landing":                                                           fails("400 test_idp_invalid_request"),
		"GET /v1/test_idp/{project_id}/oidc/.well-known/openid-configuration":                fails("404 project_not_found"),
		"GET /v1/test_idp/{project_id}/oidc/authorize":                                       fails("400 test_idp_invalid_request"),
		"GET /v1/test_idp/{project_id}/oidc/jwks":                                            fails("404 project_not_found"),
		"GET /v1/test_idp/{project_id}/oidc/userinfo":                                        fails("401 invalid_token", "404 project_not_found"),
		"GET /v1/test_idp/{project_id}/saml/metadata":                                        fails("404 project_not_found"),
		"GET /v1/test_idp/{project_id}/saml/sso":                                             fails("400 test_idp_invalid_request"),
		"GET /v1/webhooks/endpoints/{endpoint_id}":                                           fails("404 webhook_endpoint_not_found"),
		"PATCH /pwa/v3/projects/{project_slug}":                                              fails("404 project_not_found"),
		"PATCH /pwa/v3/projects/{project_slug}/environments/{environment_slug}":              fails("400 feature_not_supported_by_seam"),
		"POST /pwa/v3/projects":                                                              fails("400 invalid_vertical"),
		"POST /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls": fails("400 invalid_redirect_url", "400 invalid_redirect_url_type"),
		"POST /setup/{setup_token}/connections":                                              fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/attributes":                   fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/metadata_url":                 fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/metadata_xml":                 fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/oidc":                         fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/saml":                         fails("404 setup_link_not_found"),
		"POST /setup/{setup_token}/connections/{connection_id}/test":                         fails("404 setup_link_not_found"),
		"POST /v1/b2b/organizations":                                                         fails("400 invalid_organization_slug", "400 organization_external_id_already_used", "400 organization_name_missing", "400 organization_slug_already_used"),
		"POST /v1/b2b/organizations/members/search": append(fails("400 member_search_organization_ids_required", "400 member_search_too_many_organizations",
			"404 organization_not_found"), badRequests(members.SearchErrorTypes())...),
		"POST /v1/b2b/organizations/search":                                                     badRequests(organizations.SearchErrorTypes()),
		"POST /v1/b2b/organizations/{organization_id}/members":                                  fails("400 duplicate_member_email", "400 invalid_email", "400 invalid_rbac_role_id", "400 retired_member_email"),
		"POST /v1/b2b/organizations/{organization_id}/members/{member_id}/unlink_retired_email": fails("400 retired_email_missing_email_identifiers", "404 email_not_found"),
		"POST /v1/b2b/scim/{organization_id}/connection":                                        fails("400 invalid_display_name", "400 invalid_identity_provider", "400 scim_connection_already_exists"),
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/cancel":          fails("400 no_token_rotation_in_progress", "404 scim_connection_not_found"),
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/complete":        fails("400 no_token_rotation_in_progress", "404 scim_connection_not_found"),
		"POST /v1/b2b/scim/{organization_id}/connection/{connection_id}/rotate/start":           fails("404 scim_connection_not_found"),
		"POST /v1/b2b/sessions/authenticate":                                                    fails("400 invalid_argument", "400 invalid_session_duration", "400 too_many_session_arguments", "401 jwt_invalid_audience", "401 unable_to_parse_session_jwt", "403 session_authorization_error", "403 session_authorization_tenancy_error", "404 session_not_found"),
		"POST /v1/b2b/sessions/exchange":                                                        fails("400 insufficient_factors_for_session_exchange", "400 invalid_organization_id", "400 no_session_arguments", "400 too_many_session_arguments", "403 operation_restricted_by_organization_auth_methods", "404 member_not_found", "404 organization_not_found"),
		"POST /v1/b2b/sessions/revoke":                                                          fails("404 member_not_found"),
		"POST /v1/b2b/sso/authenticate":                                                         fails("400 sso_token_required", "404 sso_connection_not_found", "404 sso_token_not_found"),
		"POST /v1/b2b/sso/callback/{connection_id}":                                             fails("400 invalid_xml_saml_response", "400 missing_saml_response"),
		"POST /v1/b2b/sso/external/{organization_id}":                                           fails("400 cannot_assign_default_rbac_role_id", "400 duplicate_external_sso_connection", "400 external_connection_not_active", "400 external_organization_id_same_as_organization_id", "400 invalid_display_name", "400 invalid_rbac_role_assignment", "400 invalid_rbac_role_id", "400 saml_connection_attribute_mapping_missing_groups_key", "404 external_connection_id_not_found"),
		"POST /v1/b2b/sso/oidc/{organization_id}":                                               fails("400 invalid_display_name", "400 invalid_sso_idp"),
		"POST /v1/b2b/sso/saml/{organization_id}":                                               fails("400 invalid_display_name", "400 invalid_sso_idp"),
		"POST /v1/b2b/sso/setup_links/{organization_id}":                                        fails("400 invalid_connection_kind"),
		"POST /v1/test_idp/{project_id}/oidc/login":                                             fails("403 test_idp_csrf"),
		"POST /v1/test_idp/{project_id}/oidc/token":                                             fails("401 invalid_client", "404 project_not_found"),
		"POST /v1/test_idp/{project_id}/saml/login":                                             fails("403 test_idp_csrf"),
		"POST /v1/test_idp/{project_id}/saml/sso":                                               fails("400 test_idp_invalid_request"),
		"POST /v1/webhooks/endpoints":                                                           fails("400 invalid_webhook_url"),
		"POST /v1/webhooks/endpoints/{endpoint_id}/replay":                                      fails("400 invalid_replay", "404 webhook_endpoint_not_found"),
		"POST /v1/webhooks/endpoints/{endpoint_id}/rotate_secret":                               fails("404 webhook_endpoint_not_found"),
		"PUT /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls":     fails("404 redirect_url_not_found"),
		"PUT /v1/b2b/organizations/{organization_id}":                                           fails("400 invalid_auth_methods", "400 invalid_email_invites", "400 invalid_email_jit_provisioning", "400 invalid_first_party_connected_apps_allowed_type", "400 invalid_mfa_methods", "400 invalid_mfa_policy", "400 invalid_oauth_tenant_jit_provisioning", "400 invalid_organization_external_id", "400 invalid_organization_logo_url", "400 invalid_organization_name", "400 invalid_organization_slug", "400 invalid_sso_default_connection_id", "400 invalid_sso_jit_provisioning", "400 invalid_third_party_connected_apps_allowed_type", "400 organization_name_missing", "400 organization_slug_already_used", "401 cannot_update_trusted_metadata"),
		"PUT /v1/b2b/organizations/{organization_id}/members/{member_id}":                       fails("400 invalid_default_mfa_method", "400 invalid_email", "400 invalid_member_external_id", "400 invalid_member_name", "400 invalid_phone_number", "401 cannot_update_trusted_metadata"),
		"PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate":            fails("400 email_unverified_for_reactivation", "404 no_deleted_member_found_for_reactivation"),
		"PUT /v1/b2b/rbac/organizations/{organization_id}":                                      fails("400 invalid_permission_action", "400 invalid_rbac_stytch_role_edit"),
		"PUT /v1/b2b/scim/{organization_id}/connection/{connection_id}":                         fails("400 invalid_identity_provider", "400 invalid_rbac_role_id", "404 scim_connection_not_found"),
		"PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}":                fails("400 invalid_display_name", "400 invalid_rbac_role_assignment", "404 external_connection_not_found"),
		"PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}":                    fails("400 client_secret_too_long", "400 invalid_client_id", "400 invalid_display_name", "400 invalid_identity_linking", "400 invalid_issuer", "400 invalid_sso_idp", "400 invalid_userinfo_url", "400 oidc_connection_authorization_url_invalid_format", "400 oidc_connection_client_id_required", "400 oidc_connection_issuer_url_invalid_format", "400 oidc_connection_jwks_url_invalid_format", "400 oidc_connection_token_url_invalid_format", "400 oidc_connection_userinfo_url_invalid_format", "400 oidc_invalid_scope", "404 oidc_connection_not_found"),
		"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}":                    fails("400 cannot_assign_default_rbac_role_id", "400 invalid_alternative_acs_url", "400 invalid_alternative_audience_uri", "400 invalid_display_name", "400 invalid_idp_entity_id", "400 invalid_nameid_format", "400 invalid_rbac_role_id", "400 invalid_sso_idp", "400 invalid_x509_certificate", "400 private_key_too_long", "400 saml_connection_attribute_mapping_missing_groups_key", "400 saml_connection_email_mapping_required", "400 saml_connection_idp_sso_url_invalid_format", "400 saml_connection_idp_sso_url_not_https", "400 saml_connection_name_mapping_required", "400 saml_connection_no_nested_keys_in_attribute_mapping", "400 saml_encryption_private_key_format_not_supported", "400 saml_encryption_private_key_invalid", "400 saml_signing_private_key_format_not_supported", "400 saml_signing_private_key_invalid", "400 too_many_saml_encryption_private_keys", "400 too_many_sso_verification_certificates", "404 saml_connection_not_found"),
		"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/url":                fails("400 invalid_saml_metadata_url", "400 invalid_xml_from_saml_metadata_url", "400 saml_connection_metadata_invalid_format", "400 saml_metadata_too_large", "400 saml_metadata_url_http_error", "400 saml_metadata_url_refused", "400 saml_metadata_url_timeout", "400 saml_metadata_url_too_many_redirects", "400 saml_metadata_url_unreachable", "404 saml_connection_not_found"),
		"PUT /v1/webhooks/endpoints/{endpoint_id}":                                              fails("400 invalid_webhook_url", "404 webhook_endpoint_not_found"),
	}
}
