package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"
)

const (
	dialTimeout         = 5 * time.Second
	tlsHandshakeTimeout = 5 * time.Second
	// maxDialAddrs bounds the connection attempts for one name.
	maxDialAddrs = 8
)

// dialPlain is the Transport's DialContext: the transport only calls it for
// http:// requests (https uses dialTLS), so every socket it opens is
// plaintext and must go to an allow-listed destination.
func (c *Client) dialPlain(ctx context.Context, _, addr string) (net.Conn, error) {
	return c.dial(ctx, addr, true)
}

// dialTLS is the Transport's DialTLSContext, used for every https:// request.
func (c *Client) dialTLS(ctx context.Context, _, addr string) (net.Conn, error) {
	conn, err := c.dial(ctx, addr, false)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	tc := tls.Client(conn, &tls.Config{
		ServerName: host, // an IP literal is verified against IP SANs and not sent as SNI
		RootCAs:    c.cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
	})
	hctx, cancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		conn.Close()
		return nil, handshakeError(host, err)
	}
	return tc, nil
}

// dial resolves addr's host itself, checks every candidate address with the
// policy, and connects with a net.Dialer whose Control hook checks the
// socket address again.
func (c *Client) dial(ctx context.Context, addr string, plaintext bool) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &Error{Kind: KindBadURL, Reason: "the URL's host is not valid", Err: err}
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return nil, &Error{Kind: KindBadURL, Host: host, Reason: "the URL's port is not valid"}
	}
	// The transport detaches dials from request cancellation, so bound
	// resolution and connection attempts here.
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	var (
		addrs       []netip.Addr
		nameAllowed bool
	)
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		nameAllowed = c.policy.nameAllowed(host, uint16(port))
		addrs, err = c.resolve(ctx, host)
		if err != nil {
			return nil, resolveError(ctx, host, err)
		}
		if len(addrs) == 0 {
			return nil, &Error{Kind: KindDNS, Host: host, Reason: "the host name has no addresses"}
		}
	}
	if len(addrs) > maxDialAddrs {
		addrs = addrs[:maxDialAddrs]
	}

	var refused, lastErr error
	for _, a := range addrs {
		// The kernel connects to ::ffff:a.b.c.d as a.b.c.d, so judge it as
		// the IPv4 address it is.
		ap := netip.AddrPortFrom(a.Unmap(), uint16(port))
		if err := c.policy.check(ap, plaintext, nameAllowed); err != nil {
			if refused == nil {
				refused = err
			}
			continue
		}
		conn, err := c.connect(ctx, ap, plaintext, nameAllowed)
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, classify(host, lastErr)
	}
	return nil, withHost(refused, host)
}

// connect opens the socket; the Control hook re-checks the address the
// kernel is about to connect to, independent of the pre-dial check.
func (c *Client) connect(ctx context.Context, ap netip.AddrPort, plaintext, nameAllowed bool) (net.Conn, error) {
	d := net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Control:   c.policy.controlFunc(plaintext, nameAllowed),
	}
	return d.DialContext(ctx, "tcp", ap.String())
}

// resolveError types a failed name lookup: KindDNS, unless the request's
// own deadline or cancellation ended it.
func resolveError(ctx context.Context, host string, err error) *Error {
	e := &Error{Kind: KindDNS, Host: host, Reason: "the host name could not be resolved", Err: err}
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind, e.Reason = KindCanceled, "the request was canceled"
	case ctx.Err() != nil:
		e.Kind, e.Reason = KindTimeout, "the request timed out"
	case errors.As(err, &netErr) && netErr.Timeout():
		e.Reason = "the host name lookup timed out"
	}
	return e
}

// handshakeError types a failed TLS handshake: certificate problems,
// timeouts and cancellation keep their kind; anything else, including a
// server that closes the connection, is KindTLSHandshake.
func handshakeError(host string, err error) *Error {
	e := classify(host, err)
	switch e.Kind {
	case KindTimeout:
		e.Reason = "the TLS handshake timed out"
	case KindConnect:
		e.Kind = KindTLSHandshake
		if e.Reason == reasonConnectFailed { // crypto/tls's own errors (versions, ciphers) are untyped
			e.Reason = "the TLS handshake failed"
		} else {
			e.Reason = "the server closed or reset the connection during the TLS handshake"
		}
	}
	return e
}

func (c *Client) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if c.cfg.Resolve != nil {
		return c.cfg.Resolve(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}
