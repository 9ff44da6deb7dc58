package sso

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
)

// identityProviders is Stytch's identity_provider enum.
func identityProviders() []string {
	return []string{"classlink", "cyberark", "duo", "generic", "google-workspace", "jumpcloud", "keycloak",
		"miniorange", "microsoft-entra", "okta", "onelogin", "pingfederate", "rippling", "salesforce", "shibboleth"}
}

func validateIdentityProvider(v string) error {
	if !slices.Contains(identityProviders(), v) {
		return apierr.BadRequest("invalid_sso_idp", "identity_provider "+apierr.Quote(v)+" is not one of Stytch's identity providers (e.g. generic, okta, microsoft-entra, google-workspace).")
	}
	return nil
}

func validateDisplayName(v string) error {
	if utf8.RuneCountInString(v) > 128 || strings.ContainsAny(v, "\x00\r\n") {
		return apierr.BadRequest("invalid_display_name", "display_name must be at most 128 characters on one line.")
	}
	return nil
}

// isLoopbackHost reports whether host is localhost or a loopback address;
// browser-facing URLs may use plain http there for local development.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// browserURL validates a URL the member's browser is sent to or posts to:
// absolute, https (http only on loopback), no credentials or fragment.
// It returns "format" or "https" as the problem, or "".
func browserURL(raw string) string {
	if len(raw) > 2048 {
		return "format"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "format"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return ""
		}
		return "https"
	}
	return "format"
}

func validateIDPSSOURL(v string) error {
	switch browserURL(v) {
	case "format":
		return apierr.BadRequest("saml_connection_idp_sso_url_invalid_format", "idp_sso_url must be an absolute https URL without credentials or fragment.")
	case "https":
		return apierr.BadRequest("saml_connection_idp_sso_url_not_https", "idp_sso_url must use https (plain http is accepted only for localhost).")
	}
	return nil
}

func validateEntityID(field, errType, v string) error {
	if strings.TrimSpace(v) == "" || len(v) > 1024 || strings.ContainsAny(v, " \t\r\n\x00") {
		return apierr.BadRequest(errType, field+" must be 1-1024 characters without whitespace.")
	}
	return nil
}

func validateAltACSURL(v string) error {
	if v == "" {
		return nil
	}
	if browserURL(v) != "" {
		return apierr.BadRequest("invalid_alternative_acs_url", "alternative_acs_url must be an absolute https URL (http only on localhost).")
	}
	return nil
}

// nameIDFormats are the NameID formats of SAML 2.0 core §8.3.
func nameIDFormats() []string {
	return []string{
		"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
	}
}

func validateNameIDFormat(v string) error {
	if !slices.Contains(nameIDFormats(), v) {
		return apierr.BadRequest("invalid_nameid_format", "nameid_format must be a SAML 2.0 NameID format URI, e.g. "+DefaultNameIDFormat+".")
	}
	return nil
}

// validateAttributeMapping requires string values (no nesting), an email
// key, and a name: full_name, or first_name and last_name.
func validateAttributeMapping(m map[string]any) (map[string]string, error) {
	if len(m) > 64 {
		return nil, apierr.BadRequest("saml_connection_attribute_mapping_required", "attribute_mapping may hold at most 64 keys.")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, apierr.BadRequest("saml_connection_no_nested_keys_in_attribute_mapping",
				"attribute_mapping values must be attribute names (strings); "+apierr.Quote(k)+" is not.")
		}
		if strings.TrimSpace(k) == "" || strings.TrimSpace(s) == "" || len(k) > 256 || len(s) > 1024 {
			return nil, apierr.BadRequest("saml_connection_attribute_mapping_required",
				"attribute_mapping keys and values must be non-empty attribute names.")
		}
		out[k] = s
	}
	if out["email"] == "" {
		return nil, apierr.BadRequest("saml_connection_email_mapping_required", "attribute_mapping must map \"email\".")
	}
	if out["full_name"] == "" && (out["first_name"] == "" || out["last_name"] == "") {
		return nil, apierr.BadRequest("saml_connection_name_mapping_required",
			"attribute_mapping must map \"full_name\", or both \"first_name\" and \"last_name\".")
	}
	return out, nil
}
