package testidp

import (
	"bytes"
	"compress/flate"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/keys"
)

const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"

	bindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	bindingPost     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	nameIDEmail     = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

	// maxRequestBytes bounds a SAMLRequest, encoded and inflated.
	maxRequestBytes = 64 << 10
)

// SAML attribute names the test IdP sends; Demo maps them.
const (
	AttrEmail     = "email"
	AttrFirstName = "first_name"
	AttrLastName  = "last_name"
	AttrGroups    = "groups"
)

// AuthnRequest is what the IdP reads from an SP's request: who asks, where
// the answer goes, and the ID to answer.
type AuthnRequest struct {
	ID     string
	Issuer string
	ACSURL string
}

func badRequest(msg string) error { return apierr.BadRequest("test_idp_invalid_request", msg) }

// ParseAuthnRequest reads a SAMLRequest value: deflated (HTTP-Redirect
// binding) when deflated is true, else plain base64 (HTTP-POST). The ACS URL
// must be one of this Seam's callbacks.
func (s *Service) ParseAuthnRequest(value string, deflated bool) (*AuthnRequest, error) {
	if value == "" {
		return nil, badRequest("SAMLRequest is missing: start the login from Seam's start URL (/v1/public/sso/start).")
	}
	if len(value) > maxRequestBytes {
		return nil, badRequest("SAMLRequest is too long.")
	}
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, badRequest("SAMLRequest is not base64.")
	}
	if deflated {
		r := flate.NewReader(bytes.NewReader(raw))
		raw, err = io.ReadAll(io.LimitReader(r, maxRequestBytes+1))
		if err != nil || len(raw) > maxRequestBytes {
			return nil, badRequest("SAMLRequest does not inflate to a request of at most 64 KiB.")
		}
	}
	if bytes.Contains(raw, []byte("<!")) {
		return nil, badRequest("SAMLRequest must not contain a DOCTYPE or other declarations.")
	}
	var doc struct {
		XMLName xml.Name
		ID      string `xml:"ID,attr"`
		ACS     string `xml:"AssertionConsumerServiceURL,attr"`
		Issuer  string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil || doc.XMLName.Space != nsProtocol || doc.XMLName.Local != "AuthnRequest" {
		return nil, badRequest("SAMLRequest is not a SAML 2.0 AuthnRequest.")
	}
	req := &AuthnRequest{ID: doc.ID, Issuer: strings.TrimSpace(doc.Issuer), ACSURL: doc.ACS}
	if req.ID == "" || len(req.ID) > 256 || req.Issuer == "" || len(req.Issuer) > 2048 {
		return nil, badRequest("The AuthnRequest needs an ID and an Issuer.")
	}
	if err := s.checkReturnURL("AssertionConsumerServiceURL", req.ACSURL); err != nil {
		return nil, err
	}
	return req, nil
}

// SAMLResponse builds the base64 SAMLResponse for req as user, answering
// in mode. The assertion is signed (RSA-SHA256, exclusive c14n) with the
// IdP's key unless mode says otherwise.
func (s *Service) SAMLResponse(idp *IdP, req *AuthnRequest, user User, mode Mode) (string, error) {
	if !validMode(mode, SAMLModes()) {
		return "", badRequest("Unknown response mode.")
	}
	now := s.Now().UTC()
	respID, err := s.xmlID()
	if err != nil {
		return "", apierr.Internal(err)
	}
	assertionID, err := s.xmlID()
	if err != nil {
		return "", apierr.Internal(err)
	}
	audience := req.Issuer
	if mode == WrongAudience {
		audience = req.Issuer + "/not-this-service-provider"
	}
	issued := now
	if mode == Expired {
		issued = now.Add(-65 * time.Minute) // NotOnOrAfter an hour ago
	}
	assertion := buildAssertion(assertionID, idp.SAMLEntityID(), req, audience, user, issued)

	key, cert := idp.Key, idp.Certificate
	if mode == WrongSigningKey {
		if key, cert, err = s.throwawayKey(); err != nil {
			return "", apierr.Internal(err)
		}
	}
	signed, err := signEnveloped(assertion, key, cert)
	if err != nil {
		return "", apierr.Internal(err)
	}
	if mode == Tampered {
		// Change the signed content: the digest no longer matches.
		for _, v := range signed.FindElements(".//AttributeValue") {
			if v.Text() == user.Email {
				v.SetText("mallory@example.com")
			}
		}
		if nid := signed.FindElement(".//Subject/NameID"); nid != nil {
			nid.SetText("mallory@example.com")
		}
	}

	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	resp.CreateAttr("xmlns:saml", nsAssertion)
	resp.CreateAttr("ID", respID)
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", samlTime(now))
	resp.CreateAttr("Destination", req.ACSURL)
	resp.CreateAttr("InResponseTo", req.ID)
	resp.CreateElement("saml:Issuer").SetText(idp.SAMLEntityID())
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").
		CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	resp.AddChild(signed)
	out, err := doc.WriteToBytes()
	if err != nil {
		return "", apierr.Internal(err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// buildAssertion declares every namespace it uses on itself, so that it
// canonicalizes the same standalone (when signed) and inside the Response
// (when verified).
func buildAssertion(id, issuer string, req *AuthnRequest, audience string, u User, issued time.Time) *etree.Element {
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsAssertion)
	a.CreateAttr("ID", id)
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", samlTime(issued))
	a.CreateElement("saml:Issuer").SetText(issuer)

	notOnOrAfter := samlTime(issued.Add(5 * time.Minute))
	subject := a.CreateElement("saml:Subject")
	nid := subject.CreateElement("saml:NameID")
	nid.CreateAttr("Format", nameIDEmail)
	nid.SetText(u.Email)
	sc := subject.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("InResponseTo", req.ID)
	scd.CreateAttr("NotOnOrAfter", notOnOrAfter)
	scd.CreateAttr("Recipient", req.ACSURL)

	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", samlTime(issued.Add(-time.Minute)))
	cond.CreateAttr("NotOnOrAfter", notOnOrAfter)
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(audience)

	as := a.CreateElement("saml:AuthnStatement")
	as.CreateAttr("AuthnInstant", samlTime(issued))
	as.CreateAttr("SessionIndex", id)
	as.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")

	st := a.CreateElement("saml:AttributeStatement")
	attr := func(name string, values ...string) {
		el := st.CreateElement("saml:Attribute")
		el.CreateAttr("Name", name)
		el.CreateAttr("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
		for _, v := range values {
			el.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	attr(AttrEmail, u.Email)
	attr(AttrFirstName, u.GivenName)
	attr(AttrLastName, u.FamilyName)
	if len(u.Groups) > 0 {
		attr(AttrGroups, u.Groups...)
	}
	return a
}

// signEnveloped signs el and moves the signature directly after its Issuer,
// where SAML's schema puts it (the enveloped-signature transform digests el
// without the signature wherever it sits).
func signEnveloped(el *etree.Element, key *rsa.PrivateKey, cert *x509.Certificate) (*etree.Element, error) {
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
		PrivateKey: key, Certificate: [][]byte{cert.Raw},
	}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	// goxmldsig appends the signature without making signed its parent, so
	// the element is rebuilt rather than edited in place.
	children := signed.ChildElements()
	if len(children) < 2 || children[len(children)-1].Tag != "Signature" {
		return nil, errors.New("testidp: signing produced no signature")
	}
	sig := children[len(children)-1]
	out := etree.NewElement(signed.FullTag())
	out.Attr = append(out.Attr, signed.Attr...)
	out.AddChild(children[0].Copy()) // saml:Issuer
	out.AddChild(sig.Copy())
	for _, c := range children[1 : len(children)-1] {
		out.AddChild(c.Copy())
	}
	return out, nil
}

// throwawayKey is a fresh key and certificate nobody trusts.
func (s *Service) throwawayKey() (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := keys.GenerateRSAKey(s.Rand, 2048)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	cert, _, err := keys.IssueSelfSigned(s.Rand, key, keys.CertOptions{
		CommonName: "Untrusted test key", Organization: "Seam test IdP", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
	})
	return key, cert, err
}

func (s *Service) xmlID() (string, error) {
	h, err := randomHex(s.Rand, 20)
	return "_" + h, err
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// SAMLMetadata is the IdP's EntityDescriptor: entity ID, SSO URL for both
// bindings, and the signing certificate. A SAML connection can be configured
// from its URL (update by metadata URL) or from its values.
func SAMLMetadata(idp *IdP) ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMetadata)
	ed.CreateAttr("xmlns:ds", nsDSig)
	ed.CreateAttr("entityID", idp.SAMLEntityID())
	sso := ed.CreateElement("md:IDPSSODescriptor")
	sso.CreateAttr("WantAuthnRequestsSigned", "false")
	sso.CreateAttr("protocolSupportEnumeration", nsProtocol)
	kd := sso.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(idp.Certificate.Raw))
	sso.CreateElement("md:NameIDFormat").SetText(nameIDEmail)
	for _, b := range []string{bindingRedirect, bindingPost} {
		el := sso.CreateElement("md:SingleSignOnService")
		el.CreateAttr("Binding", b)
		el.CreateAttr("Location", idp.SAMLSSOURL())
	}
	doc.Indent(2)
	return doc.WriteToBytes()
}
