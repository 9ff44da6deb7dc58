package saml

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
)

// SAML binding and format identifiers.
const (
	BindingHTTPPost     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	BindingHTTPRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	// NameIDFormatEmail is Stytch's default nameid_format.
	NameIDFormatEmail = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	// NameIDTransient is the format of a NameID that changes on every login
	// (SAML Core 8.3.8): it identifies nobody across logins.
	NameIDTransient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
	// SigAlgRSASHA256 is the SigAlg of every redirect Seam signs.
	SigAlgRSASHA256 = algRSASHA256
)

// MaxRelayStateLength is the limit of the SAML bindings specification
// (section 3.4.3): RelayState "MUST NOT exceed 80 bytes".
const MaxRelayStateLength = 80

// ErrInvalidAuthnRequest wraps every error of RedirectURL and NewRequestID.
var ErrInvalidAuthnRequest = errors.New("saml: invalid AuthnRequest parameters")

// NewRequestID returns an AuthnRequest ID: "_" and 40 hex digits (160 random
// bits), a valid NCName. It fails only when random fails.
func NewRequestID(random io.Reader) (string, error) {
	var b [20]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("%w: reading randomness: %v", ErrInvalidAuthnRequest, err)
	}
	return "_" + hex.EncodeToString(b[:]), nil
}

// AuthnRequestParams describe one SP-initiated login.
type AuthnRequestParams struct {
	// ID is the request ID the caller stores to match InResponseTo later.
	ID           string
	IssueInstant time.Time
	// SPEntityID is the Issuer: the connection's audience URI.
	SPEntityID string
	// ACSURL is AssertionConsumerServiceURL; the response comes back by
	// HTTP-POST.
	ACSURL string
	// Destination is the IdP's SSO URL; it may already carry a query string.
	Destination string
	// NameIDFormat goes into NameIDPolicy (AllowCreate="true"); empty omits
	// the Format.
	NameIDFormat string
	// RelayState is echoed back by the IdP; at most 80 bytes.
	RelayState string
	// SigningKey is the connection's signing key (RSA, at least 2048 bits).
	SigningKey *rsa.PrivateKey
	// Deflaters, when set, lends the DEFLATE compressor; nil makes one.
	Deflaters *Deflaters
}

// Deflaters keeps DEFLATE compressors for reuse. A new compressor
// allocates about 800 KB of tables, which cost more CPU (allocation,
// clearing, garbage collection) than signing half an AuthnRequest; a
// reused one is reset in tens of microseconds and gives the same bytes.
// The zero value is ready to use; it is safe for concurrent use.
type Deflaters struct{ pool sync.Pool }

// compress appends the DEFLATE (BestCompression) of src to dst.
func (d *Deflaters) compress(dst *bytes.Buffer, src []byte) error {
	var w *flate.Writer
	if d != nil {
		w, _ = d.pool.Get().(*flate.Writer)
	}
	if w == nil {
		var err error
		if w, err = flate.NewWriter(dst, flate.BestCompression); err != nil {
			return err
		}
	} else {
		w.Reset(dst)
	}
	if _, err := w.Write(src); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if d != nil {
		d.pool.Put(w)
	}
	return nil
}

// RedirectURL returns the HTTP-Redirect binding URL for p: the AuthnRequest
// is DEFLATE-compressed, base64-encoded and signed with rsa-sha256 over
// "SAMLRequest=...&RelayState=...&SigAlg=..." exactly as SAML bindings
// section 3.4.4.1 specifies (RelayState omitted when empty; each value
// URL-encoded as it appears in the query string).
func RedirectURL(p AuthnRequestParams) (string, error) {
	dest, err := checkAuthnRequest(p)
	if err != nil {
		return "", err
	}
	xmlBytes, err := authnRequestXML(p)
	if err != nil {
		return "", err
	}
	var compressed bytes.Buffer
	if err := p.Deflaters.compress(&compressed, xmlBytes); err != nil {
		return "", err
	}

	signed := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(compressed.Bytes()))
	if p.RelayState != "" {
		signed += "&RelayState=" + url.QueryEscape(p.RelayState)
	}
	signed += "&SigAlg=" + url.QueryEscape(SigAlgRSASHA256)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, p.SigningKey, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("%w: signing: %v", ErrInvalidAuthnRequest, err)
	}
	query := signed + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))

	if dest.RawQuery != "" {
		return p.Destination + "&" + query, nil
	}
	return p.Destination + "?" + query, nil
}

func checkAuthnRequest(p AuthnRequestParams) (*url.URL, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidAuthnRequest, fmt.Sprintf(format, a...))
	}
	switch {
	case !isNCNameID(p.ID):
		return nil, bad("ID must be an XML name")
	case p.IssueInstant.IsZero():
		return nil, bad("IssueInstant is required")
	case p.SPEntityID == "":
		return nil, bad("SPEntityID is required")
	case len(p.RelayState) > MaxRelayStateLength:
		return nil, bad("RelayState exceeds %d bytes", MaxRelayStateLength)
	case p.SigningKey == nil:
		return nil, bad("SigningKey is required")
	case p.SigningKey.N.BitLen() < 2048:
		return nil, bad("SigningKey must have at least 2048 bits")
	}
	if _, err := checkHTTPURL(p.ACSURL); err != nil {
		return nil, bad("ACSURL: %v", err)
	}
	dest, err := checkHTTPURL(p.Destination)
	if err != nil {
		return nil, bad("Destination: %v", err)
	}
	q, err := url.ParseQuery(dest.RawQuery)
	if err != nil {
		return nil, bad("Destination has an unparsable query")
	}
	for _, k := range []string{"SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"} {
		if q.Has(k) {
			return nil, bad("Destination already carries %s", k)
		}
	}
	return dest, nil
}

func authnRequestXML(p AuthnRequestParams) ([]byte, error) {
	doc := etree.NewDocument()
	r := doc.CreateElement("samlp:AuthnRequest")
	r.CreateAttr("xmlns:samlp", nsProtocol)
	r.CreateAttr("xmlns:saml", nsAssertion)
	r.CreateAttr("ID", p.ID)
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", p.IssueInstant.UTC().Format("2006-01-02T15:04:05.000Z"))
	r.CreateAttr("Destination", p.Destination)
	r.CreateAttr("AssertionConsumerServiceURL", p.ACSURL)
	r.CreateAttr("ProtocolBinding", BindingHTTPPost)
	r.CreateElement("saml:Issuer").SetText(p.SPEntityID)
	policy := r.CreateElement("samlp:NameIDPolicy")
	if p.NameIDFormat != "" {
		policy.CreateAttr("Format", p.NameIDFormat)
	}
	policy.CreateAttr("AllowCreate", "true")
	return doc.WriteToBytes()
}

// checkHTTPURL accepts an absolute http or https URL with a host, without
// user information or fragment.
func checkHTTPURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("the URL is empty")
	}
	if len(s) > 2048 {
		return nil, errors.New("the URL is longer than 2048 bytes")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("the URL cannot be parsed")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("the URL scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("the URL has no host")
	case u.User != nil:
		return nil, errors.New("the URL must not contain user information")
	case strings.ContainsRune(s, '#'):
		return nil, errors.New("the URL must not contain a fragment")
	}
	for _, c := range s {
		if c <= 0x20 || c == 0x7f {
			return nil, errors.New("the URL contains whitespace or control characters")
		}
	}
	return u, nil
}
