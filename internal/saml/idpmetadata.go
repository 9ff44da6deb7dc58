package saml

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/seamsso/seam/internal/apierr"
)

// MaxMetadataSize bounds IdP metadata documents: the outbound client reads
// at most 2 MiB, and a document it delivers must not be refused for size.
const MaxMetadataSize = 2 << 20

// Stytch error types of metadata parsing.
const (
	errTypeMetadataXML    = "invalid_xml_from_saml_metadata_url"
	errTypeMetadataFormat = "saml_connection_metadata_invalid_format"
)

// IDPMetadata is what Seam takes from an IdP's metadata.
type IDPMetadata struct {
	EntityID string
	// SSOURLRedirect and SSOURLPost are the first SingleSignOnService
	// Locations with the HTTP-Redirect and HTTP-POST bindings; at least one
	// is set.
	SSOURLRedirect string
	SSOURLPost     string
	// Certificates are the signing certificates: KeyDescriptor use="signing"
	// or without use, deduplicated, in document order. Their validity dates
	// are not checked here.
	Certificates []*x509.Certificate
}

func metadataLimits() xmlLimits {
	return xmlLimits{
		maxBytes:    MaxMetadataSize,
		maxElements: 20000,
		maxDepth:    48,
		maxAttrs:    64,
		maxPrefixes: 64,
	}
}

// ParseIDPMetadata reads customer-supplied IdP metadata. It accepts an
// EntityDescriptor, or an EntitiesDescriptor in which exactly one entity has
// a SAML 2.0 IDPSSODescriptor. The metadata's own signature and validUntil
// are not evaluated: the admin who supplies the metadata is the trust anchor.
// Errors are *apierr.Error with status 400.
func ParseIDPMetadata(data []byte) (*IDPMetadata, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, apierr.BadRequest(errTypeMetadataXML, "The IdP metadata is empty.")
	}
	if looksLikeHTML(data) {
		return nil, apierr.BadRequest(errTypeMetadataXML, htmlNotMetadata)
	}
	root, rej := parseUntrusted(data, metadataLimits(), nil)
	if rej != nil {
		return nil, metadataXMLError(rej)
	}

	var entities []*etree.Element
	switch {
	case is(root, nsMetadata, "EntityDescriptor"):
		entities = []*etree.Element{root}
	case is(root, nsMetadata, "EntitiesDescriptor"):
		entities = collectEntities(root)
	case strings.EqualFold(root.Tag, "html"):
		return nil, apierr.BadRequest(errTypeMetadataXML, htmlNotMetadata)
	default:
		return nil, formatError("The metadata root element is neither md:EntityDescriptor nor md:EntitiesDescriptor.")
	}

	var idp *etree.Element
	var descriptor *etree.Element
	count, anyIDP := 0, false
	for _, e := range entities {
		anyIDP = anyIDP || len(children(e, nsMetadata, "IDPSSODescriptor")) > 0
		if d := idpDescriptor(e); d != nil {
			count++
			idp, descriptor = e, d
		}
	}
	switch {
	case count == 0 && anyIDP:
		return nil, formatError("The IDPSSODescriptor does not support SAML 2.0 (protocolSupportEnumeration).")
	case count == 0:
		return nil, formatError("The metadata has no IDPSSODescriptor.")
	case count > 1:
		return nil, formatError(fmt.Sprintf(
			"The metadata describes %d identity providers; supply the metadata of exactly one.", count))
	}

	md := &IDPMetadata{EntityID: trimXMLSpace(attrValue(idp, "entityID"))}
	if md.EntityID == "" {
		return nil, formatError("The EntityDescriptor has no entityID.")
	}
	if len(md.EntityID) > 1024 {
		return nil, formatError("The entityID is longer than 1024 characters.")
	}
	for _, sso := range children(descriptor, nsMetadata, "SingleSignOnService") {
		location := trimXMLSpace(attrValue(sso, "Location"))
		if _, err := checkHTTPURL(location); err != nil {
			return nil, formatError(fmt.Sprintf(
				"SingleSignOnService Location %q is not usable: %v.", clean(location), err))
		}
		switch attrValue(sso, "Binding") {
		case BindingHTTPRedirect:
			if md.SSOURLRedirect == "" {
				md.SSOURLRedirect = location
			}
		case BindingHTTPPost:
			if md.SSOURLPost == "" {
				md.SSOURLPost = location
			}
		}
	}
	if md.SSOURLRedirect == "" && md.SSOURLPost == "" {
		return nil, formatError("The IDPSSODescriptor has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.")
	}

	certs, err := signingCertificates(descriptor)
	if err != nil {
		return nil, err
	}
	md.Certificates = certs
	return md, nil
}

// htmlNotMetadata explains the commonest wrong metadata URL: a web page (an
// IdP's sign-in page or admin console) instead of its metadata document.
const htmlNotMetadata = "The metadata URL returned an HTML page, not SAML metadata (an XML md:EntityDescriptor). " +
	"It is probably a sign-in page or the IdP's admin console: copy the IdP's metadata URL (often named " +
	"\"App Federation Metadata Url\", \"Identity Provider metadata\" or ending in /metadata), " +
	"or set idp_entity_id, idp_sso_url and x509_certificate directly."

// looksLikeHTML reports whether a document starts as an HTML page does:
// <!DOCTYPE html or <html, after a byte-order mark, white space and
// comments.
func looksLikeHTML(data []byte) bool {
	rest := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if !bytes.HasPrefix(rest, []byte("<!--")) {
			break
		}
		end := bytes.Index(rest, []byte("-->"))
		if end < 0 {
			return false
		}
		rest = rest[end+3:]
	}
	head := bytes.ToLower(rest[:min(len(rest), 15)])
	if bytes.HasPrefix(head, []byte("<!doctype html")) {
		return true
	}
	return bytes.HasPrefix(head, []byte("<html")) && (len(head) == 5 || bytes.ContainsRune([]byte(" \t\r\n>"), rune(head[5])))
}

func metadataXMLError(rej *Rejection) error {
	var msg string
	switch rej.Reason {
	case ReasonTooLarge:
		msg = "The IdP metadata exceeds the size limits (2 MiB, 20000 elements, depth 48)."
	case ReasonDoctypeForbidden:
		msg = "The IdP metadata must not contain a DOCTYPE or entity declarations."
	case ReasonUnstableXML:
		msg = "The IdP metadata is not round-trip stable XML."
	default:
		msg = "The IdP metadata is not well-formed UTF-8 XML: " + rej.Detail + "."
	}
	return apierr.BadRequest(errTypeMetadataXML, msg)
}

func formatError(msg string) error {
	return apierr.BadRequest(errTypeMetadataFormat, msg)
}

// collectEntities returns the EntityDescriptors of an EntitiesDescriptor,
// descending into nested EntitiesDescriptors.
func collectEntities(el *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		switch {
		case is(c, nsMetadata, "EntityDescriptor"):
			out = append(out, c)
		case is(c, nsMetadata, "EntitiesDescriptor"):
			out = append(out, collectEntities(c)...)
		}
	}
	return out
}

// idpDescriptor returns the entity's first IDPSSODescriptor that supports
// SAML 2.0 (a missing protocolSupportEnumeration is tolerated).
func idpDescriptor(entity *etree.Element) *etree.Element {
	for _, d := range children(entity, nsMetadata, "IDPSSODescriptor") {
		enum, present := attr(d, "protocolSupportEnumeration")
		if !present || containsToken(enum, nsProtocol) {
			return d
		}
	}
	return nil
}

func containsToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if f == token {
			return true
		}
	}
	return false
}

func signingCertificates(descriptor *etree.Element) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, kd := range children(descriptor, nsMetadata, "KeyDescriptor") {
		if use := attrValue(kd, "use"); use != "" && use != "signing" {
			continue
		}
		for _, ki := range children(kd, nsDSig, "KeyInfo") {
			for _, xd := range children(ki, nsDSig, "X509Data") {
				for _, xc := range children(xd, nsDSig, "X509Certificate") {
					der, err := decodeBase64Text(xc)
					if err != nil || len(der) == 0 {
						return nil, formatError("A signing certificate in the metadata is not valid base64.")
					}
					cert, err := x509.ParseCertificate(der)
					if err != nil {
						return nil, formatError("A signing certificate in the metadata cannot be parsed as X.509.")
					}
					if !containsCert(out, cert) {
						out = append(out, cert)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, formatError("The IDPSSODescriptor has no signing certificate (KeyDescriptor use=\"signing\" with an X509Certificate).")
	}
	return out, nil
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, o := range list {
		if bytes.Equal(o.Raw, c.Raw) {
			return true
		}
	}
	return false
}
