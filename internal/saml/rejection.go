package saml

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rejection is the error VerifyResponse returns. Detail is written by this
// package for an IT admin: it never contains raw XML, keys or signatures, and
// every value copied from the response is length-capped and stripped of
// control characters.
type Rejection struct {
	Reason Reason
	Detail string
	Facts  Facts
}

// Facts are non-secret diagnostics about the rejected response. Issuer,
// Destination, Recipient, InResponseTo, AssertionID and Audiences may come
// from content whose signature was not (yet) verified: they say what the
// response claimed, not what is true. CertificateFingerprint is the SHA-256
// (lowercase hex of the DER) of the certificate seen in KeyInfo or of the
// trusted certificate that verified. Attributes are filled only from an
// assertion whose signature verified.
type Facts struct {
	Issuer                 string
	Destination            string
	Recipient              string
	InResponseTo           string
	AssertionID            string
	CertificateFingerprint string
	// SignatureMethod is the XML-DSig SignatureMethod of the last signature
	// checked (recorded so a login through a legacy algorithm is visible).
	SignatureMethod string
	Audiences       []string
	Attributes      map[string][]string
}

func (r *Rejection) Error() string {
	if r.Detail == "" {
		return "saml: " + string(r.Reason)
	}
	return "saml: " + string(r.Reason) + ": " + r.Detail
}

// ErrorType is the Stytch error_type of the rejection.
func (r *Rejection) ErrorType() string { return r.Reason.ErrorType() }

// NewRejection builds a Rejection; the login service uses it for the
// caller-side reasons (replay, unsolicited_response, ...).
func NewRejection(reason Reason, detail string) *Rejection {
	return &Rejection{Reason: reason, Detail: detail}
}

// AsRejection extracts a *Rejection from err.
func AsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}

func reject(reason Reason, detail string) *Rejection {
	return &Rejection{Reason: reason, Detail: detail}
}

const (
	maxFactLen        = 256
	maxFactAudiences  = 16
	maxFactAttributes = 64
	maxFactValues     = 32
)

// clean makes a value taken from an untrusted response safe to show and
// store: valid UTF-8, no control or format characters, at most maxFactLen
// bytes.
func clean(s string) string {
	if len(s) <= maxFactLen && printableASCII(s) {
		return s // nothing to replace or cut: the common case, without a copy
	}
	if len(s) > 4*maxFactLen {
		s = s[:4*maxFactLen]
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > maxFactLen {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func cleanList(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	n := min(len(in), maxFactAudiences)
	out := make([]string, 0, n)
	for _, s := range in[:n] {
		out = append(out, clean(s))
	}
	return out
}

func cleanAttributes(in map[string][]string) map[string][]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string][]string, min(len(in), maxFactAttributes))
	for name, values := range in {
		if len(out) == maxFactAttributes {
			break
		}
		vs := make([]string, 0, min(len(values), maxFactValues))
		for _, v := range values[:min(len(values), maxFactValues)] {
			vs = append(vs, clean(v))
		}
		out[clean(name)] = vs
	}
	return out
}
