package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// Kind classifies an outbound failure. Its String form is stable: it is
// stored with login attempts and documented in docs/login.md.
type Kind int

// The kinds of failure. Callers map them to Stytch error types (for example
// KindBadURL to invalid_saml_metadata_url).
const (
	KindBadURL           Kind = iota + 1 // URL refused before any network activity
	KindRefusedAddress                   // the requested destination address or port is not allowed
	KindRefusedRedirect                  // a redirect pointed at an address or port that is not allowed
	KindDNS                              // the host name could not be resolved
	KindConnect                          // no connection (refused, reset, unreachable) or it broke before an answer
	KindTLSHandshake                     // the TLS handshake failed (not TLS, no common version or cipher, an alert)
	KindTLSCertificate                   // the server's certificate is not trusted for the host
	KindTimeout                          // a deadline passed
	KindCanceled                         // the caller canceled the request
	KindTooLarge                         // body larger than MaxBody
	KindHTTPStatus                       // server answered with a non-2xx status
	KindTooManyRedirects                 // more than MaxRedirects redirects
)

// Kinds lists every Kind, in documentation order.
func Kinds() []Kind {
	return []Kind{KindBadURL, KindRefusedAddress, KindRefusedRedirect, KindDNS, KindConnect, KindTLSHandshake,
		KindTLSCertificate, KindTimeout, KindCanceled, KindTooLarge, KindHTTPStatus, KindTooManyRedirects}
}

func (k Kind) String() string {
	switch k {
	case KindBadURL:
		return "bad_url"
	case KindRefusedAddress:
		return "refused_address"
	case KindRefusedRedirect:
		return "refused_redirect"
	case KindDNS:
		return "dns"
	case KindConnect:
		return "connect"
	case KindTLSHandshake:
		return "tls_handshake"
	case KindTLSCertificate:
		return "tls_certificate"
	case KindTimeout:
		return "timeout"
	case KindCanceled:
		return "canceled"
	case KindTooLarge:
		return "too_large"
	case KindHTTPStatus:
		return "http_status"
	case KindTooManyRedirects:
		return "too_many_redirects"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// reasonConnectFailed is the Reason of a KindConnect failure that classify
// could not narrow down.
const reasonConnectFailed = "the connection failed"

// hintAllow is the operator hint for refusals that an allow-list entry
// would lift.
const hintAllow = "A Seam operator can allow this destination with SEAM_OUTBOUND_ALLOW."

// Error is every failure the Client reports. Error() and Describe are safe to
// show to an API client; Err (reachable through errors.Is/As and logged by
// LogValue) may name resolved addresses and is for server logs only.
type Error struct {
	Kind Kind
	// Host is the host of the URL that was requested, without port or
	// userinfo.
	Host string
	// RedirectHost is the host of the redirect target at which the failure
	// happened; empty when it happened at Host itself (or the target had the
	// same host).
	RedirectHost string
	Reason       string // short, client-safe explanation
	StatusCode   int    // for KindHTTPStatus
	// Hint is a short sentence for the operator, set only where Seam's own
	// configuration could lift the refusal (SEAM_OUTBOUND_ALLOW). It is not
	// part of Error().
	Hint string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("outbound request")
	if e.Host != "" {
		b.WriteString(" to ")
		b.WriteString(e.Host)
	}
	b.WriteString(": ")
	if e.RedirectHost != "" {
		b.WriteString("redirected to ")
		b.WriteString(e.RedirectHost)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Describe is a client-safe clause about the failure whose subject is
// subject, a noun phrase naming what was fetched ("the token endpoint",
// "the metadata URL"). It does not name Host; it names RedirectHost when the
// failure happened after a redirect. For example:
//
//	timeout           the token endpoint timed out
//	refused_redirect  the token endpoint redirected to a refused address (10.0.0.5: ...)
//	tls_certificate   the token endpoint's TLS certificate is not trusted (...)
//	dns               the token endpoint's host name could not be resolved
//	http_status       the token endpoint answered HTTP 503
//	dns, redirected   the token endpoint redirected to b.example, and b.example's host name could not be resolved
func (e *Error) Describe(subject string) string {
	if e.Kind == KindRefusedRedirect {
		where := ""
		if e.RedirectHost != "" {
			where = e.RedirectHost + ": "
		}
		return subject + " redirected to a refused address (" + where + e.Reason + ")"
	}
	if e.RedirectHost != "" {
		return subject + " redirected to " + e.RedirectHost + ", and " + e.describeAt(e.RedirectHost)
	}
	return e.describeAt(subject)
}

func (e *Error) describeAt(s string) string {
	switch e.Kind {
	case KindBadURL:
		return "the URL of " + s + " is not acceptable (" + e.Reason + ")"
	case KindRefusedAddress:
		return s + " is at a refused address (" + e.Reason + ")"
	case KindDNS:
		return s + "'s host name could not be resolved"
	case KindConnect:
		return "the connection to " + s + " failed (" + e.Reason + ")"
	case KindTLSHandshake:
		return "the TLS handshake with " + s + " failed"
	case KindTLSCertificate:
		return s + "'s TLS certificate is not trusted (" + e.Reason + ")"
	case KindTimeout:
		return s + " timed out"
	case KindCanceled:
		return "the request to " + s + " was canceled"
	case KindTooLarge:
		return s + " answered with a body that is too large (" + e.Reason + ")"
	case KindHTTPStatus:
		return s + " answered HTTP " + strconv.Itoa(e.StatusCode)
	case KindTooManyRedirects:
		return s + " redirected too many times (" + e.Reason + ")"
	}
	return "the request to " + s + " failed (" + e.Reason + ")"
}

// LogValue includes the cause and the hint, for server-side logs.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("kind", e.Kind.String()),
		slog.String("host", e.Host),
		slog.String("reason", e.Reason),
	}
	if e.RedirectHost != "" {
		attrs = append(attrs, slog.String("redirect_host", e.RedirectHost))
	}
	if e.StatusCode != 0 {
		attrs = append(attrs, slog.Int("status", e.StatusCode))
	}
	if e.Hint != "" {
		attrs = append(attrs, slog.String("hint", e.Hint))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("cause", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// classify turns any error from the HTTP machinery into an *Error for a
// request to host. When the error shows that it happened at another host
// (an *Error for that host, or a *url.Error for a redirect target's URL),
// that host becomes RedirectHost.
func classify(host string, err error) *Error {
	var oe *Error
	if errors.As(err, &oe) {
		return at(host, oe)
	}
	// A *url.Error names the URL of the hop that failed, which after a
	// redirect is not the one requested.
	hop := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			hop = u.Hostname()
		}
	}
	e := at(host, &Error{Kind: KindConnect, Host: hop, Reason: reasonConnectFailed, Err: err})
	var (
		dnsErr   *net.DNSError
		netErr   net.Error
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		verifErr *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind, e.Reason = KindCanceled, "the request was canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Kind, e.Reason = KindTimeout, "the request timed out"
	case errors.As(err, &dnsErr):
		e.Kind, e.Reason = KindDNS, "the host name could not be resolved"
	case errors.As(err, &unknown):
		e.Kind, e.Reason = KindTLSCertificate, "the server's TLS certificate is not signed by a trusted authority"
	case errors.As(err, &hostErr):
		e.Kind, e.Reason = KindTLSCertificate, "the server's TLS certificate is not valid for this host name"
	case errors.As(err, &certErr) && certErr.Reason == x509.Expired:
		e.Kind, e.Reason = KindTLSCertificate, "the server's TLS certificate has expired or is not valid yet"
	case errors.As(err, &certErr), errors.As(err, &verifErr):
		e.Kind, e.Reason = KindTLSCertificate, "the server's TLS certificate is not trusted for this host"
	case errors.As(err, &recErr), errors.As(err, &alertErr):
		e.Kind, e.Reason = KindTLSHandshake, "the TLS handshake failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason = "the connection was refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		e.Reason = "the connection was reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.Reason = "the host is unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Reason = "the server closed the connection before answering"
	}
	return e
}

// at returns oe as seen by a request to host: Host becomes host (when
// given) and, if oe happened at another host, that host is RedirectHost.
func at(host string, oe *Error) *Error {
	cp := *oe
	switch {
	case host == "":
	case cp.Host == "":
		cp.Host = host
	case !strings.EqualFold(cp.Host, host):
		if cp.RedirectHost == "" {
			cp.RedirectHost = cp.Host
		}
		cp.Host = host
	}
	return &cp
}
