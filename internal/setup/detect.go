package setup

import (
	"net/url"
	"strings"
)

// Detected is the IdP recognised from its SAML metadata.
type Detected struct {
	Name string // as the page names it; "" when not recognised
	// Guide is the key of the guide to open ("generic-saml" when the IdP
	// has no guide of its own).
	Guide string
	// IdentityProvider is Stytch's identity_provider value for it.
	IdentityProvider string
}

// detectRule recognises one IdP by the host and path of its entity ID or
// SSO URL, which each vendor shapes in its own way.
type detectRule struct {
	name, guide, idp string
	match            func(u *url.URL) bool
}

func hostIs(u *url.URL, suffixes ...string) bool {
	h := strings.ToLower(u.Hostname())
	for _, s := range suffixes {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}

func detectRules() []detectRule {
	return []detectRule{
		// Okta: entity ID http://www.okta.com/exk..., SSO URL on the org's
		// okta.com / oktapreview.com / okta-emea.com domain.
		{"Okta", "okta", "okta", func(u *url.URL) bool { return hostIs(u, "okta.com", "oktapreview.com", "okta-emea.com") }},
		// Entra ID: entity ID https://sts.windows.net/{tenant}/, SSO URL
		// https://login.microsoftonline.com/{tenant}/saml2.
		{"Microsoft Entra ID", "entra", "microsoft-entra", func(u *url.URL) bool {
			return hostIs(u, "sts.windows.net", "login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn")
		}},
		// Google Workspace: https://accounts.google.com/o/saml2?idpid=...
		{"Google Workspace", "google", "google-workspace", func(u *url.URL) bool {
			return hostIs(u, "accounts.google.com") && strings.HasPrefix(u.Path, "/o/saml2")
		}},
		// JumpCloud: SSO URL https://sso.jumpcloud.com/saml2/{app}.
		{"JumpCloud", "jumpcloud", "jumpcloud", func(u *url.URL) bool { return hostIs(u, "jumpcloud.com") }},
		// OneLogin: https://app.onelogin.com/saml/metadata/{id},
		// https://{sub}.onelogin.com/trust/saml2/http-redirect/sso/{id}.
		{"OneLogin", "generic-saml", "onelogin", func(u *url.URL) bool { return hostIs(u, "onelogin.com") }},
		// PingFederate: any host; its endpoints are /idp/SSO.saml2 and
		// /idp/startSSO.ping.
		{"PingFederate", "generic-saml", "pingfederate", func(u *url.URL) bool {
			p := strings.ToLower(u.Path)
			return strings.HasPrefix(p, "/idp/sso.saml2") || strings.HasPrefix(p, "/idp/startsso.ping") || hostIs(u, "pingone.com", "pingidentity.com")
		}},
		// ADFS: entity ID http(s)://{host}/adfs/services/trust, SSO URL
		// https://{host}/adfs/ls/.
		{"ADFS", "adfs", "generic", func(u *url.URL) bool {
			p := strings.ToLower(u.Path)
			return strings.HasPrefix(p, "/adfs/services/trust") || strings.HasPrefix(p, "/adfs/ls")
		}},
	}
}

// DetectIdP recognises the IdP from its metadata's entity ID and SSO URL.
// It is pure: the answer depends only on the two strings.
func DetectIdP(entityID, ssoURL string) Detected {
	var urls []*url.URL
	for _, raw := range []string{entityID, ssoURL} {
		if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
			urls = append(urls, u)
		}
	}
	for _, r := range detectRules() {
		for _, u := range urls {
			if r.match(u) {
				return Detected{Name: r.name, Guide: r.guide, IdentityProvider: r.idp}
			}
		}
	}
	return Detected{Guide: "generic-saml", IdentityProvider: "generic"}
}
