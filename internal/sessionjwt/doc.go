// Package sessionjwt issues and verifies member-session JWTs in the format
// the official Stytch SDKs validate locally (stytch-go
// b2b/sessions.AuthenticateJWTLocal, stytch-node authenticateSessionJwtLocal),
// and publishes the verification keys as a JWK Set for
// GET /v1/b2b/sessions/jwks/{project_id}.
//
// Tokens are RS256 JWS compact serializations with a "kid" header. Only RS256
// is accepted on verification: the algorithm allow-list is applied before
// any key is touched, so "alg":"none" and HS256 tokens keyed with the public
// key are refused as unparsable.
//
// Claims (reference §4.3):
//
//	iss  the issuer the caller passes (Seam: its base URL, trailing "/" trimmed)
//	aud  [project_id]
//	sub  member_id
//	iat, nbf, exp  NumericDate seconds; exp is iat + Lifetime (five minutes),
//	     never later than the session's expires_at
//	"https://stytch.com/session": {id, started_at, last_accessed_at, expires_at
//	     (RFC 3339 UTC, whole seconds, "Z"), attributes {ip_address,
//	     user_agent}, authentication_factors [...], roles [...]}
//	"https://stytch.com/organization": {organization_id, slug}
//	custom claims at the top level
//
// Custom claims named iss, sub, aud, exp, nbf, iat or jti, or starting with
// "https://stytch.com/", are reserved; Sign drops them silently, as Stytch
// ignores them in session_custom_claims, and Verify does not report them as
// custom claims.
//
// Verification failures are 401 *apierr.Error values:
//
//	unable_to_parse_session_jwt  empty, oversized or malformed token; any
//	                             algorithm but RS256; typ header other than
//	                             JWT (the Node SDK requires it); a crit
//	                             header; missing or unknown kid
//	                             (including a key rotated out of the set);
//	                             bad signature; payload that is not a JSON object
//	jwt_invalid_audience         aud missing or not containing the project_id
//	jwt_invalid_issuer           iss missing or not the expected issuer
//	jwt_invalid_claims           a required claim missing or malformed, or nbf
//	                             in the future (beyond ClockSkew)
//	jwt_too_old                  exp reached (chosen from the Stytch SDKs'
//	                             vocabulary; Stytch's own catalogue has no
//	                             expiry type for session JWTs because its
//	                             server falls back to the session record — see
//	                             VerifyIgnoringExpiry)
//
// The Cause of each error says which check failed, for the log; messages and
// causes never contain the token or key material.
package sessionjwt
