// Package sessions implements member sessions: opaque session tokens (only
// their SHA-256 is stored), session JWTs signed with a rotating per-project
// RS256 key set, authentication with optional extension and authorization
// check, revocation, listing, the JWKS, and the member-session
// authorization step of every management endpoint (httpapi.Authorizer).
//
// # Errors
//
// Errors are *apierr.Error values with Stytch error types:
//
//	session_not_found            404  unknown, expired or revoked session token;
//	                                  a well-signed JWT whose session is gone or
//	                                  expired (Stytch documents this type as 404)
//	unable_to_parse_session_jwt  401  forged or malformed JWT (package sessionjwt)
//	jwt_invalid_audience         401  a genuine JWT of another project
//	jwt_invalid_issuer,          401  see package sessionjwt
//	jwt_invalid_claims
//	too_many_session_arguments   400  sessions/authenticate given both a token and
//	                                  a JWT; member-session headers naming two
//	                                  different sessions; revoke given more than
//	                                  one target
//	invalid_argument             400  no session token, JWT or revoke target
//	invalid_session_duration     400  session_duration_minutes outside 5..527040
//	invalid_session_custom_claims 400 custom claims that are not a JSON object
//	                                  or exceed 4 KB
//	session_member_mismatch      400  an existing session given to Grant belongs to
//	                                  another member
//	session_authorization_tenancy_error 403  session of another organization
//	session_authorization_error  403  no role of the session grants the action
//	project_not_found            404  JWKS of an unknown project
//
// # Roles
//
// A session's roles are its member's roles (package members) except that
// sso_connection and sso_connection_group roles count only when the session
// holds an authentication factor from that connection: a saml_sso_factor or
// oidc_sso_factor whose provider_id is the connection ID. They are computed
// when the session is authenticated or a JWT is minted, so role changes take
// effect on the next authentication.
//
// # Signing keys
//
// Each project has a generation-numbered key set in the database. The newest
// key signs; when it is older than KeyRotation a new generation is created.
// A replaced key stays in the JWKS, and keeps verifying, for KeyGrace after
// its successor appeared, then it is deleted. Replicas creating a key at the
// same moment race on the unique (project, generation) constraint: exactly
// one insert wins and the others re-read it, so no coordination or in-memory
// state is needed. Private keys are sealed with the master key.
package sessions
