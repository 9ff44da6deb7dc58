package sso

import (
	"context"
	"crypto/rsa"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

// SP signing-certificate rotation without breaking logins (Seam extension).
// Stytch's signing_private_key switches the signing certificate at once, so
// an IdP that verifies AuthnRequest signatures refuses requests until it is
// given the new certificate. Here a certificate is added first as "next":
// published in the SP metadata beside the signing one, so the IdP learns it;
// activated when the IdP has it (it signs from then on, and the old one is
// no longer published); and the old one is deleted when no longer wanted.

// AddNextSigningCertificate generates a signing key and certificate that
// the SP metadata publishes but that does not sign yet.
func (s *Service) AddNextSigningCertificate(ctx context.Context, p *store.Project, org *store.Organization, id string) (*Updated, error) {
	key, err := keys.GenerateRSAKey(s.Rand, s.keyBits())
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return s.mutateSAML(ctx, org, id, func(c *store.Connection, cfg *samlConfig) error {
		if len(cfg.Signing) >= maxSigningCerts {
			return apierr.BadRequest("too_many_saml_signing_certificates",
				"A connection holds at most 5 signing certificates; delete a retired one before adding another.")
		}
		return s.addNextSigning(c, cfg, env(p), key)
	})
}

// addNextSigning appends a certificate for key that the SP metadata
// publishes but that does not sign yet. The caller has made room for it.
func (s *Service) addNextSigning(c *store.Connection, cfg *samlConfig, e ids.Environment, key *rsa.PrivateKey) error {
	cert, err := s.newSigningCert(c.ID, e, key)
	if err != nil {
		return err
	}
	cert.Next = true
	cfg.Signing = append(cfg.Signing, cert)
	return nil
}

// activateSigning makes the signing certificate at index i the one that
// signs: first in the list, no longer "next".
func (s *Service) activateSigning(cfg *samlConfig, i int) {
	cert := cfg.Signing[i]
	cert.Next = false
	cert.UpdatedAt = s.Now()
	rest := append(cfg.Signing[:i:i], cfg.Signing[i+1:]...)
	cfg.Signing = append([]storedCert{cert}, rest...)
}

// ActivateSigningCertificate makes a signing certificate the one that
// signs AuthnRequests from now on.
func (s *Service) ActivateSigningCertificate(ctx context.Context, org *store.Organization, id, certID string) (*Updated, error) {
	return s.mutateSAML(ctx, org, id, func(c *store.Connection, cfg *samlConfig) error {
		i := indexCert(cfg.Signing, certID)
		if i < 0 {
			return signingNotFound(certID)
		}
		s.activateSigning(cfg, i)
		return nil
	})
}

// DeleteSigningCertificate removes a signing certificate that does not
// sign (a retired or a next one).
func (s *Service) DeleteSigningCertificate(ctx context.Context, org *store.Organization, id, certID string) error {
	_, err := s.mutateSAML(ctx, org, id, func(c *store.Connection, cfg *samlConfig) error {
		i := indexCert(cfg.Signing, certID)
		if i < 0 {
			return signingNotFound(certID)
		}
		if i == 0 {
			return apierr.BadRequest("cannot_delete_active_saml_signing_certificate",
				"This certificate signs the connection's AuthnRequests; activate another one first.")
		}
		cfg.Signing = append(cfg.Signing[:i], cfg.Signing[i+1:]...)
		return nil
	})
	return err
}

func signingNotFound(certID string) *apierr.Error {
	return apierr.NotFound("saml_signing_certificate_not_found", "Signing certificate "+apierr.Quote(certID)+" was not found on this connection.")
}

// nextSigning lists the signing certificates added ahead of a rotation.
func nextSigning(cfg *samlConfig) []storedCert {
	var out []storedCert
	for i, c := range cfg.Signing {
		if i > 0 && c.Next {
			out = append(out, c)
		}
	}
	return out
}

// publishedSigning is the IDs the SP metadata publishes, the signing one first.
func publishedSigning(cfg *samlConfig) []string {
	out := []string{}
	if len(cfg.Signing) > 0 {
		out = append(out, cfg.Signing[0].ID)
	}
	for _, c := range nextSigning(cfg) {
		out = append(out, c.ID)
	}
	return out
}
