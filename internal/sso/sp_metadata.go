package sso

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// SPMetadata renders the SP metadata of a SAML connection: entity ID, ACS
// URL(s) with the POST binding, the current signing certificate, encryption
// certificates and the NameID format.
func (s *Service) SPMetadata(ctx context.Context, org *store.Organization, id string) ([]byte, error) {
	c, err := s.Get(ctx, org, store.KindSAML, id)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeSAML(c)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	p := SPMetadataParams{
		EntityID: s.CallbackURL(c.ID), ACSURLs: []string{s.CallbackURL(c.ID)}, NameIDFormat: cfg.NameIDFormat,
	}
	if cfg.AltACSURL != "" {
		p.ACSURLs = append(p.ACSURLs, cfg.AltACSURL)
	}
	if len(cfg.Signing) > 0 {
		p.SigningCert = cfg.Signing[0].PEM
	}
	for _, k := range cfg.Encryption {
		p.EncryptionCerts = append(p.EncryptionCerts, k.CertPEM)
	}
	if s.RenderSPMetadata == nil {
		return nil, apierr.Internal(errors.New("sso: SP metadata rendering is not configured"))
	}
	out, err := s.RenderSPMetadata(p)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return out, nil
}
