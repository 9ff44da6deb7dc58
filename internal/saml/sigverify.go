package saml

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"fmt"
	"math/big"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// verifyEnveloped checks the enveloped signature sig of el (sig is a direct
// child of el) and, once the digest matched, removes sig from el and returns
// el: from then on the element holds exactly what was signed, and callers
// read only it.
//
// The order follows "verify first, then read only what was signed":
//  1. the shape check (checkSignature) refuses anything but one Reference to
//     el with allow-listed algorithms, before any cryptography;
//  2. SignedInfo is canonicalized where it stands in the parsed tree and the
//     signature over those bytes is checked with a pinned certificate;
//  3. the signed element minus sig is canonicalized where it stands with the
//     Reference's transform, and its digest is compared with the Reference's.
//
// Nothing is copied or parsed again: the canonical bytes are a function of
// the tree, and everything the verifier reads afterwards (element names and
// their namespaces, attributes, text) is in those bytes and reads back the
// same from them. What canonicalization leaves out is not read: comments
// (stringValue and the child walks skip them, and a comment inside text is
// refused by parseUntrusted), namespace declarations no signed name uses
// (names resolve through the declarations the canonical bytes carry), and sig
// itself, removed here. The Reference used in step 3 is the one the shape
// check read from the SignedInfo whose bytes then verified.
//
// Certificate policy: the certificates in Trust are pinned. A KeyInfo
// certificate must be byte-identical to one of them and then selects it;
// without one, every trusted certificate is tried. A pinned certificate is
// used only inside its validity period (certificate_expired otherwise): an
// IdP that lets its signing certificate expire must rotate it, and Seam
// reports exactly that rather than silently trusting a key the IdP itself
// declared retired.
func verifyEnveloped(el, sig *etree.Element, t *Trust, facts *Facts) (*etree.Element, string, *reference, *Rejection) {
	id := attrValue(el, "ID")
	info, rej := checkSignature(sig, id, t.Algorithms)
	if rej != nil {
		return nil, "", nil, rej
	}
	candidates, rej := selectCertificates(info, t, facts)
	if rej != nil {
		return nil, "", nil, rej
	}
	facts.SignatureMethod = info.method

	signedInfo, err := canonicalDigest(info.hash, info.signedInfo, nil, info.c14n, info.c14nPrefixes)
	if err != nil {
		return nil, "", nil, reject(ReasonSignatureInvalid, "SignedInfo could not be canonicalized")
	}
	var signer *x509.Certificate
	for _, cert := range candidates {
		if checkSignatureValue(cert, info, signedInfo) {
			signer = cert
			break
		}
	}
	if signer == nil {
		return nil, "", nil, reject(ReasonSignatureInvalid,
			fmt.Sprintf("the %s signature does not verify with the connection's verification certificate(s)", clean(el.Tag)))
	}

	ref := info.ref
	digest, err := canonicalDigest(ref.hash, el, sig, ref.c14n, ref.prefixes) // sig left out: the enveloped-signature transform
	if err != nil {
		return nil, "", nil, reject(ReasonSignatureInvalid, "the signed element could not be canonicalized")
	}
	if subtle.ConstantTimeCompare(digest, ref.digest) != 1 {
		return nil, "", nil, reject(ReasonSignatureInvalid, fmt.Sprintf(
			"the %s signature verifies but its digest does not match the element: the content was changed after it was signed", clean(el.Tag)))
	}
	el.RemoveChildAt(sig.Index())
	fp := Fingerprint(signer.Raw)
	facts.CertificateFingerprint = fp
	return el, fp, ref, nil
}

// signedScopeAt returns the namespace bindings in effect at at, inside
// el, that el's verified signature covers (ref is its Reference). With
// exclusive canonicalization those are only the declarations the canonical
// form writes, for prefixes some signed name uses or the PrefixList names:
// others in the document were not signed and may have been added or
// rebound. The inclusive methods write every namespace in scope.
func signedScopeAt(el, at *etree.Element, ref *reference) (map[string]string, *Rejection) {
	if ref.c14n != algExcC14N {
		return inScopeNamespaces(at), nil
	}
	scope, err := exclusiveScopeAt(el, at, ref.prefixes)
	if err != nil {
		return nil, reject(ReasonSignatureInvalid, "the signed element could not be canonicalized")
	}
	return scope, nil
}

// canonicalDigest hashes the canonical form of el without skip; the
// exclusive form is streamed into the hash and never held whole.
func canonicalDigest(h crypto.Hash, el, skip *etree.Element, alg, prefixes string) ([]byte, error) {
	hh := h.New()
	if alg == algExcC14N {
		if err := writeExclusiveC14N(hh, el, skip, prefixes); err != nil {
			return nil, err
		}
		return hh.Sum(nil), nil
	}
	canonical, err := canonicalize(el, skip, alg, prefixes)
	if err != nil {
		return nil, err
	}
	hh.Write(canonical)
	return hh.Sum(nil), nil
}

// canonicalize serializes el in its document without skip (nil for none)
// with one of the allowed canonicalization methods. Exclusive
// canonicalization, the common case, runs on the tree in place; the inclusive
// methods use goxmldsig's canonicalizers on a detached copy that declares the
// namespaces in scope.
func canonicalize(el, skip *etree.Element, alg, prefixes string) ([]byte, error) {
	var c dsig.Canonicalizer
	switch alg {
	case algExcC14N:
		return canonicalizeExclusive(el, skip, prefixes)
	case algC14N10:
		c = dsig.MakeC14N10RecCanonicalizer()
	case algC14N11:
		c = dsig.MakeC14N11Canonicalizer()
	default:
		return nil, fmt.Errorf("saml: canonicalization %q is not allowed", alg)
	}
	cp := detachWithNamespaces(el)
	if skip != nil {
		if skip.Parent() != el {
			return nil, fmt.Errorf("saml: the left-out element is not a child of the canonicalized one")
		}
		cp.RemoveChildAt(skip.Index())
	}
	return c.Canonicalize(cp)
}

// checkSignatureValue verifies the signature over the canonical SignedInfo,
// whose digest (with the method's hash) is given, with cert's public key,
// which must be of the kind the method names. An ECDSA value may be r||s (as
// XML-DSig specifies) or ASN.1 DER (as some libraries write it).
func checkSignatureValue(cert *x509.Certificate, info *signatureInfo, digest []byte) bool {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return !info.ecdsa && rsa.VerifyPKCS1v15(pub, info.hash, digest, info.value) == nil
	case *ecdsa.PublicKey:
		if !info.ecdsa {
			return false
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(info.value) == 2*size {
			r := new(big.Int).SetBytes(info.value[:size])
			s := new(big.Int).SetBytes(info.value[size:])
			if ecdsa.Verify(pub, digest, r, s) {
				return true
			}
		}
		return ecdsa.VerifyASN1(pub, digest, info.value)
	}
	return false
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

const timeLayout = "2006-01-02T15:04:05Z"
