package saml

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"time"
)

// DefaultClockSkew is used when Trust.ClockSkew is zero.
const DefaultClockSkew = 60 * time.Second

// Trust is everything VerifyResponse may rely on: the connection's settings
// and the injected clock. Nothing in the response can widen it.
type Trust struct {
	// IDPEntityID must equal the Assertion Issuer and, when present, the
	// Response Issuer.
	IDPEntityID string
	// Certificates are the connection's verification certificates. They are
	// pinned: a certificate in KeyInfo only selects one of them (byte
	// equality); it is never trusted for itself.
	Certificates []*x509.Certificate
	// DecryptionKeys are the connection's encryption private keys.
	DecryptionKeys []*rsa.PrivateKey
	// Audiences holds audience_uri and, if set, alternative_audience_uri.
	Audiences []string
	// ACSURLs holds acs_url and, if set, alternative_acs_url; Destination and
	// SubjectConfirmationData Recipient must be one of them.
	ACSURLs []string
	// Algorithms is the connection's signature-algorithm policy; the zero
	// value allows only SHA-256 or stronger.
	Algorithms Algorithms
	// ClockSkew is allowed on every time comparison; DefaultClockSkew when
	// zero, no skew when negative.
	ClockSkew time.Duration
	// Now is the injected clock reading; it must be set.
	Now time.Time
}

func (t *Trust) skew() time.Duration {
	switch {
	case t.ClockSkew == 0:
		return DefaultClockSkew
	case t.ClockSkew < 0:
		return 0
	default:
		return t.ClockSkew
	}
}

// validate refuses trust settings under which verification would be
// meaningless (a zero clock would make every expired assertion valid).
func (t *Trust) validate() *Rejection {
	switch {
	case t.Now.IsZero():
		return reject(ReasonTrustInvalid, "the verifier has no clock reading")
	case t.IDPEntityID == "":
		return reject(ReasonTrustInvalid, "the connection has no idp_entity_id")
	case len(t.Certificates) == 0:
		return reject(ReasonTrustInvalid, "the connection has no verification certificate")
	case len(t.Audiences) == 0:
		return reject(ReasonTrustInvalid, "the connection has no audience URI")
	case len(t.ACSURLs) == 0:
		return reject(ReasonTrustInvalid, "the connection has no ACS URL")
	}
	for _, c := range t.Certificates {
		if c == nil || len(c.Raw) == 0 {
			return reject(ReasonTrustInvalid, "a verification certificate is empty")
		}
	}
	for _, k := range t.DecryptionKeys {
		if k == nil {
			return reject(ReasonTrustInvalid, "a decryption key is empty")
		}
	}
	return nil
}

// Assertion is a verified SAML assertion: every field comes from content
// covered by a signature that verified against one of Trust.Certificates,
// except ResponseID, which comes from an unsigned Response when only the
// assertion was signed.
type Assertion struct {
	ResponseID string
	// AssertionID is the key for the replay cache.
	AssertionID string
	// InResponseTo is the request ID this assertion answers, taken only from
	// signed content: the SubjectConfirmationData of the bearer confirmation
	// that was accepted, or the Response when the Response was signed. Empty
	// means IdP-initiated (unsolicited); the caller decides whether that is
	// allowed and compares a non-empty value with the stored request.
	InResponseTo string
	Issuer       string
	NameID       string
	NameIDFormat string
	SessionIndex string
	// NotOnOrAfter is the instant from which this package rejects the
	// assertion as expired (latest of Conditions and bearer
	// SubjectConfirmationData NotOnOrAfter, plus the clock skew). Keep the
	// replay entry at least until then.
	NotOnOrAfter time.Time
	// Attributes are keyed by Attribute Name, values in document order;
	// attributes with the same Name are merged. An attribute's FriendlyName is
	// an additional key for the same values when no attribute has that Name
	// and no other attribute uses the same FriendlyName (so Shibboleth-style
	// OIDs can be mapped as "mail"). Values with xsi:nil="true" are skipped.
	Attributes      map[string][]string
	ResponseSigned  bool
	AssertionSigned bool
	Encrypted       bool
	// CertificateFingerprint is the lowercase hex SHA-256 of the DER of the
	// trusted certificate that verified (the assertion's when both were
	// signed).
	CertificateFingerprint string
	// Facts are the diagnostics gathered while verifying (what the response
	// said about issuer, destination, recipient and audiences), for the
	// login record of a successful login.
	Facts Facts
}

// Fingerprint is the lowercase hex SHA-256 of a certificate's DER bytes, the
// format of Assertion.CertificateFingerprint and Facts.CertificateFingerprint.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
