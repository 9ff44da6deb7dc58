package saml

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
)

// SPMetadataParams describe one SAML connection as a service provider.
type SPMetadataParams struct {
	// EntityID is the connection's audience URI.
	EntityID string
	// ACSURL is published with index 0 as the default HTTP-POST endpoint;
	// AlternativeACSURL, when set, with index 1.
	ACSURL            string
	AlternativeACSURL string
	// SigningCertificate is the connection's signing certificate (the key
	// that signs AuthnRequests).
	SigningCertificate *x509.Certificate
	// NextSigningCertificates are published as signing keys too, before
	// they sign: an IdP that verifies AuthnRequest signatures learns them
	// ahead of a signing-certificate rotation.
	NextSigningCertificates []*x509.Certificate
	// EncryptionCertificates each get a KeyDescriptor use="encryption".
	EncryptionCertificates []*x509.Certificate
	// NameIDFormat is the requested format; empty omits it.
	NameIDFormat string
	// ValidUntil, when set, is published as validUntil.
	ValidUntil time.Time
}

// encryptionMethods are the algorithms decryptAssertion supports, strongest
// first, advertised so IdPs that read them pick one Seam can decrypt.
func encryptionMethods() []string {
	return []string{algAES256GCM, algAES128GCM, algAES256CBC, algAES128CBC, algRSAOAEP11, algRSAOAEPMGF1P}
}

// SPMetadata returns the SP metadata document of a connection.
func SPMetadata(p SPMetadataParams) ([]byte, error) {
	if p.EntityID == "" {
		return nil, errors.New("saml: SP metadata needs an entity ID")
	}
	if _, err := checkHTTPURL(p.ACSURL); err != nil {
		return nil, fmt.Errorf("saml: ACS URL: %w", err)
	}
	if p.AlternativeACSURL != "" {
		if _, err := checkHTTPURL(p.AlternativeACSURL); err != nil {
			return nil, fmt.Errorf("saml: alternative ACS URL: %w", err)
		}
	}
	if p.SigningCertificate == nil || len(p.SigningCertificate.Raw) == 0 {
		return nil, errors.New("saml: SP metadata needs the signing certificate")
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMetadata)
	ed.CreateAttr("xmlns:ds", nsDSig)
	ed.CreateAttr("entityID", p.EntityID)
	if !p.ValidUntil.IsZero() {
		ed.CreateAttr("validUntil", p.ValidUntil.UTC().Format(time.RFC3339))
	}
	sp := ed.CreateElement("md:SPSSODescriptor")
	sp.CreateAttr("AuthnRequestsSigned", "true")
	sp.CreateAttr("WantAssertionsSigned", "true")
	sp.CreateAttr("protocolSupportEnumeration", nsProtocol)

	keyDescriptor(sp, "signing", p.SigningCertificate)
	for i, c := range p.NextSigningCertificates {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("saml: next signing certificate %d is empty", i)
		}
		keyDescriptor(sp, "signing", c)
	}
	for i, c := range p.EncryptionCertificates {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("saml: encryption certificate %d is empty", i)
		}
		kd := keyDescriptor(sp, "encryption", c)
		for _, alg := range encryptionMethods() {
			kd.CreateElement("md:EncryptionMethod").CreateAttr("Algorithm", alg)
		}
	}
	if p.NameIDFormat != "" {
		sp.CreateElement("md:NameIDFormat").SetText(p.NameIDFormat)
	}
	acs := sp.CreateElement("md:AssertionConsumerService")
	acs.CreateAttr("Binding", BindingHTTPPost)
	acs.CreateAttr("Location", p.ACSURL)
	acs.CreateAttr("index", "0")
	acs.CreateAttr("isDefault", "true")
	if p.AlternativeACSURL != "" {
		alt := sp.CreateElement("md:AssertionConsumerService")
		alt.CreateAttr("Binding", BindingHTTPPost)
		alt.CreateAttr("Location", p.AlternativeACSURL)
		alt.CreateAttr("index", "1")
	}
	doc.Indent(2)
	return doc.WriteToBytes()
}

func keyDescriptor(parent *etree.Element, use string, cert *x509.Certificate) *etree.Element {
	kd := parent.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", use)
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(cert.Raw))
	return kd
}
