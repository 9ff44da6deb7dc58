// Package samltest is an in-process SAML 2.0 identity provider for tests. It
// builds Response documents, signs them with its own XML-DSig signer (any
// algorithm, transform or reference, so hostile variants can be validly
// signed), encrypts assertions with XML Encryption, and hands the etree
// document to the test for mutation before encoding. It has no dependency on
// package saml, so both that package's tests and HTTP tests of the login
// service can use it.
//
// Nothing here is for production: keys are generated in memory and nothing
// is hardened against hostile input.
package samltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"time"
)

// Key is a signing key with its self-signed certificate.
type Key struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate
}

// RSA returns the key as *rsa.PrivateKey, or nil.
func (k *Key) RSA() *rsa.PrivateKey {
	r, _ := k.Signer.(*rsa.PrivateKey)
	return r
}

// NewRSAKey generates an RSA key of the given size with a self-signed
// certificate valid from notBefore to notAfter.
func NewRSAKey(bits int, commonName string, notBefore, notAfter time.Time) (*Key, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	return NewKey(k, commonName, notBefore, notAfter)
}

// NewECDSAKey generates an ECDSA key on curve with a self-signed certificate.
func NewECDSAKey(curve elliptic.Curve, commonName string, notBefore, notAfter time.Time) (*Key, error) {
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, err
	}
	return NewKey(k, commonName, notBefore, notAfter)
}

// NewKey wraps an existing signer with a fresh self-signed certificate.
func NewKey(signer crypto.Signer, commonName string, notBefore, notAfter time.Time) (*Key, error) {
	cert, err := SelfSignedCertificate(signer, commonName, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	return &Key{Signer: signer, Certificate: cert}, nil
}

// SelfSignedCertificate issues a self-signed certificate for signer.
func SelfSignedCertificate(signer crypto.Signer, commonName string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	if signer == nil {
		return nil, errors.New("samltest: nil signer")
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
