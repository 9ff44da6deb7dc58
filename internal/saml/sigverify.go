package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// verifyEnveloped checks the enveloped signature sig of el (sig is a direct
// child of el) and returns the element goxmldsig verified: a fresh tree parsed
// from exactly the canonical bytes whose digest matched, without the
// signature. Callers read only that element.
//
// Certificate policy: the certificates in Trust are pinned. A KeyInfo
// certificate must be byte-identical to one of them and then selects it;
// without one, every trusted certificate is tried. A pinned certificate is
// used only inside its validity period (certificate_expired otherwise): an
// IdP that lets its signing certificate expire must rotate it, and Seam
// reports exactly that rather than silently trusting a key the IdP itself
// declared retired.
func verifyEnveloped(el, sig *etree.Element, t *Trust, facts *Facts) (*etree.Element, string, *Rejection) {
	id := attrValue(el, "ID")
	info, rej := checkSignature(sig, id)
	if rej != nil {
		return nil, "", rej
	}
	candidates, rej := selectCertificates(info, t, facts)
	if rej != nil {
		return nil, "", rej
	}

	detached := detachWithNamespaces(el)
	sigCopy, ok := detached.Child[sig.Index()].(*etree.Element)
	if !ok {
		return nil, "", reject(ReasonSignatureInvalid, "the signature could not be located")
	}
	// goxmldsig insists on an X509Certificate when KeyInfo is present; a
	// KeyInfo without one (KeyName, KeyValue) carries nothing we trust and is
	// not covered by the signature, so it is dropped.
	if info.keyInfo != nil && info.keyInfoCert == nil {
		sigCopy.RemoveChildAt(info.keyInfo.Index())
	}
	if info.ecdsa {
		if rej := ecdsaSignatureToDER(sigCopy); rej != nil {
			return nil, "", rej
		}
	}

	for _, cert := range candidates {
		vc := &dsig.ValidationContext{
			CertificateStore: &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}},
			IdAttribute:      dsig.DefaultIdAttr,
			Clock:            dsig.NewFakeClockAt(t.Now),
		}
		verified, err := vc.Validate(detached)
		if err != nil {
			continue
		}
		if verified == nil || verified.Tag != el.Tag || attrValue(verified, "ID") != id {
			return nil, "", reject(ReasonSignatureInvalid, "the verified element is not the signed element")
		}
		fp := Fingerprint(cert.Raw)
		facts.CertificateFingerprint = fp
		return verified, fp, nil
	}
	return nil, "", reject(ReasonSignatureInvalid,
		fmt.Sprintf("the %s signature does not verify with the connection's verification certificate(s)", clean(el.Tag)))
}

// detachWithNamespaces copies el and declares on the copy every namespace in
// scope at its parent that el does not declare itself, so the copy
// canonicalizes exactly as el does in place. (etreeutils.NSDetatch does the
// same but refuses subtrees of more than 1000 elements.)
func detachWithNamespaces(el *etree.Element) *etree.Element {
	cp := el.Copy()
	parent := el.Parent()
	if parent == nil {
		return cp
	}
	own := map[string]bool{}
	for _, a := range el.Attr {
		switch {
		case a.Space == "xmlns":
			own[a.Key] = true
		case a.Space == "" && a.Key == "xmlns":
			own[""] = true
		}
	}
	inherited := inScopeNamespaces(parent)
	for _, prefix := range sortedKeys(inherited) {
		if own[prefix] {
			continue
		}
		if prefix == "" {
			if inherited[""] != "" {
				cp.CreateAttr("xmlns", inherited[""])
			}
			continue
		}
		cp.CreateAttr("xmlns:"+prefix, inherited[prefix])
	}
	return cp
}

func selectCertificates(info *signatureInfo, t *Trust, facts *Facts) ([]*x509.Certificate, *Rejection) {
	if info.keyInfoCert != nil {
		fp := Fingerprint(info.keyInfoCert)
		facts.CertificateFingerprint = fp
		for _, c := range t.Certificates {
			if !bytes.Equal(c.Raw, info.keyInfoCert) {
				continue
			}
			if !validAt(c, t) {
				return nil, reject(ReasonCertificateExpired, fmt.Sprintf(
					"the signing certificate %s is valid from %s to %s; rotate it at the IdP and in the connection",
					fp, c.NotBefore.UTC().Format(timeLayout), c.NotAfter.UTC().Format(timeLayout)))
			}
			return []*x509.Certificate{c}, nil
		}
		return nil, reject(ReasonUnknownCertificate, fmt.Sprintf(
			"the certificate in the signature's KeyInfo (SHA-256 %s) is not one of the connection's verification certificates", fp))
	}
	var valid []*x509.Certificate
	for _, c := range t.Certificates {
		if validAt(c, t) {
			valid = append(valid, c)
		}
	}
	if len(valid) == 0 {
		facts.CertificateFingerprint = Fingerprint(t.Certificates[0].Raw)
		return nil, reject(ReasonCertificateExpired,
			"every verification certificate of the connection is outside its validity period; rotate it at the IdP and in the connection")
	}
	return valid, nil
}

func validAt(c *x509.Certificate, t *Trust) bool {
	return !t.Now.Before(c.NotBefore) && !t.Now.After(c.NotAfter)
}

// ecdsaSignatureToDER rewrites an XML-DSig ECDSA SignatureValue (r||s, as
// RFC 4050 and XML-DSig 1.1 specify) into the ASN.1 form goxmldsig verifies.
// A value that already is ASN.1 is left alone. SignatureValue is outside
// SignedInfo, so this changes nothing that is signed.
func ecdsaSignatureToDER(sig *etree.Element) *Rejection {
	sv, _ := onlyChild(sig, nsDSig, "SignatureValue")
	if sv == nil {
		return reject(ReasonSignatureShapeInvalid, "Signature lacks SignatureValue")
	}
	raw, err := decodeBase64Text(sv)
	if err != nil {
		return reject(ReasonSignatureShapeInvalid, "SignatureValue is not base64")
	}
	var parsed struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(raw, &parsed); err == nil && len(rest) == 0 {
		return nil
	}
	if len(raw) == 0 || len(raw)%2 != 0 || len(raw) > 2*66 {
		return reject(ReasonSignatureInvalid, "the ECDSA SignatureValue has an impossible length")
	}
	half := len(raw) / 2
	der, err := asn1.Marshal(struct{ R, S *big.Int }{
		R: new(big.Int).SetBytes(raw[:half]),
		S: new(big.Int).SetBytes(raw[half:]),
	})
	if err != nil {
		return reject(ReasonSignatureInvalid, "the ECDSA SignatureValue cannot be decoded")
	}
	sv.SetText(base64.StdEncoding.EncodeToString(der))
	return nil
}

const timeLayout = "2006-01-02T15:04:05Z"
