package outbound

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// countingListener accepts TCP connections, counts them and closes them. A
// hostile-URL test passes only if the count stays zero: refusing after
// connecting is not good enough.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func listenCounting(t *testing.T, addr string) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	cl := &countingListener{Listener: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cl.accepts.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return cl
}

func (cl *countingListener) port() string {
	return strconv.Itoa(cl.Addr().(*net.TCPAddr).Port)
}

// fakeDNS answers only the names in m, so tests never touch real DNS.
func fakeDNS(m map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		addrs, ok := m[strings.TrimSuffix(strings.ToLower(host), ".")] // DNS is case-insensitive
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

func mustAllow(t *testing.T, s string) ([]netip.Prefix, []string) {
	t.Helper()
	p, hp, err := ParseAllow(s)
	if err != nil {
		t.Fatal(err)
	}
	return p, hp
}

// serverPort returns the port of an httptest server.
func serverPort(srv *httptest.Server) string {
	return strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
}

func trustServer(srv *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return pool
}

func wantKind(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is not an *outbound.Error", err, err)
	}
	if oe.Kind != kind {
		t.Fatalf("kind = %v (%v), want %v", oe.Kind, oe, kind)
	}
	return oe
}

func okHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(body))
	}
}
