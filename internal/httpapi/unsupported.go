package httpapi

import (
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// unsupportedEndpoint is a Stytch B2B endpoint (or a family of them) that
// Seam does not implement. A request to one is answered with 404
// feature_not_supported_by_seam naming the feature and why, instead of a
// bare route_not_found, so that an application calling an SDK method Seam
// lacks learns what to change. docs/sdk-coverage.md lists the SDK methods
// behind them; tests/conformance/sdk_coverage.test.mjs keeps the two true.
type unsupportedEndpoint struct {
	method  string // "" for any method
	pattern string // path; "{x}" matches one segment, a trailing "{...}" any rest
	feature string
	reason  string
}

const (
	reasonMFA         = "Seam implements SSO (SAML, OIDC, External) only; it has no MFA factors (SMS OTP, TOTP, recovery codes)"
	reasonPasswords   = "Seam implements SSO only; it stores no passwords"
	reasonEmail       = "Seam sends no email: it has no magic links, email OTPs or email verification flows"
	reasonOAuth       = "Seam implements enterprise SSO (SAML, OIDC, External), not social OAuth logins (Google, Microsoft, GitHub, ...)"
	reasonConnected   = "Seam is an SSO service provider, not an OAuth authorization server for Connected Apps"
	reasonIdPTokens   = "Seam keeps no identity-provider access or refresh tokens after an OIDC login"
	reasonSessionMove = "Seam issues sessions from its own SSO logins only; it does not import or attest sessions from elsewhere"
)

// unsupportedEndpoints lists them; the first match wins.
func unsupportedEndpoints() []unsupportedEndpoint {
	return []unsupportedEndpoint{
		{"GET", "/v1/b2b/organizations/{organization_id}/connected_apps", "Connected Apps", reasonConnected},
		{"GET", "/v1/b2b/organizations/{organization_id}/connected_apps/{connected_app_id}", "Connected Apps", reasonConnected},
		{"DELETE", "/v1/b2b/organizations/{organization_id}/members/mfa_phone_numbers/{member_id}", "MFA phone numbers (SMS OTP)", reasonMFA},
		{"DELETE", "/v1/b2b/organizations/{organization_id}/members/passwords/{member_password_id}", "passwords", reasonPasswords},
		{"DELETE", "/v1/b2b/organizations/{organization_id}/members/{member_id}/totp", "TOTP", reasonMFA},
		{"GET", "/v1/b2b/organizations/{organization_id}/members/{member_id}/oidc_providers", "OIDC provider tokens", reasonIdPTokens},
		{"GET", "/v1/b2b/organizations/{organization_id}/members/{member_id}/oauth_providers/{...}", "OAuth provider tokens", reasonOAuth},
		{"POST", "/v1/b2b/organizations/{organization_id}/members/{member_id}/start_email_update", "self-serve email update", reasonEmail},
		{"GET", "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps", "Connected Apps", reasonConnected},
		{"POST", "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke", "Connected Apps", reasonConnected},
		{"POST", "/v1/b2b/sessions/exchange_access_token", "Connected Apps access tokens", reasonConnected},
		{"POST", "/v1/b2b/sessions/attest", "session attestation (trusted auth tokens)", reasonSessionMove},
		{"POST", "/v1/b2b/sessions/migrate", "session migration", reasonSessionMove},
		{"", "/v1/b2b/magic_links/{...}", "email magic links", reasonEmail},
		{"", "/v1/b2b/otps/{...}", "one-time passcodes", reasonMFA},
		{"", "/v1/b2b/totp/{...}", "TOTP", reasonMFA},
		{"", "/v1/b2b/recovery_codes/{...}", "recovery codes", reasonMFA},
		{"", "/v1/b2b/passwords/{...}", "passwords", reasonPasswords},
		{"", "/v1/b2b/oauth/{...}", "OAuth logins", reasonOAuth},
		{"", "/v1/b2b/discovery/{...}", "discovery (email-first organization selection)", reasonEmail},
		{"", "/v1/b2b/impersonation/{...}", "impersonation", "Seam has no dashboard impersonation; operators mint sessions with `seam session create`"},
	}
}

// unsupportedFor finds the endpoint a request names, if Seam lacks it.
func unsupportedFor(method, path string) (unsupportedEndpoint, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, u := range unsupportedEndpoints() {
		if (u.method == "" || u.method == method) && matchSegments(strings.Split(strings.Trim(u.pattern, "/"), "/"), segs) {
			return u, true
		}
	}
	return unsupportedEndpoint{}, false
}

func matchSegments(pattern, segs []string) bool {
	for i, p := range pattern {
		if p == "{...}" {
			return len(segs) > i
		}
		if i >= len(segs) || segs[i] == "" {
			return false
		}
		if !(strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}")) && p != segs[i] {
			return false
		}
	}
	return len(segs) == len(pattern)
}

// unsupportedError is the answer to a request for an endpoint Seam lacks.
func unsupportedError(u unsupportedEndpoint) *apierr.Error {
	return apierr.New(http.StatusNotFound, "feature_not_supported_by_seam",
		"This Stytch endpoint ("+u.feature+") is not supported by Seam: "+u.reason+". See docs/sdk-coverage.md.")
}
