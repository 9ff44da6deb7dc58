package members

import (
	"encoding/json"
	"slices"
)

// SSOFactorConnections returns the connection IDs of the SSO factors in a
// session's authentication_factors (saml_sso_factor.provider_id and
// oidc_sso_factor.provider_id). It lives here rather than in package
// sessions because member updates revoke sessions by factor connection.
func SSOFactorConnections(factors json.RawMessage) []string {
	var list []struct {
		SAML *struct {
			ProviderID string `json:"provider_id"`
		} `json:"saml_sso_factor"`
		OIDC *struct {
			ProviderID string `json:"provider_id"`
		} `json:"oidc_sso_factor"`
	}
	if json.Unmarshal(factors, &list) != nil {
		return nil
	}
	var out []string
	for _, f := range list {
		for _, p := range []*struct {
			ProviderID string `json:"provider_id"`
		}{f.SAML, f.OIDC} {
			if p != nil && p.ProviderID != "" && !slices.Contains(out, p.ProviderID) {
				out = append(out, p.ProviderID)
			}
		}
	}
	return out
}
