package sso

import (
	"fmt"

	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/store"
)

// OIDCRuntime is what a login through an OIDC connection needs. It holds
// the unsealed client secret and must not outlive the request.
type OIDCRuntime struct {
	ConnectionID     string
	OrganizationID   string
	Config           oidc.Config
	AttributeMapping map[string]string
}

// OIDCRuntime unseals an OIDC connection's client secret and builds the
// relying-party configuration.
func (s *Service) OIDCRuntime(c *store.Connection) (*OIDCRuntime, error) {
	cfg, err := decodeOIDC(c)
	if err != nil {
		return nil, err
	}
	secret, err := s.Sealer.Open(cfg.SealedClientSecret, sealAAD(c.ID, "client_secret"))
	if err != nil {
		return nil, fmt.Errorf("unseal client secret of %s: %w", c.ID, err)
	}
	scopes, err := oidc.ParseScopes(cfg.CustomScopes)
	if err != nil {
		return nil, fmt.Errorf("stored custom_scopes of %s: %w", c.ID, err)
	}
	return &OIDCRuntime{
		ConnectionID: c.ID, OrganizationID: c.OrganizationID, AttributeMapping: cfg.AttributeMapping,
		Config: oidc.Config{
			Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: string(secret),
			AuthorizationURL: cfg.AuthorizationURL, TokenURL: cfg.TokenURL, UserinfoURL: cfg.UserinfoURL,
			JWKSURL: cfg.JWKSURL, RedirectURL: s.CallbackURL(c), Scopes: scopes,
			TokenAuthMethod: oidc.ChooseTokenAuthMethod(cfg.TokenAuthMethods),
		},
	}, nil
}

// SealClientSecret seals an OIDC client secret for storage in a connection.
func (s *Service) sealClientSecret(connID, secret string) (string, error) {
	return s.Sealer.Seal([]byte(secret), sealAAD(connID, "client_secret"))
}
