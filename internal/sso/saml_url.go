package sso

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/store"
)

// SAMLMetadataURL is the body of Update SAML Connection by Metadata URL.
type SAMLMetadataURL struct {
	ConnectionID string `json:"connection_id"`
	MetadataURL  string `json:"metadata_url"`
}

// UpdateSAMLByURL fetches the IdP's metadata through the guarded client and
// sets idp_entity_id, idp_sso_url and the verification certificates from it.
// It never touches attribute_mapping. The fetch happens before the
// transaction so no row lock is held across network I/O; every failure
// leaves the connection unchanged.
func (s *Service) UpdateSAMLByURL(ctx context.Context, p *store.Project, org *store.Organization, id string, in SAMLMetadataURL) (*Updated, error) {
	if err := apierr.CheckBodyID("connection_id", id, in.ConnectionID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.MetadataURL) == "" {
		return nil, apierr.BadRequest("invalid_saml_metadata_url", "metadata_url is required.")
	}
	// Fail fast on an unknown connection before fetching anything.
	if _, err := s.Get(ctx, org, store.KindSAML, id); err != nil {
		return nil, err
	}
	if s.Fetch == nil {
		return nil, apierr.Internal(errors.New("sso: metadata fetching is not configured"))
	}
	if err := s.admitOutbound(org.ProjectID); err != nil {
		return nil, err
	}
	md, err := s.fetchIDPMetadata(ctx, in.MetadataURL)
	if err != nil {
		return nil, err
	}
	e := env(p)
	return s.mutateSAMLTx(ctx, org, id, func(q store.Queries, c *store.Connection, cfg *samlConfig) error {
		if err := s.applyIDPMetadata(cfg, e, md); err != nil {
			return err
		}
		// Remembered in the same transaction, so the scheduled refresh
		// (saml_refresh.go) follows the URL this update succeeded with.
		return s.rememberMetadataURL(ctx, q, c, in.MetadataURL)
	})
}

// applyIDPMetadata sets a SAML connection's IdP settings from its metadata.
func (s *Service) applyIDPMetadata(cfg *samlConfig, e ids.Environment, md *idpMetadata) error {
	cfg.IDPEntityID = md.EntityID
	cfg.IDPSSOURL = md.SSOURL
	// Metadata often still lists a retired certificate during rotation:
	// expired ones are skipped, but at least one must be current.
	added := 0
	for _, cert := range md.Certificates {
		if s.Now().After(cert.NotAfter) {
			continue
		}
		if err := s.appendVerification(cfg, e, cert); err != nil {
			return err
		}
		added++
	}
	if added == 0 {
		return apierr.BadRequest("saml_connection_metadata_invalid_format", "The metadata's signing certificates have all expired.")
	}
	return nil
}

// idpMetadata is what an IdP's metadata document contributes to a
// connection, validated by the rules of the API fields it fills.
type idpMetadata struct {
	EntityID     string
	SSOURL       string
	Certificates []*x509.Certificate
}

// fetchIDPMetadata fetches metadataURL through the guarded client, parses
// it and validates the entity ID and SSO URL. Both the API update and the
// scheduled refresh go through it.
func (s *Service) fetchIDPMetadata(ctx context.Context, metadataURL string) (*idpMetadata, error) {
	body, err := s.Fetch.FetchMetadata(ctx, metadataURL)
	if err != nil {
		return nil, err
	}
	return parseIDPMetadata(body)
}

// parseIDPMetadata parses an IdP metadata document and validates its entity
// ID and SSO URL: the one rule for a fetched document and an uploaded one
// (UpdateSAMLByMetadata).
func parseIDPMetadata(body []byte) (*idpMetadata, error) {
	md, err := saml.ParseIDPMetadata(body)
	if err != nil {
		return nil, err
	}
	ssoURL := md.SSOURLRedirect
	if ssoURL == "" {
		ssoURL = md.SSOURLPost
	}
	if err := validateIDPSSOURL(ssoURL); err != nil {
		return nil, err
	}
	if err := validateEntityID("entityID in the metadata", "invalid_idp_entity_id", md.EntityID); err != nil {
		return nil, err
	}
	return &idpMetadata{EntityID: md.EntityID, SSOURL: ssoURL, Certificates: md.Certificates}, nil
}
