package sso

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/store"
)

// oidcConfig is the stored shape of an OIDC connection's Config.
type oidcConfig struct {
	IdentityProvider   string            `json:"identity_provider"`
	Issuer             string            `json:"issuer"`
	ClientID           string            `json:"client_id"`
	SealedClientSecret string            `json:"sealed_client_secret,omitempty"`
	AuthorizationURL   string            `json:"authorization_url"`
	TokenURL           string            `json:"token_url"`
	UserinfoURL        string            `json:"userinfo_url"`
	JWKSURL            string            `json:"jwks_url"`
	CustomScopes       string            `json:"custom_scopes"`
	AttributeMapping   map[string]string `json:"attribute_mapping"`
	// TokenAuthMethods are the token endpoint auth methods discovery reported.
	TokenAuthMethods []string       `json:"token_endpoint_auth_methods,omitempty"`
	IdentityLinking  linking.Policy `json:"identity_linking"`
}

func decodeOIDC(c *store.Connection) (*oidcConfig, error) { return decodeConfig[oidcConfig](c) }

func (cfg *oidcConfig) encode() json.RawMessage { return encodeConfig(cfg) }

// missing is the OIDC activation rule: the settings still missing, by
// their API field names.
func (cfg *oidcConfig) missing() []string {
	out := []string{}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"issuer", cfg.Issuer != ""}, {"client_id", cfg.ClientID != ""}, {"client_secret", cfg.SealedClientSecret != ""},
		{"authorization_url", cfg.AuthorizationURL != ""}, {"token_url", cfg.TokenURL != ""},
		{"userinfo_url", cfg.UserinfoURL != ""}, {"jwks_url", cfg.JWKSURL != ""},
	} {
		if !f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// active reports whether nothing is missing.
func (cfg *oidcConfig) active() bool { return len(cfg.missing()) == 0 }

// OIDCConnection is Stytch's OIDC connection object. client_secret is
// returned redacted: Seam stores it sealed and never discloses it.
type OIDCConnection struct {
	OrganizationID   string            `json:"organization_id"`
	ConnectionID     string            `json:"connection_id"`
	Status           string            `json:"status"`
	DisplayName      string            `json:"display_name"`
	RedirectURL      string            `json:"redirect_url"`
	ClientID         string            `json:"client_id"`
	ClientSecret     string            `json:"client_secret"`
	Issuer           string            `json:"issuer"`
	AuthorizationURL string            `json:"authorization_url"`
	TokenURL         string            `json:"token_url"`
	UserinfoURL      string            `json:"userinfo_url"`
	JWKSURL          string            `json:"jwks_url"`
	IdentityProvider string            `json:"identity_provider"`
	CustomScopes     string            `json:"custom_scopes"`
	AttributeMapping map[string]string `json:"attribute_mapping"`
	// IdentityLinking is a Seam extension: the effective identity-linking
	// policy (docs/identity-linking.md).
	IdentityLinking linking.Policy `json:"identity_linking"`
	// MissingSettings is a Seam extension: the settings a pending
	// connection still needs before it becomes active ([] when active).
	MissingSettings []string `json:"missing_settings"`
}

// redactedSecret stands in for a stored client secret in API responses.
const redactedSecret = "••••••••"

// OIDCView renders a stored OIDC connection.
func (s *Service) OIDCView(c *store.Connection) (*OIDCConnection, error) {
	cfg, err := decodeOIDC(c)
	if err != nil {
		return nil, err
	}
	return s.oidcView(c, cfg), nil
}

// oidcView renders c with its decoded config cfg.
func (s *Service) oidcView(c *store.Connection, cfg *oidcConfig) *OIDCConnection {
	v := &OIDCConnection{
		OrganizationID: c.OrganizationID, ConnectionID: c.ID, Status: c.Status, DisplayName: c.DisplayName,
		RedirectURL: s.CallbackURL(c), ClientID: cfg.ClientID, Issuer: cfg.Issuer,
		AuthorizationURL: cfg.AuthorizationURL, TokenURL: cfg.TokenURL, UserinfoURL: cfg.UserinfoURL,
		JWKSURL: cfg.JWKSURL, IdentityProvider: cfg.IdentityProvider, CustomScopes: cfg.CustomScopes,
		AttributeMapping: cfg.AttributeMapping,
		IdentityLinking:  cfg.IdentityLinking.Effective(cfg.IdentityProvider, true),
		MissingSettings:  cfg.missing(),
	}
	if cfg.SealedClientSecret != "" {
		v.ClientSecret = redactedSecret
	}
	if v.AttributeMapping == nil {
		v.AttributeMapping = map[string]string{}
	}
	return v
}
