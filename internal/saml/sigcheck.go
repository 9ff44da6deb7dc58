package saml

import (
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
)

// XML-DSig algorithm identifiers.
const (
	algExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	algC14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	algC14N11              = "http://www.w3.org/2006/12/xml-c14n11"
	algEnveloped           = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA384   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	algRSASHA512   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algECDSASHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	algECDSASHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

	algSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	algSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
)

// signatureMethodIsECDSA is the signature-method allow-list: RSA PKCS#1 v1.5
// and ECDSA with SHA-256 or stronger. SHA-1, DSA and HMAC methods are refused
// (goxmldsig itself would accept rsa-sha1 and ecdsa-sha1).
func signatureMethodIsECDSA(alg string) (ecdsa, ok bool) {
	switch alg {
	case algRSASHA256, algRSASHA384, algRSASHA512:
		return false, true
	case algECDSASHA256, algECDSASHA384, algECDSASHA512:
		return true, true
	}
	return false, false
}

// digestSize is the digest-method allow-list (SHA-256 or stronger).
func digestSize(alg string) int {
	switch alg {
	case algSHA256:
		return 32
	case algSHA384:
		return 48
	case algSHA512:
		return 64
	}
	return 0
}

func isCanonicalization(alg string) bool {
	switch alg {
	case algExcC14N, algC14N10, algC14N11:
		return true
	}
	return false
}

// signatureInfo is what the shape check learned about one ds:Signature.
type signatureInfo struct {
	method  string
	ecdsa   bool
	keyInfo *etree.Element
	// keyInfoCert is the DER of KeyInfo's first X509Certificate (the one
	// goxmldsig uses), nil when KeyInfo carries no certificate.
	keyInfoCert []byte
}

// checkSignature enforces, before any cryptography, the only signature shape
// Seam accepts on an element whose ID is id:
//
//	Signature = SignedInfo SignatureValue KeyInfo?          (no Object)
//	SignedInfo = CanonicalizationMethod SignatureMethod Reference   (exactly one)
//	Reference URI="#id" = Transforms DigestMethod DigestValue
//	Transforms = enveloped-signature and one canonicalization, nothing else
//
// with allow-listed algorithms.
func checkSignature(sig *etree.Element, id string) (*signatureInfo, *Rejection) {
	shape := func(msg string) *Rejection { return reject(ReasonSignatureShapeInvalid, msg) }

	parts, rej := dsChildren(sig, "Signature")
	if rej != nil {
		return nil, rej
	}
	info := &signatureInfo{}
	var signedInfo, signatureValue *etree.Element
	for i, c := range parts {
		switch {
		case c.Tag == "SignedInfo" && i == 0:
			signedInfo = c
		case c.Tag == "SignatureValue" && i == 1:
			signatureValue = c
		case c.Tag == "KeyInfo" && i == 2:
			info.keyInfo = c
		default:
			return nil, shape(fmt.Sprintf("Signature may only contain SignedInfo, SignatureValue and KeyInfo, in that order (found %s)", clean(c.Tag)))
		}
	}
	if signedInfo == nil || signatureValue == nil {
		return nil, shape("Signature lacks SignedInfo or SignatureValue")
	}

	si, rej := dsChildren(signedInfo, "SignedInfo")
	if rej != nil {
		return nil, rej
	}
	if len(si) != 3 || si[0].Tag != "CanonicalizationMethod" || si[1].Tag != "SignatureMethod" || si[2].Tag != "Reference" {
		return nil, shape("SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference")
	}
	c14n := attrValue(si[0], "Algorithm")
	if !isCanonicalization(c14n) {
		return nil, reject(ReasonTransformNotAllowed, fmt.Sprintf("canonicalization %q is not allowed", clean(c14n)))
	}
	if rej := checkTransformChildren(si[0], c14n); rej != nil {
		return nil, rej
	}
	info.method = attrValue(si[1], "Algorithm")
	ecdsa, ok := signatureMethodIsECDSA(info.method)
	if !ok {
		return nil, reject(ReasonAlgorithmNotAllowed,
			fmt.Sprintf("signature method %q is not allowed; use RSA or ECDSA with SHA-256 or stronger", clean(info.method)))
	}
	info.ecdsa = ecdsa
	if len(si[1].ChildElements()) != 0 {
		return nil, shape("SignatureMethod has unexpected children")
	}

	if rej := checkReference(si[2], id); rej != nil {
		return nil, rej
	}

	if _, err := decodeBase64Text(signatureValue); err != nil || len(signatureValue.ChildElements()) != 0 {
		return nil, shape("SignatureValue is not base64")
	}
	if info.keyInfo != nil {
		der, rej := keyInfoCertificate(info.keyInfo)
		if rej != nil {
			return nil, rej
		}
		info.keyInfoCert = der
	}
	return info, nil
}

func checkReference(ref *etree.Element, id string) *Rejection {
	shape := func(msg string) *Rejection { return reject(ReasonSignatureShapeInvalid, msg) }
	uri, present := attr(ref, "URI")
	if !present || uri != "#"+id {
		return reject(ReasonReferenceURIMismatch,
			fmt.Sprintf("the signature's Reference URI is %q; it must be \"#\" followed by the ID of the element that carries the signature (%q)", clean(uri), clean(id)))
	}
	parts, rej := dsChildren(ref, "Reference")
	if rej != nil {
		return rej
	}
	if len(parts) != 3 || parts[0].Tag != "Transforms" || parts[1].Tag != "DigestMethod" || parts[2].Tag != "DigestValue" {
		return reject(ReasonTransformNotAllowed, "Reference must hold Transforms (enveloped-signature and one canonicalization), DigestMethod and DigestValue")
	}
	transforms, rej := dsChildren(parts[0], "Transforms")
	if rej != nil {
		return rej
	}
	enveloped, canonical := 0, 0
	for _, t := range transforms {
		if t.Tag != "Transform" {
			return shape("Transforms may only contain Transform elements")
		}
		alg := attrValue(t, "Algorithm")
		switch {
		case alg == algEnveloped:
			enveloped++
			if len(t.ChildElements()) != 0 || hasNonSpaceText(t) {
				return reject(ReasonTransformNotAllowed, "the enveloped-signature transform has parameters")
			}
		case isCanonicalization(alg):
			canonical++
			if rej := checkTransformChildren(t, alg); rej != nil {
				return rej
			}
		default:
			return reject(ReasonTransformNotAllowed,
				fmt.Sprintf("transform %q is not allowed; only enveloped-signature and canonicalization without comments are", clean(alg)))
		}
	}
	if enveloped != 1 || canonical != 1 || len(transforms) != 2 {
		return reject(ReasonTransformNotAllowed, "the transforms must be exactly enveloped-signature and one canonicalization")
	}
	digestAlg := attrValue(parts[1], "Algorithm")
	size := digestSize(digestAlg)
	if size == 0 {
		return reject(ReasonAlgorithmNotAllowed,
			fmt.Sprintf("digest method %q is not allowed; use SHA-256 or stronger", clean(digestAlg)))
	}
	if len(parts[1].ChildElements()) != 0 {
		return shape("DigestMethod has unexpected children")
	}
	digest, err := decodeBase64Text(parts[2])
	if err != nil || len(digest) != size || len(parts[2].ChildElements()) != 0 {
		return shape("DigestValue is not a base64 digest of the declared size")
	}
	return nil
}

// checkTransformChildren allows only an InclusiveNamespaces prefix list, and
// only on exclusive canonicalization; anything else (an XPath expression, an
// XSLT stylesheet) is a transform Seam does not run.
func checkTransformChildren(el *etree.Element, alg string) *Rejection {
	if hasNonSpaceText(el) {
		return reject(ReasonTransformNotAllowed, "a canonicalization method has text content")
	}
	for _, c := range el.ChildElements() {
		if alg == algExcC14N && is(c, nsExcC14N, "InclusiveNamespaces") && len(c.ChildElements()) == 0 {
			continue
		}
		return reject(ReasonTransformNotAllowed,
			fmt.Sprintf("a canonicalization method has an unexpected parameter %s", clean(c.Tag)))
	}
	return nil
}

// keyInfoCertificate returns the DER of the first X509Certificate in KeyInfo.
//
// Every element in KeyInfo and X509Data must be in the XML-DSig namespace:
// goxmldsig reads KeyInfo with encoding/xml, which matches X509Data and
// X509Certificate in any namespace, so a foreign-namespace element could make
// it pick a different certificate than this check did.
func keyInfoCertificate(keyInfo *etree.Element) ([]byte, *Rejection) {
	if _, rej := dsChildren(keyInfo, "KeyInfo"); rej != nil {
		return nil, rej
	}
	data, ok := onlyChild(keyInfo, nsDSig, "X509Data")
	if !ok {
		return nil, reject(ReasonSignatureShapeInvalid, "KeyInfo has more than one X509Data")
	}
	if data == nil {
		return nil, nil
	}
	if _, rej := dsChildren(data, "X509Data"); rej != nil {
		return nil, rej
	}
	certs := children(data, nsDSig, "X509Certificate")
	if len(certs) == 0 {
		return nil, nil
	}
	der, err := decodeBase64Text(certs[0])
	if err != nil || len(der) == 0 {
		return nil, reject(ReasonUnknownCertificate, "the certificate in KeyInfo is not base64")
	}
	return der, nil
}

// dsChildren returns el's child elements, requiring every one of them to be
// in the XML-DSig namespace and el to have no text of its own.
func dsChildren(el *etree.Element, name string) ([]*etree.Element, *Rejection) {
	if hasNonSpaceText(el) {
		return nil, reject(ReasonSignatureShapeInvalid, name+" has text content")
	}
	cs := el.ChildElements()
	for _, c := range cs {
		if c.NamespaceURI() != nsDSig {
			return nil, reject(ReasonSignatureShapeInvalid,
				fmt.Sprintf("%s contains a foreign element %s", name, clean(c.Tag)))
		}
	}
	return cs, nil
}

// decodeBase64Text decodes an element's text, ignoring XML whitespace.
func decodeBase64Text(el *etree.Element) ([]byte, error) {
	return decodeBase64String(stringValue(el))
}

func decodeBase64String(s string) ([]byte, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		b = append(b, s[i])
	}
	return base64.StdEncoding.DecodeString(string(b))
}
