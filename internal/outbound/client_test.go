package outbound

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestGetAllowListedTLSServer(t *testing.T) {
	var gotAccept, gotUA string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAccept, gotUA = r.Header.Get("Accept"), r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write([]byte("<md:EntityDescriptor/>"))
	}))
	defer srv.Close()
	prefixes, hostPorts := mustAllow(t, "127.0.0.0/8")
	c := New(Config{Allow: prefixes, AllowHostPorts: hostPorts, RootCAs: trustServer(srv)})

	resp, err := c.Get(context.Background(), srv.URL+"/metadata", "application/samlmetadata+xml, application/xml")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != "<md:EntityDescriptor/>" ||
		resp.Header.Get("Content-Type") != "application/samlmetadata+xml" || resp.URL != srv.URL+"/metadata" {
		t.Fatalf("unexpected response %+v", resp)
	}
	if gotAccept != "application/samlmetadata+xml, application/xml" || gotUA != userAgent {
		t.Fatalf("server saw Accept %q, User-Agent %q", gotAccept, gotUA)
	}

	// The same server without trusting its certificate is a TLS failure.
	untrusted := New(Config{Allow: prefixes})
	_, err = untrusted.Get(context.Background(), srv.URL, "")
	e := wantKind(t, err, KindTLSCertificate)
	if !strings.Contains(e.Reason, "certificate") {
		t.Fatalf("reason %q does not mention the certificate", e.Reason)
	}
}

func TestTLSAllowListedByHostPortName(t *testing.T) {
	srv := httptest.NewTLSServer(okHandler("named"))
	defer srv.Close()
	// httptest's certificate is valid for example.com; an on-prem IdP name
	// allow-listed by host:port may resolve to a private address.
	c := New(Config{
		AllowHostPorts: []string{"Example.COM:" + serverPort(srv)},
		RootCAs:        trustServer(srv),
		Resolve:        fakeDNS(map[string][]string{"example.com": {"127.0.0.1"}}),
	})
	resp, err := c.Get(context.Background(), "https://example.com:"+serverPort(srv)+"/", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "named" {
		t.Fatalf("body %q", resp.Body)
	}
	// Same name, other port: not allow-listed.
	_, err = c.Get(context.Background(), "https://example.com:1/", "")
	wantKind(t, err, KindRefusedAddress)
}

func TestGetAllowListedPlainServer(t *testing.T) {
	srv := httptest.NewServer(okHandler("hello"))
	defer srv.Close()
	c := New(loopbackConfig(t))
	resp, err := c.Get(context.Background(), srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "hello" {
		t.Fatalf("body %q", resp.Body)
	}
	// The same address over a v4-mapped spelling stays refused.
	_, err = c.Get(context.Background(), strings.Replace(srv.URL, "127.0.0.1", "[::ffff:127.0.0.1]", 1), "")
	wantKind(t, err, KindRefusedAddress)
}

func TestGetNon2xx(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "SECRET-INTERNAL-DETAIL", http.StatusForbidden)
	}))
	defer srv.Close()
	resp, err := New(loopbackConfig(t)).Get(context.Background(), srv.URL, "")
	if resp != nil {
		t.Fatal("Get returned a response for a 403")
	}
	e := wantKind(t, err, KindHTTPStatus)
	if e.StatusCode != 403 || e.Host != "127.0.0.1" {
		t.Fatalf("status %d host %q", e.StatusCode, e.Host)
	}
	if strings.Contains(e.Error(), "SECRET") {
		t.Fatal("error message reflects the response body")
	}
}

// TestHTTPClientGuarded: libraries using HTTPClient get the same refusals, and
// errors.As finds the *Error through *url.Error.
func TestHTTPClientGuarded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:1/", http.StatusFound)
	}))
	defer srv.Close()
	c := New(Config{AllowHostPorts: []string{"127.0.0.1:" + serverPort(srv)},
		Resolve: fakeDNS(map[string][]string{"internal.example": {"10.0.0.1"}})})
	hc := c.HTTPClient()
	if hc.Transport.(*guardedTransport).base.Proxy != nil {
		t.Fatal("transport has a proxy function")
	}
	for _, tc := range []struct {
		url  string
		kind Kind
	}{
		{"https://internal.example/.well-known/openid-configuration", KindRefusedAddress}, // refused at dial
		{"http://10.0.0.1/", KindRefusedAddress},                                          // refused before dial
		{"https://u:p@example.com/", KindBadURL},
		{srv.URL, KindRefusedRedirect}, // redirect hop refused
	} {
		t.Run(tc.url, func(t *testing.T) {
			resp, err := hc.Get(tc.url)
			if resp != nil {
				resp.Body.Close()
			}
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %T is not a *url.Error", err)
			}
			wantKind(t, err, tc.kind)
			if got := AsError("h", err); got.Kind != tc.kind {
				t.Fatalf("AsError kind %v", got.Kind)
			}
		})
	}
}

// TestProxyEnvironmentIgnored: an HTTPS_PROXY/HTTP_PROXY setting must not
// route requests through a proxy, where the address checks would apply to
// the proxy instead of the real destination.
func TestProxyEnvironmentIgnored(t *testing.T) {
	proxy := listenCounting(t, "127.0.0.1:0")
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "http://127.0.0.1:"+proxy.port())
	}
	t.Setenv("NO_PROXY", "")
	srv := httptest.NewServer(okHandler("direct"))
	defer srv.Close()
	resp, err := New(loopbackConfig(t)).Get(context.Background(), srv.URL, "")
	if err != nil || string(resp.Body) != "direct" {
		t.Fatalf("got %v", err)
	}
	if proxy.accepts.Load() != 0 {
		t.Fatal("request went through the proxy")
	}
}

// TestErrorMessagesSafe: client-facing text names the host, not the address
// the name resolved to; the cause keeps it for logs.
func TestErrorMessagesSafe(t *testing.T) {
	c := New(Config{Resolve: fakeDNS(map[string][]string{"idp.customer.example": {"10.20.30.40"}})})
	_, err := c.Get(context.Background(), "https://idp.customer.example/metadata", "")
	e := wantKind(t, err, KindRefusedAddress)
	if !strings.Contains(e.Error(), "idp.customer.example") {
		t.Fatalf("message %q does not name the host", e.Error())
	}
	if strings.Contains(e.Error(), "10.20.30.40") {
		t.Fatalf("message %q reveals the resolved address", e.Error())
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("fetch failed", "err", e)
	if !strings.Contains(logged.String(), "10.20.30.40") || !strings.Contains(logged.String(), "refused_address") {
		t.Fatalf("log line lacks the cause: %s", logged.String())
	}
}

func TestConnectionRefusedIsConnect(t *testing.T) {
	ln := listenCounting(t, "127.0.0.1:0")
	port := ln.port()
	ln.Close() // nothing listens there any more
	_, err := New(loopbackConfig(t)).Get(context.Background(), "http://127.0.0.1:"+port+"/", "")
	e := wantKind(t, err, KindConnect)
	if e.Reason != "the connection was refused" {
		t.Fatalf("reason = %q", e.Reason)
	}
}
