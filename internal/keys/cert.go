package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// MaxCertificatePEMLen caps the text accepted by ParseCertificatePEM. IdP
// signing certificates are 1-3 KiB; 32 KiB leaves room for large extensions.
const MaxCertificatePEMLen = 32 << 10

// ErrCertificateInvalid is returned for any input ParseCertificatePEM rejects;
// it maps to Stytch's invalid_x509_certificate.
var ErrCertificateInvalid = errors.New("keys: invalid X.509 certificate")

// CertOptions describes a self-signed certificate. NotBefore and NotAfter come
// from the caller's injected clock.
type CertOptions struct {
	CommonName   string
	Organization string // also the issuer organization, e.g. "Seam"
	NotBefore    time.Time
	NotAfter     time.Time
}

// IssueSelfSigned creates a self-signed certificate for key (RSA, signed with
// SHA256-RSA, or ECDSA, signed with ECDSA-SHA256). The 127-bit serial number
// is read from random.
func IssueSelfSigned(random io.Reader, key crypto.Signer, opts CertOptions) (*x509.Certificate, string, error) {
	if key == nil {
		return nil, "", errors.New("keys: IssueSelfSigned needs a key")
	}
	if opts.NotBefore.IsZero() || !opts.NotAfter.After(opts.NotBefore) {
		return nil, "", errors.New("keys: certificate validity: NotAfter must be after a non-zero NotBefore")
	}
	var sigAlg x509.SignatureAlgorithm
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < MinRSABits {
			return nil, "", fmt.Errorf("keys: RSA key of %d bits is too small to certify", pub.N.BitLen())
		}
		sigAlg = x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		sigAlg = x509.ECDSAWithSHA256
	default:
		return nil, "", fmt.Errorf("keys: unsupported key type %T", pub)
	}

	serialBytes := make([]byte, 16)
	if _, err := io.ReadFull(random, serialBytes); err != nil {
		return nil, "", fmt.Errorf("keys: read serial number: %w", err)
	}
	serialBytes[0] &= 0x7f // positive and at most 16 octets in DER
	serial := new(big.Int).SetBytes(serialBytes)
	if serial.Sign() == 0 {
		serial.SetInt64(1) // RFC 5280 requires a positive serial
	}

	name := pkix.Name{CommonName: opts.CommonName}
	if opts.Organization != "" {
		name.Organization = []string{opts.Organization}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             opts.NotBefore.UTC(),
		NotAfter:              opts.NotAfter.UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    sigAlg,
	}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, "", fmt.Errorf("keys: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, "", fmt.Errorf("keys: parse issued certificate: %w", err)
	}
	return cert, EncodeCertificatePEM(cert), nil
}

// PEM armour of a certificate.
const (
	certBegin = "-----BEGIN CERTIFICATE-----"
	certEnd   = "-----END CERTIFICATE-----"
)

// certificateFromPEM returns the DER of exactly one CERTIFICATE block. It
// also takes a block whose line breaks were lost or escaped on the way (PEM
// pasted into JSON as one line: header, base64 and footer separated by
// spaces or by literal \n), and names what is wrong otherwise.
func certificateFromPEM(data []byte) ([]byte, error) {
	if bytes.Count(data, []byte("-----BEGIN")) > 1 {
		return nil, fmt.Errorf("%w: expected exactly one certificate", ErrCertificateInvalid)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN ")) {
		return nil, fmt.Errorf("%w: malformed PEM: it must start with %s", ErrCertificateInvalid, certBegin)
	}
	if block, rest := pem.Decode(data); block != nil {
		switch {
		case block.Type != "CERTIFICATE":
			return nil, fmt.Errorf("%w: PEM block is not a CERTIFICATE", ErrCertificateInvalid)
		case len(block.Headers) > 0:
			return nil, fmt.Errorf("%w: PEM headers are not allowed", ErrCertificateInvalid)
		case len(bytes.TrimSpace(rest)) != 0:
			return nil, fmt.Errorf("%w: expected exactly one certificate", ErrCertificateInvalid)
		}
		return block.Bytes, nil
	}
	// encoding/pem refused it: accept the one-line forms, or say why.
	if !bytes.HasPrefix(data, []byte(certBegin)) {
		return nil, fmt.Errorf("%w: PEM block is not a CERTIFICATE (expected %s)", ErrCertificateInvalid, certBegin)
	}
	i := bytes.Index(data, []byte(certEnd))
	if i < 0 {
		return nil, fmt.Errorf("%w: the PEM has no %s line (is it cut off?)", ErrCertificateInvalid, certEnd)
	}
	if strings.TrimSpace(strings.NewReplacer(`\r`, "", `\n`, "").Replace(string(data[i+len(certEnd):]))) != "" {
		return nil, fmt.Errorf("%w: unexpected text after %s", ErrCertificateInvalid, certEnd)
	}
	body := string(data[len(certBegin):i])
	body = strings.NewReplacer(`\r`, "", `\n`, "").Replace(body)
	body = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, body)
	if strings.Contains(body, ":") {
		return nil, fmt.Errorf("%w: PEM headers are not allowed", ErrCertificateInvalid)
	}
	der, err := base64.StdEncoding.Strict().DecodeString(body)
	if err != nil || len(der) == 0 {
		return nil, fmt.Errorf("%w: the text between %s and %s is not base64", ErrCertificateInvalid, certBegin, certEnd)
	}
	return der, nil
}

// ParseCertificatePEM accepts exactly one "CERTIFICATE" PEM block, or the bare
// base64 DER that IdP metadata carries in <ds:X509Certificate> (line breaks
// and spaces inside it allowed), with surrounding whitespace tolerated; CRLF
// line ends, and a PEM block on one line (line breaks lost or escaped as
// \n), are accepted. Every rejection wraps ErrCertificateInvalid and names
// what is wrong; messages never echo the input.
func ParseCertificatePEM(s string) (*x509.Certificate, error) {
	if len(s) > MaxCertificatePEMLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrCertificateInvalid, MaxCertificatePEMLen)
	}
	data := bytes.TrimSpace([]byte(s))
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrCertificateInvalid)
	}
	var der []byte
	if bytes.HasPrefix(data, []byte("-----")) {
		var err error
		if der, err = certificateFromPEM(data); err != nil {
			return nil, err
		}
	} else {
		compact := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n':
				return -1
			}
			return r
		}, string(data))
		var err error
		der, err = base64.StdEncoding.Strict().DecodeString(compact)
		if err != nil {
			der, err = base64.RawStdEncoding.Strict().DecodeString(compact)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: neither PEM nor base64 DER", ErrCertificateInvalid)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: not a well-formed X.509 certificate", ErrCertificateInvalid)
	}
	return cert, nil
}

// EncodeCertificatePEM returns cert as a "CERTIFICATE" PEM block.
func EncodeCertificatePEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// FingerprintSHA256 returns the SHA-256 of the certificate's DER as uppercase
// hex pairs joined by colons, the form IdP admin consoles display.
func FingerprintSHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	b.Grow(len(h) + len(h)/2)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}
