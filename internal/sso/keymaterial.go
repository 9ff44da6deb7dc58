package sso

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
)

// certValidity is the lifetime of certificates Seam issues for its own keys.
const certValidity = 10 * 365 * 24 * time.Hour

// issuerName is the issuer of every certificate Seam creates.
const issuerName = "Seam"

// newSigningCert wraps key in a fresh self-signed certificate and seals the
// key for storage.
func (s *Service) newSigningCert(connID string, e ids.Environment, key *rsa.PrivateKey) (storedCert, error) {
	now := s.Now()
	id := s.IDs.New(ids.SigningCert, e)
	cert, pemText, err := keys.IssueSelfSigned(s.Rand, key, keys.CertOptions{
		CommonName: connID, Organization: issuerName, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(certValidity),
	})
	if err != nil {
		return storedCert{}, apierr.Internal(err)
	}
	sealed, err := s.Sealer.Seal([]byte(keys.EncodePKCS1PrivateKeyPEM(key)), sealAAD(connID, id))
	if err != nil {
		return storedCert{}, apierr.Internal(err)
	}
	return storedCert{
		ID: id, PEM: pemText, Issuer: issuerName, Fingerprint: keys.FingerprintSHA256(cert),
		CreatedAt: now, UpdatedAt: now, ExpiresAt: cert.NotAfter.UTC(), SealedKey: sealed,
	}, nil
}

// parseUploadedKey maps the keys package's sentinel errors to the Stytch
// error types of the field the key came in.
func parseUploadedKey(pemText, field string) (*rsa.PrivateKey, error) {
	k, err := keys.ParsePKCS1PrivateKeyPEM(pemText)
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, keys.ErrKeyTooLong):
		return nil, apierr.BadRequest("private_key_too_long", field+" is longer than the 16 KiB limit.")
	case errors.Is(err, keys.ErrKeyFormatNotSupported):
		typ := "saml_signing_private_key_format_not_supported"
		if field == "saml_encryption_private_key" {
			typ = "saml_encryption_private_key_format_not_supported"
		}
		return nil, apierr.BadRequest(typ, field+" must be a PKCS#1 RSA private key (-----BEGIN RSA PRIVATE KEY-----); PKCS#8, EC and encrypted keys are not supported.")
	default:
		typ := "saml_signing_private_key_invalid"
		if field == "saml_encryption_private_key" {
			typ = "saml_encryption_private_key_invalid"
		}
		return nil, apierr.BadRequest(typ, field+" is not a valid RSA private key of 2048 to 8192 bits.")
	}
}

// addVerificationCert parses a PEM certificate from the IdP and appends it,
// ignoring a certificate that is already present.
func (s *Service) addVerificationCert(cfg *samlConfig, e ids.Environment, pemText string) error {
	cert, err := keys.ParseCertificatePEM(pemText)
	if err != nil {
		// The parser's reasons name the problem and never echo the input.
		reason := strings.TrimPrefix(err.Error(), keys.ErrCertificateInvalid.Error()+": ")
		return apierr.BadRequest("invalid_x509_certificate", "x509_certificate is not a valid PEM-encoded X.509 certificate: "+reason+".")
	}
	return s.appendVerification(cfg, e, cert)
}

func (s *Service) appendVerification(cfg *samlConfig, e ids.Environment, cert *x509.Certificate) error {
	// The verifier refuses responses signed under an expired certificate;
	// saying so now spares the admin a failed login later.
	if now := s.Now(); now.After(cert.NotAfter) {
		return apierr.BadRequest("invalid_x509_certificate",
			"x509_certificate expired on "+cert.NotAfter.UTC().Format("2006-01-02")+"; upload the IdP's current signing certificate.")
	}
	fp := keys.FingerprintSHA256(cert)
	for _, c := range cfg.Verification {
		if c.Fingerprint == fp {
			return nil
		}
	}
	if len(cfg.Verification) >= maxVerificationCerts {
		return apierr.BadRequest("too_many_sso_verification_certificates",
			"A connection holds at most 5 verification certificates; delete one before adding another.")
	}
	now := s.Now()
	issuer := cert.Issuer.CommonName
	if issuer == "" {
		issuer = cert.Issuer.String()
	}
	cfg.Verification = append(cfg.Verification, storedCert{
		ID: s.IDs.New(ids.VerificationCert, e), PEM: keys.EncodeCertificatePEM(cert), Issuer: issuer,
		Fingerprint: fp, CreatedAt: now, UpdatedAt: now, ExpiresAt: cert.NotAfter.UTC(),
	})
	return nil
}

// addEncryptionKey seals an uploaded decryption key and issues a certificate
// for its public half; a key already present is ignored.
func (s *Service) addEncryptionKey(cfg *samlConfig, connID string, e ids.Environment, pemText string) error {
	key, err := parseUploadedKey(pemText, "saml_encryption_private_key")
	if err != nil {
		return err
	}
	now := s.Now()
	cert, certPEM, err := keys.IssueSelfSigned(s.Rand, key, keys.CertOptions{
		CommonName: connID + " encryption", Organization: issuerName, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(certValidity),
	})
	if err != nil {
		return apierr.Internal(err)
	}
	// The fingerprint of the public key identifies the key across certificates.
	fp := keys.FingerprintSHA256(&x509.Certificate{Raw: cert.RawSubjectPublicKeyInfo})
	for _, k := range cfg.Encryption {
		if k.Fingerprint == fp {
			return nil
		}
	}
	if len(cfg.Encryption) >= maxEncryptionKeys {
		return apierr.BadRequest("too_many_saml_encryption_private_keys",
			"A connection holds at most 5 encryption private keys; delete one before adding another.")
	}
	id := s.IDs.New(ids.EncryptionKey, e)
	sealed, err := s.Sealer.Seal([]byte(keys.EncodePKCS1PrivateKeyPEM(key)), sealAAD(connID, id))
	if err != nil {
		return apierr.Internal(err)
	}
	cfg.Encryption = append(cfg.Encryption, storedKey{ID: id, SealedKey: sealed, CertPEM: certPEM, Fingerprint: fp, CreatedAt: now})
	return nil
}
