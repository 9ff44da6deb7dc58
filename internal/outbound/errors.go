package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"
)

// Kind classifies an outbound failure.
type Kind int

// The kinds of failure. Callers map them to Stytch error types (for example
// KindBadURL to invalid_saml_metadata_url).
const (
	KindBadURL           Kind = iota + 1 // URL refused before any network activity
	KindRefusedAddress                   // destination address or port not allowed
	KindUnreachable                      // DNS failure, connection refused, TLS failure
	KindTimeout                          // a deadline passed (or the caller canceled)
	KindTooLarge                         // body larger than MaxBody
	KindHTTPStatus                       // server answered with a non-2xx status
	KindTooManyRedirects                 // more than MaxRedirects redirects
)

func (k Kind) String() string {
	switch k {
	case KindBadURL:
		return "bad_url"
	case KindRefusedAddress:
		return "refused_address"
	case KindUnreachable:
		return "unreachable"
	case KindTimeout:
		return "timeout"
	case KindTooLarge:
		return "too_large"
	case KindHTTPStatus:
		return "http_status"
	case KindTooManyRedirects:
		return "too_many_redirects"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is every failure the Client reports. Error() is safe to show to an
// API client; Err (reachable through errors.Is/As and logged by LogValue) may
// name resolved addresses and is for server logs only.
type Error struct {
	Kind       Kind
	Host       string // the URL's host as given, without port or userinfo
	Reason     string // short, client-safe explanation
	StatusCode int    // for KindHTTPStatus
	Err        error  // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Host == "" {
		return "outbound request: " + e.Reason
	}
	return "outbound request to " + e.Host + ": " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

// LogValue includes the cause, for server-side logs.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("kind", e.Kind.String()),
		slog.String("host", e.Host),
		slog.String("reason", e.Reason),
	}
	if e.StatusCode != 0 {
		attrs = append(attrs, slog.Int("status", e.StatusCode))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("cause", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// classify turns any error from the HTTP machinery into an *Error for host.
func classify(host string, err error) *Error {
	var oe *Error
	if errors.As(err, &oe) {
		if oe.Host == "" {
			cp := *oe
			cp.Host = host
			return &cp
		}
		return oe
	}
	e := &Error{Kind: KindUnreachable, Host: host, Reason: "the request failed", Err: err}
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
		e.Kind, e.Reason = KindTimeout, "the request was canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Kind, e.Reason = KindTimeout, "the request timed out"
	case errors.As(err, &dnsErr):
		e.Reason = "the host name could not be resolved"
	case errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &verifErr):
		e.Reason = "the server's TLS certificate is not trusted for this host"
	case errors.As(err, &recErr), errors.As(err, &alertErr):
		e.Reason = "the TLS handshake failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason = "the connection was refused"
	case errors.Is(err, syscall.ECONNRESET):
		e.Reason = "the connection was reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.Reason = "the host is unreachable"
	}
	return e
}
