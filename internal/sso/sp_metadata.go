package sso

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/saml"
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
	p := saml.SPMetadataParams{
		EntityID: s.CallbackURL(c), ACSURL: s.CallbackURL(c), AlternativeACSURL: cfg.AltACSURL,
		NameIDFormat: cfg.NameIDFormat,
	}
	if len(cfg.Signing) > 0 {
		if p.SigningCertificate, err = keys.ParseCertificatePEM(cfg.Signing[0].PEM); err != nil {
			return nil, apierr.Internal(err)
		}
	}
	for _, sc := range nextSigning(cfg) {
		cert, err := keys.ParseCertificatePEM(sc.PEM)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		p.NextSigningCertificates = append(p.NextSigningCertificates, cert)
	}
	for _, k := range cfg.Encryption {
		cert, err := keys.ParseCertificatePEM(k.CertPEM)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		p.EncryptionCertificates = append(p.EncryptionCertificates, cert)
	}
	out, err := saml.SPMetadata(p)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return out, nil
}
