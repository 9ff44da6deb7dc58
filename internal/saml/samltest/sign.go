package samltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 vectors must be signable to prove they are refused
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// XML-DSig algorithm identifiers, including ones a verifier must refuse.
const (
	AlgExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	AlgC14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	AlgC14N11              = "http://www.w3.org/2006/12/xml-c14n11"
	AlgEnveloped           = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	AlgXSLT                = "http://www.w3.org/TR/1999/REC-xslt-19991116"
	AlgXPath               = "http://www.w3.org/TR/1999/REC-xpath-19991116"
	AlgXPathFilter2        = "http://www.w3.org/2002/06/xmldsig-filter2"

	AlgRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	AlgRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	AlgRSASHA384   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	AlgRSASHA512   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	AlgECDSASHA1   = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	AlgECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	AlgECDSASHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	AlgECDSASHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"
	AlgHMACSHA1    = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
	AlgHMACSHA256  = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"

	AlgSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	AlgSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	AlgSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	AlgSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
)

// SignOptions select how Sign builds the signature. The zero value is what a
// well-behaved IdP sends: RSA- or ECDSA-SHA256, SHA-256 digest, exclusive
// canonicalization, Reference "#ID", KeyInfo with the signer's certificate.
type SignOptions struct {
	SignatureMethod  string
	DigestMethod     string
	Canonicalization string
	// ReferenceURI overrides "#"+ID (use a pointer to "" for URI="").
	ReferenceURI *string
	// Transforms overrides {enveloped-signature, Canonicalization}. The
	// digest is always computed as enveloped + Canonicalization, so unusual
	// transforms are listed but not executed.
	Transforms []string
	// OmitKeyInfo leaves KeyInfo out.
	OmitKeyInfo bool
	// KeyInfoCertificate is put in KeyInfo instead of the signer's own.
	KeyInfoCertificate *x509.Certificate
	// HMACKey keys an HMAC SignatureMethod.
	HMACKey []byte
	// ECDSAASN1 writes an ECDSA SignatureValue in ASN.1 DER instead of the
	// r||s form the XML-DSig specification requires.
	ECDSAASN1 bool
	// InclusiveNamespaces is the PrefixList of an exclusive-canonicalization
	// Reference transform (Okta sends "xs").
	InclusiveNamespaces string
	// WrapBase64, when set, breaks DigestValue, SignatureValue and
	// X509Certificate into 64-character lines, each preceded by this string
	// (for example "\n      ", as Google Workspace indents them). The
	// DigestValue is wrapped before SignedInfo is signed, as a real IdP does.
	WrapBase64 string
}

// b64 encodes b as SignOptions.WrapBase64 asks.
func (o SignOptions) b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	if o.WrapBase64 == "" {
		return s
	}
	var out strings.Builder
	for len(s) > 0 {
		n := min(64, len(s))
		out.WriteString(o.WrapBase64)
		out.WriteString(s[:n])
		s = s[n:]
	}
	out.WriteString(o.WrapBase64)
	return out.String()
}

func hashOf(alg string) (crypto.Hash, bool) {
	switch alg {
	case AlgSHA1, AlgRSASHA1, AlgECDSASHA1, AlgHMACSHA1:
		return crypto.SHA1, true
	case AlgSHA256, AlgRSASHA256, AlgECDSASHA256, AlgHMACSHA256:
		return crypto.SHA256, true
	case AlgSHA384, AlgRSASHA384, AlgECDSASHA384:
		return crypto.SHA384, true
	case AlgSHA512, AlgRSASHA512, AlgECDSASHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

func canonicalizer(alg string) dsig.Canonicalizer {
	switch alg {
	case AlgC14N11:
		return dsig.MakeC14N11Canonicalizer()
	case AlgC14N10:
		return dsig.MakeC14N10RecCanonicalizer()
	case AlgExcC14NWithComments:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	default:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	}
}

// Sign adds an enveloped signature to el, placed after el's Issuer child (or
// first), and returns the ds:Signature element. el may sit anywhere in a
// document: the digest is computed over a copy that carries every namespace
// declaration in scope, as a verifier sees it.
func Sign(el *etree.Element, key *Key, o SignOptions) (*etree.Element, error) {
	if el == nil || key == nil {
		return nil, errors.New("samltest: Sign needs an element and a key")
	}
	if o.Canonicalization == "" {
		o.Canonicalization = AlgExcC14N
	}
	if o.DigestMethod == "" {
		o.DigestMethod = AlgSHA256
	}
	if o.SignatureMethod == "" {
		o.SignatureMethod = AlgRSASHA256
		if _, ok := key.Signer.(*ecdsa.PrivateKey); ok {
			o.SignatureMethod = AlgECDSASHA256
		}
	}
	uri := "#" + el.SelectAttrValue("ID", "")
	if o.ReferenceURI != nil {
		uri = *o.ReferenceURI
	}
	transforms := o.Transforms
	if transforms == nil {
		transforms = []string{AlgEnveloped, o.Canonicalization}
	}

	digestHash, ok := hashOf(o.DigestMethod)
	if !ok {
		return nil, fmt.Errorf("samltest: unknown digest %s", o.DigestMethod)
	}
	referenced, err := detached(el)
	if err != nil {
		return nil, err
	}
	root := el
	for root.Parent() != nil && root.Parent().Parent() != nil {
		root = root.Parent()
	}
	switch {
	case uri == "":
		// A whole-document reference digests the root, whatever el is.
		if referenced, err = detached(root); err != nil {
			return nil, err
		}
	case uri != "#"+el.SelectAttrValue("ID", ""):
		// A reference to another element digests that element, so the
		// signature is valid XML-DSig, just not over el.
		target := findByID(root, strings.TrimPrefix(uri, "#"))
		if target == nil {
			return nil, fmt.Errorf("samltest: no element with ID %s", uri)
		}
		if referenced, err = detached(target); err != nil {
			return nil, err
		}
	}
	c14n := canonicalizer(o.Canonicalization)
	if o.InclusiveNamespaces != "" && o.Canonicalization == AlgExcC14N {
		c14n = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(o.InclusiveNamespaces)
	}
	canon, err := c14n.Canonicalize(referenced)
	if err != nil {
		return nil, err
	}
	h := digestHash.New()
	h.Write(canon)
	digest := h.Sum(nil)

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", NSDSig)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", o.Canonicalization)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", o.SignatureMethod)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", uri)
	trs := ref.CreateElement("ds:Transforms")
	for _, t := range transforms {
		tr := trs.CreateElement("ds:Transform")
		tr.CreateAttr("Algorithm", t)
		if t == AlgExcC14N && o.InclusiveNamespaces != "" {
			in := tr.CreateElement("ec:InclusiveNamespaces")
			in.CreateAttr("xmlns:ec", AlgExcC14N)
			in.CreateAttr("PrefixList", o.InclusiveNamespaces)
		}
	}
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", o.DigestMethod)
	ref.CreateElement("ds:DigestValue").SetText(o.b64(digest))

	insertAt := 0
	if iss := ChildNamed(el, "Issuer"); iss != nil {
		insertAt = iss.Index() + 1
	}
	el.InsertChildAt(insertAt, sig)

	if err := FinishSignature(sig, key, o); err != nil {
		return nil, err
	}
	return sig, nil
}

// Digest returns the base64 DigestValue of el (which must not contain the
// signature) as an enveloped signature with these algorithms computes it.
func Digest(el *etree.Element, canonicalization, digestMethod string) (string, error) {
	hash, ok := hashOf(digestMethod)
	if !ok {
		return "", fmt.Errorf("samltest: unknown digest %s", digestMethod)
	}
	d, err := detached(el)
	if err != nil {
		return "", err
	}
	canon, err := canonicalizer(canonicalization).Canonicalize(d)
	if err != nil {
		return "", err
	}
	h := hash.New()
	h.Write(canon)
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// FinishSignature (re)computes SignatureValue and KeyInfo of a ds:Signature
// from its current SignedInfo, in place. Attack builders use it to re-sign a
// SignedInfo they edited.
func FinishSignature(sig *etree.Element, key *Key, o SignOptions) error {
	si := ChildNamed(sig, "SignedInfo")
	if si == nil {
		return errors.New("samltest: Signature has no SignedInfo")
	}
	for _, name := range []string{"SignatureValue", "KeyInfo"} {
		if c := ChildNamed(sig, name); c != nil {
			sig.RemoveChild(c)
		}
	}
	c14n := ChildNamed(si, "CanonicalizationMethod").SelectAttrValue("Algorithm", AlgExcC14N)
	method := ChildNamed(si, "SignatureMethod").SelectAttrValue("Algorithm", "")
	signedInfo, err := detached(si)
	if err != nil {
		return err
	}
	canon, err := canonicalizer(c14n).Canonicalize(signedInfo)
	if err != nil {
		return err
	}
	value, err := signBytes(canon, method, key, o)
	if err != nil {
		return err
	}
	sv := etree.NewElement("ds:SignatureValue")
	sv.SetText(o.b64(value))
	sig.InsertChildAt(si.Index()+1, sv)
	if !o.OmitKeyInfo {
		cert := key.Certificate
		if o.KeyInfoCertificate != nil {
			cert = o.KeyInfoCertificate
		}
		ki := sig.CreateElement("ds:KeyInfo")
		ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
			SetText(o.b64(cert.Raw))
	}
	return nil
}

func signBytes(data []byte, method string, key *Key, o SignOptions) ([]byte, error) {
	hash, ok := hashOf(method)
	if !ok {
		return nil, fmt.Errorf("samltest: unknown signature method %s", method)
	}
	if method == AlgHMACSHA1 || method == AlgHMACSHA256 {
		m := hmac.New(hash.New, o.HMACKey)
		m.Write(data)
		return m.Sum(nil), nil
	}
	h := hash.New()
	h.Write(data)
	digest := h.Sum(nil)
	switch k := key.Signer.(type) {
	case *rsa.PrivateKey:
		return rsa.SignPKCS1v15(nil, k, hash, digest)
	case *ecdsa.PrivateKey:
		if o.ECDSAASN1 {
			return ecdsa.SignASN1(rand.Reader, k, digest)
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("samltest: unsupported key %T", key.Signer)
}

func findByID(el *etree.Element, id string) *etree.Element {
	if el.SelectAttrValue("ID", "") == id {
		return el
	}
	for _, c := range el.ChildElements() {
		if f := findByID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// detached copies el with every namespace declaration in scope, the form in
// which a verifier canonicalizes it. (etreeutils.NSDetatch refuses subtrees
// of more than 1000 elements.)
func detached(el *etree.Element) (*etree.Element, error) {
	cp := el.Copy()
	own := map[string]bool{}
	for _, a := range el.Attr {
		switch {
		case a.Space == "xmlns":
			own[a.Key] = true
		case a.Space == "" && a.Key == "xmlns":
			own[""] = true
		}
	}
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	inherited := map[string]string{}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, a := range chain[i].Attr {
			switch {
			case a.Space == "xmlns":
				inherited[a.Key] = a.Value
			case a.Space == "" && a.Key == "xmlns":
				inherited[""] = a.Value
			}
		}
	}
	prefixes := make([]string, 0, len(inherited))
	for p := range inherited {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		switch {
		case own[p]:
		case p == "" && inherited[p] != "":
			cp.CreateAttr("xmlns", inherited[p])
		case p != "":
			cp.CreateAttr("xmlns:"+p, inherited[p])
		}
	}
	return cp, nil
}
