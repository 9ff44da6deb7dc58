package saml

import (
	"crypto"
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

// Algorithms is the algorithm policy a connection allows. The zero value is
// Seam's default: RSA PKCS#1 v1.5 and ECDSA with SHA-256 or stronger, SHA-256
// or stronger digests. SHA-1, DSA and HMAC methods are refused.
type Algorithms struct {
	// LegacyRSASHA1 additionally allows rsa-sha1 signatures and sha1
	// digests, for IdPs that cannot sign with anything better (older ADFS
	// and OneLogin setups). It is an explicit per-connection opt-in, shown as
	// a warning wherever the connection is displayed; ECDSA-SHA1 stays
	// refused.
	LegacyRSASHA1 bool
}

// signatureMethod resolves an allowed SignatureMethod to its hash and key
// type.
func (p Algorithms) signatureMethod(alg string) (h crypto.Hash, ecdsa, ok bool) {
	switch alg {
	case algRSASHA256:
		return crypto.SHA256, false, true
	case algRSASHA384:
		return crypto.SHA384, false, true
	case algRSASHA512:
		return crypto.SHA512, false, true
	case algECDSASHA256:
		return crypto.SHA256, true, true
	case algECDSASHA384:
		return crypto.SHA384, true, true
	case algECDSASHA512:
		return crypto.SHA512, true, true
	case algRSASHA1:
		return crypto.SHA1, false, p.LegacyRSASHA1
	}
	return 0, false, false
}

// digestMethod resolves an allowed DigestMethod to its hash.
func (p Algorithms) digestMethod(alg string) (crypto.Hash, bool) {
	switch alg {
	case algSHA256:
		return crypto.SHA256, true
	case algSHA384:
		return crypto.SHA384, true
	case algSHA512:
		return crypto.SHA512, true
	case algSHA1:
		return crypto.SHA1, p.LegacyRSASHA1
	}
	return 0, false
}

func (p Algorithms) advice() string {
	if p.LegacyRSASHA1 {
		return "use RSA or ECDSA with SHA-256 or stronger (rsa-sha1 is allowed on this connection)"
	}
	return "use RSA or ECDSA with SHA-256 or stronger"
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
	signedInfo *etree.Element
	// c14n and c14nPrefixes canonicalize SignedInfo.
	c14n, c14nPrefixes string
	method             string
	hash               crypto.Hash
	ecdsa              bool
	value              []byte
	keyInfo            *etree.Element
	// keyInfoCert is the DER of KeyInfo's first X509Certificate, nil when
	// KeyInfo carries no certificate.
	keyInfoCert []byte
	// ref is what the only Reference says; it is used once SignedInfo's
	// signature verified (verifyEnveloped).
	ref *reference
}

// reference is what a checked Reference says about the signed element.
type reference struct {
	// c14n and prefixes canonicalize the element after the enveloped
	// transform.
	c14n, prefixes string
	hash           crypto.Hash
	digest         []byte
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
func checkSignature(sig *etree.Element, id string, algs Algorithms) (*signatureInfo, *Rejection) {
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
	info.signedInfo = signedInfo

	si, rej := dsChildren(signedInfo, "SignedInfo")
	if rej != nil {
		return nil, rej
	}
	if len(si) != 3 || si[0].Tag != "CanonicalizationMethod" || si[1].Tag != "SignatureMethod" || si[2].Tag != "Reference" {
		return nil, shape("SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference")
	}
	info.c14n = attrValue(si[0], "Algorithm")
	if !isCanonicalization(info.c14n) {
		return nil, reject(ReasonTransformNotAllowed, fmt.Sprintf("canonicalization %q is not allowed", clean(info.c14n)))
	}
	if info.c14nPrefixes, rej = checkTransformChildren(si[0], info.c14n); rej != nil {
		return nil, rej
	}
	info.method = attrValue(si[1], "Algorithm")
	var ok bool
	if info.hash, info.ecdsa, ok = algs.signatureMethod(info.method); !ok {
		return nil, reject(ReasonAlgorithmNotAllowed,
			fmt.Sprintf("signature method %q is not allowed; %s", clean(info.method), algs.advice()))
	}
	if hasChildElements(si[1]) {
		return nil, shape("SignatureMethod has unexpected children")
	}

	if info.ref, rej = checkReference(si[2], id, algs); rej != nil {
		return nil, rej
	}

	value, err := decodeBase64Text(signatureValue)
	if err != nil || len(value) == 0 || hasChildElements(signatureValue) {
		return nil, shape("SignatureValue is not base64")
	}
	info.value = value
	if info.keyInfo != nil {
		der, rej := keyInfoCertificate(info.keyInfo)
		if rej != nil {
			return nil, rej
		}
		info.keyInfoCert = der
	}
	return info, nil
}

// checkReference checks a Reference's shape and algorithms, before any
// cryptography, and returns what it says. The verifier uses the values only
// after the signature over the canonical SignedInfo, which carries every one
// of them, verified.
func checkReference(ref *etree.Element, id string, algs Algorithms) (*reference, *Rejection) {
	shape := func(msg string) *Rejection { return reject(ReasonSignatureShapeInvalid, msg) }
	out := &reference{}
	uri, present := attr(ref, "URI")
	if !present || uri != "#"+id {
		return nil, reject(ReasonReferenceURIMismatch,
			fmt.Sprintf("the signature's Reference URI is %q; it must be \"#\" followed by the ID of the element that carries the signature (%q)", clean(uri), clean(id)))
	}
	parts, rej := dsChildren(ref, "Reference")
	if rej != nil {
		return nil, rej
	}
	if len(parts) != 3 || parts[0].Tag != "Transforms" || parts[1].Tag != "DigestMethod" || parts[2].Tag != "DigestValue" {
		return nil, reject(ReasonTransformNotAllowed, "Reference must hold Transforms (enveloped-signature and one canonicalization), DigestMethod and DigestValue")
	}
	transforms, rej := dsChildren(parts[0], "Transforms")
	if rej != nil {
		return nil, rej
	}
	enveloped, canonical := 0, 0
	for _, t := range transforms {
		if t.Tag != "Transform" {
			return nil, shape("Transforms may only contain Transform elements")
		}
		alg := attrValue(t, "Algorithm")
		switch {
		case alg == algEnveloped:
			enveloped++
			if hasChildElements(t) || hasNonSpaceText(t) {
				return nil, reject(ReasonTransformNotAllowed, "the enveloped-signature transform has parameters")
			}
		case isCanonicalization(alg):
			canonical++
			out.c14n = alg
			if out.prefixes, rej = checkTransformChildren(t, alg); rej != nil {
				return nil, rej
			}
		default:
			return nil, reject(ReasonTransformNotAllowed,
				fmt.Sprintf("transform %q is not allowed; only enveloped-signature and canonicalization without comments are", clean(alg)))
		}
	}
	if enveloped != 1 || canonical != 1 || len(transforms) != 2 {
		return nil, reject(ReasonTransformNotAllowed, "the transforms must be exactly enveloped-signature and one canonicalization")
	}
	digestAlg := attrValue(parts[1], "Algorithm")
	var ok bool
	if out.hash, ok = algs.digestMethod(digestAlg); !ok {
		return nil, reject(ReasonAlgorithmNotAllowed,
			fmt.Sprintf("digest method %q is not allowed; %s", clean(digestAlg), algs.advice()))
	}
	if hasChildElements(parts[1]) {
		return nil, shape("DigestMethod has unexpected children")
	}
	digest, err := decodeBase64Text(parts[2])
	if err != nil || len(digest) != out.hash.Size() || hasChildElements(parts[2]) {
		return nil, shape("DigestValue is not a base64 digest of the declared size")
	}
	out.digest = digest
	return out, nil
}

// checkTransformChildren allows only one InclusiveNamespaces prefix list, and
// only on exclusive canonicalization; anything else (an XPath expression, an
// XSLT stylesheet) is a transform Seam does not run. It returns the prefix
// list.
func checkTransformChildren(el *etree.Element, alg string) (string, *Rejection) {
	if hasNonSpaceText(el) {
		return "", reject(ReasonTransformNotAllowed, "a canonicalization method has text content")
	}
	prefixes, seen := "", false
	for _, c := range el.ChildElements() {
		if alg == algExcC14N && !seen && is(c, nsExcC14N, "InclusiveNamespaces") && !hasChildElements(c) {
			prefixes, seen = attrValue(c, "PrefixList"), true
			continue
		}
		return "", reject(ReasonTransformNotAllowed,
			fmt.Sprintf("a canonicalization method has an unexpected parameter %s", clean(c.Tag)))
	}
	return prefixes, nil
}

// keyInfoCertificate returns the DER of the first X509Certificate in KeyInfo.
// Every element in KeyInfo and X509Data must be in the XML-DSig namespace.
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
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(out, b)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}
