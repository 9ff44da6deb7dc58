package samltest

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/beevik/etree"
)

// Namespaces and well-known values.
const (
	NSProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NSAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
	NSXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	NSXMLEnc11  = "http://www.w3.org/2009/xmlenc11#"
	NSXS        = "http://www.w3.org/2001/XMLSchema"
	NSXSI       = "http://www.w3.org/2001/XMLSchema-instance"

	StatusSuccess   = "urn:oasis:names:tc:SAML:2.0:status:Success"
	StatusRequester = "urn:oasis:names:tc:SAML:2.0:status:Requester"
	MethodBearer    = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	NameIDEmail     = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	EntityFormat    = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
)

// IdP is an in-process identity provider.
type IdP struct {
	EntityID string
	Key      *Key
	// Random supplies IDs, content keys and IVs; crypto/rand when nil.
	Random io.Reader
}

func (idp *IdP) random() io.Reader {
	if idp.Random != nil {
		return idp.Random
	}
	return rand.Reader
}

// NewID returns a fresh NCName ID: "_" and 40 hex digits.
func (idp *IdP) NewID() (string, error) {
	return newID(idp.random())
}

func newID(r io.Reader) (string, error) {
	var b [20]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return "_" + hex.EncodeToString(b[:]), nil
}

// Attribute is one saml:Attribute.
type Attribute struct {
	Name         string
	FriendlyName string
	Values       []string
}

// ResponseOptions describe the content of a Response. Zero values get the
// defaults documented on each field.
type ResponseOptions struct {
	// Now is the IdP's clock; required.
	Now time.Time
	// ResponseID and AssertionID default to fresh IDs.
	ResponseID, AssertionID string
	// InResponseTo is set on the Response and the SubjectConfirmationData;
	// empty for IdP-initiated responses.
	InResponseTo string
	// Destination is the Response Destination (the SP's ACS URL); empty
	// omits the attribute.
	Destination string
	// Recipient of the bearer confirmation; defaults to Destination.
	Recipient string
	// Audiences go into one AudienceRestriction.
	Audiences []string
	// NameID and its Format (default emailAddress).
	NameID, NameIDFormat string
	// SessionIndex defaults to a fresh ID.
	SessionIndex string
	Attributes   []Attribute
	// Lifetime bounds Conditions and the bearer confirmation: NotBefore is
	// Now-1m, NotOnOrAfter Now+Lifetime (default 5m).
	Lifetime time.Duration
	// StatusCode defaults to Success.
	StatusCode string
	// OmitResponseIssuer leaves out the optional Response Issuer.
	OmitResponseIssuer bool
}

// NewResponse builds an unsigned Response document.
func (idp *IdP) NewResponse(o ResponseOptions) (*etree.Document, error) {
	if o.Now.IsZero() {
		return nil, errors.New("samltest: ResponseOptions.Now is required")
	}
	var err error
	if o.ResponseID == "" {
		if o.ResponseID, err = idp.NewID(); err != nil {
			return nil, err
		}
	}
	if o.AssertionID == "" {
		if o.AssertionID, err = idp.NewID(); err != nil {
			return nil, err
		}
	}
	if o.SessionIndex == "" {
		if o.SessionIndex, err = idp.NewID(); err != nil {
			return nil, err
		}
	}
	if o.Recipient == "" {
		o.Recipient = o.Destination
	}
	if o.NameIDFormat == "" {
		o.NameIDFormat = NameIDEmail
	}
	if o.Lifetime == 0 {
		o.Lifetime = 5 * time.Minute
	}
	if o.StatusCode == "" {
		o.StatusCode = StatusSuccess
	}
	now := Time(o.Now)
	notBefore := Time(o.Now.Add(-time.Minute))
	notOnOrAfter := Time(o.Now.Add(o.Lifetime))

	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", NSProtocol)
	resp.CreateAttr("xmlns:saml", NSAssertion)
	resp.CreateAttr("ID", o.ResponseID)
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", now)
	if o.Destination != "" {
		resp.CreateAttr("Destination", o.Destination)
	}
	if o.InResponseTo != "" {
		resp.CreateAttr("InResponseTo", o.InResponseTo)
	}
	if !o.OmitResponseIssuer {
		iss := resp.CreateElement("saml:Issuer")
		iss.CreateAttr("Format", EntityFormat)
		iss.SetText(idp.EntityID)
	}
	status := resp.CreateElement("samlp:Status")
	status.CreateElement("samlp:StatusCode").CreateAttr("Value", o.StatusCode)

	a := resp.CreateElement("saml:Assertion")
	a.CreateAttr("xmlns:xs", NSXS)
	a.CreateAttr("xmlns:xsi", NSXSI)
	a.CreateAttr("ID", o.AssertionID)
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", now)
	a.CreateElement("saml:Issuer").SetText(idp.EntityID)

	subject := a.CreateElement("saml:Subject")
	nameID := subject.CreateElement("saml:NameID")
	nameID.CreateAttr("Format", o.NameIDFormat)
	nameID.SetText(o.NameID)
	sc := subject.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", MethodBearer)
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	if o.InResponseTo != "" {
		scd.CreateAttr("InResponseTo", o.InResponseTo)
	}
	scd.CreateAttr("NotOnOrAfter", notOnOrAfter)
	scd.CreateAttr("Recipient", o.Recipient)

	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", notBefore)
	cond.CreateAttr("NotOnOrAfter", notOnOrAfter)
	ar := cond.CreateElement("saml:AudienceRestriction")
	for _, au := range o.Audiences {
		ar.CreateElement("saml:Audience").SetText(au)
	}

	as := a.CreateElement("saml:AuthnStatement")
	as.CreateAttr("AuthnInstant", now)
	as.CreateAttr("SessionIndex", o.SessionIndex)
	as.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")

	if len(o.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range o.Attributes {
			el := st.CreateElement("saml:Attribute")
			el.CreateAttr("Name", at.Name)
			if at.FriendlyName != "" {
				el.CreateAttr("FriendlyName", at.FriendlyName)
			}
			el.CreateAttr("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
			for _, v := range at.Values {
				av := el.CreateElement("saml:AttributeValue")
				av.CreateAttr("xsi:type", "xs:string")
				av.SetText(v)
			}
		}
	}
	return doc, nil
}

// Options describe a complete response: content, signatures, encryption.
type Options struct {
	ResponseOptions
	// SignAssertion signs the assertion (before encryption).
	SignAssertion bool
	// SignResponse signs the Response (after encryption).
	SignResponse bool
	// Sign configures both signatures.
	Sign SignOptions
	// EncryptTo, when set, replaces the assertion by an EncryptedAssertion
	// for that certificate.
	EncryptTo *EncryptionTarget
}

// EncryptionTarget names the SP's encryption certificate and the algorithms.
type EncryptionTarget struct {
	Options EncryptOptions
	// Certificate holds the SP's RSA encryption key.
	Certificate *x509.Certificate
}

// Make builds a response as an IdP does: assertion signature, then
// encryption, then Response signature.
func (idp *IdP) Make(o Options) (*etree.Document, error) {
	doc, err := idp.NewResponse(o.ResponseOptions)
	if err != nil {
		return nil, err
	}
	if o.SignAssertion {
		if _, err := Sign(AssertionOf(doc), idp.Key, o.Sign); err != nil {
			return nil, err
		}
	}
	if o.EncryptTo != nil {
		opts := o.EncryptTo.Options
		if opts.Random == nil {
			opts.Random = idp.random()
		}
		if _, err := EncryptAssertion(AssertionOf(doc), o.EncryptTo.Certificate, opts); err != nil {
			return nil, err
		}
	}
	if o.SignResponse {
		if _, err := Sign(doc.Root(), idp.Key, o.Sign); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// AssertionOf returns the first saml:Assertion child of the document's root
// (nil when there is none).
func AssertionOf(doc *etree.Document) *etree.Element {
	return ChildNamed(doc.Root(), "Assertion")
}

// ChildNamed returns el's first child element with the given local name.
func ChildNamed(el *etree.Element, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == local {
			return c
		}
	}
	return nil
}

// Serialize writes the document without an XML declaration or indentation.
func Serialize(doc *etree.Document) ([]byte, error) {
	return doc.WriteToBytes()
}

// Encode returns the SAMLResponse form value (base64 of the XML).
func Encode(doc *etree.Document) (string, error) {
	b, err := Serialize(doc)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// EncodeDeflate returns base64 of the raw-DEFLATE-compressed XML.
func EncodeDeflate(doc *etree.Document) (string, error) {
	b, err := Serialize(doc)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(Deflate(b)), nil
}

// Deflate compresses b with raw DEFLATE.
func Deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		panic(fmt.Sprintf("samltest: flate: %v", err)) // only for an invalid level
	}
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// Time formats t as SAML wants it.
func Time(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
