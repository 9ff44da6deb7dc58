package httpapi

import "testing"

func TestUnsupportedFor(t *testing.T) {
	for _, c := range []struct {
		method, path, feature string // feature "" = not an unsupported endpoint
	}{
		{"DELETE", "/v1/b2b/organizations/org-1/members/member-1/totp", "TOTP"},
		{"GET", "/v1/b2b/organizations/org-1/members/member-1/totp", ""},
		{"DELETE", "/v1/b2b/organizations/org-1/members/passwords/pw-1", "passwords"},
		{"DELETE", "/v1/b2b/organizations/org-1/members/mfa_phone_numbers/member-1", "MFA phone numbers (SMS OTP)"},
		{"GET", "/v1/b2b/organizations/org-1/members/member-1/oauth_providers/google", "OAuth provider tokens"},
		{"GET", "/v1/b2b/organizations/org-1/members/member-1/oauth_providers", ""},
		{"POST", "/v1/b2b/sessions/migrate", "session migration"},
		{"POST", "/v1/b2b/sessions/migrate/extra", ""},
		// SCIM is served (routes.go), so none of its paths is unsupported.
		{"PUT", "/v1/b2b/scim/org-1/connection/conn-1", ""},
		{"GET", "/v1/b2b/scim", ""},
		{"POST", "/v1/b2b/scim/org-1/connection/conn-1/rotate/start", ""},
		{"GET", "/v1/b2b/scim/conn-1/Users", ""},
		{"POST", "/v1/b2b/magic_links/email/login_or_signup", "email magic links"},
		{"GET", "/v1/b2b/organizations//connected_apps", ""},
		{"GET", "/v1/b2b/nothing/here", ""},
	} {
		u, ok := unsupportedFor(c.method, c.path)
		if ok != (c.feature != "") || u.feature != c.feature {
			t.Errorf("%s %s: got %q, %v; want %q", c.method, c.path, u.feature, ok, c.feature)
		}
	}
}
