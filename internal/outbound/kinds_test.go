package outbound

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFailureKinds: each way a customer URL can fail is reported with its
// own kind and its own client-safe sentence, so an IT admin can tell a slow
// IdP from a refused redirect, an untrusted certificate, a DNS typo or an IdP
// that answers 503. Only loopback servers and an injected resolver are used.
func TestFailureKinds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	dns := fakeDNS(map[string][]string{
		"internal.example": {"10.0.0.7"},
		"b.test":           {"127.0.0.1"},
	})

	var redirectTo string // set per case, read by the server below
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, redirectTo, http.StatusFound)
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/missing", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(okHandler("never read")) // its CA is deliberately not trusted
	defer tlsSrv.Close()
	hangUp := listenCounting(t, "127.0.0.1:0") // accepts and closes at once
	closed := listenCounting(t, "127.0.0.1:0")
	closedPort := closed.port()
	closed.Close()

	cfg := loopbackConfig(t)
	cfg.Resolve = dns
	c := New(cfg) // the default timeout: a loaded machine must not turn a slow TLS handshake into a timeout
	cfg.Timeout = 300 * time.Millisecond
	quick := New(cfg) // for the cases that expect a timeout
	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	const subject = "the token endpoint"
	for _, tc := range []struct {
		name         string
		ctx          context.Context
		url          string
		redirectTo   string
		kind         Kind
		describe     string // exact
		host         string
		redirectHost string
		status       int
		hint         bool
	}{
		{name: "timeout", url: srv.URL + "/slow", kind: KindTimeout,
			describe: "the token endpoint timed out", host: "127.0.0.1"},
		{name: "canceled", ctx: canceled, url: srv.URL + "/slow", kind: KindCanceled,
			describe: "the request to the token endpoint was canceled", host: "127.0.0.1"},
		{name: "refused address", url: "https://internal.example/token", kind: KindRefusedAddress,
			describe: "the token endpoint is at a refused address (the host resolves to a private, loopback, link-local or reserved address)",
			host:     "internal.example", hint: true},
		{name: "redirect to a refused IP", url: srv.URL + "/redirect", redirectTo: "https://10.0.0.7/token", kind: KindRefusedRedirect,
			describe: "the token endpoint redirected to a refused address (10.0.0.7: the host resolves to a private, loopback, link-local or reserved address)",
			host:     "127.0.0.1", redirectHost: "10.0.0.7", hint: true},
		{name: "redirect to a name that resolves to a refused address", url: srv.URL + "/redirect", redirectTo: "https://internal.example/token",
			kind:     KindRefusedRedirect,
			describe: "the token endpoint redirected to a refused address (internal.example: the host resolves to a private, loopback, link-local or reserved address)",
			host:     "127.0.0.1", redirectHost: "internal.example", hint: true},
		{name: "redirect to a closed port of the same host", url: srv.URL + "/redirect", redirectTo: "https://127.0.0.1:" + closedPort + "/",
			kind:     KindConnect, // 127.0.0.0/8 is allow-listed on every port: not refused, just closed
			describe: "the connection to the token endpoint failed (the connection was refused)", host: "127.0.0.1"},
		{name: "untrusted TLS certificate", url: tlsSrv.URL + "/token", kind: KindTLSCertificate,
			describe: "the token endpoint's TLS certificate is not trusted (the server's TLS certificate is not signed by a trusted authority)",
			host:     "127.0.0.1"},
		{name: "TLS to a plain http server", url: strings.Replace(srv.URL, "http:", "https:", 1) + "/token", kind: KindTLSHandshake,
			describe: "the TLS handshake with the token endpoint failed", host: "127.0.0.1"},
		{name: "connection closed during the TLS handshake", url: "https://127.0.0.1:" + hangUp.port() + "/token", kind: KindTLSHandshake,
			describe: "the TLS handshake with the token endpoint failed", host: "127.0.0.1"},
		{name: "unknown host name", url: "https://idp.customer.invalid/token", kind: KindDNS,
			describe: "the token endpoint's host name could not be resolved", host: "idp.customer.invalid"},
		{name: "connection refused", url: "http://127.0.0.1:" + closedPort + "/token", kind: KindConnect,
			describe: "the connection to the token endpoint failed (the connection was refused)", host: "127.0.0.1"},
		{name: "HTTP 503", url: srv.URL + "/unavailable", kind: KindHTTPStatus,
			describe: "the token endpoint answered HTTP 503", host: "127.0.0.1", status: 503},
		{name: "HTTP 404 after a redirect to another host", url: srv.URL + "/redirect", redirectTo: "http://b.test:" + serverPort(srv) + "/missing",
			kind:     KindHTTPStatus,
			describe: "the token endpoint redirected to b.test, and b.test answered HTTP 404", host: "127.0.0.1", redirectHost: "b.test", status: 404},
		{name: "DNS failure after a redirect", url: srv.URL + "/redirect", redirectTo: "https://gone.invalid/token", kind: KindDNS,
			describe: "the token endpoint redirected to gone.invalid, and gone.invalid's host name could not be resolved",
			host:     "127.0.0.1", redirectHost: "gone.invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redirectTo = tc.redirectTo
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			client := c
			if tc.kind == KindTimeout {
				client = quick
			}
			start := time.Now()
			_, err := client.Get(ctx, tc.url, "")
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			e := wantKind(t, err, tc.kind)
			if got := e.Describe(subject); got != tc.describe {
				t.Errorf("Describe =\n  %q\nwant\n  %q", got, tc.describe)
			}
			if e.Host != tc.host || e.RedirectHost != tc.redirectHost || e.StatusCode != tc.status {
				t.Errorf("host %q redirect host %q status %d, want %q %q %d", e.Host, e.RedirectHost, e.StatusCode,
					tc.host, tc.redirectHost, tc.status)
			}
			if (e.Hint != "") != tc.hint || (tc.hint && !strings.Contains(e.Hint, "SEAM_OUTBOUND_ALLOW")) {
				t.Errorf("hint %q, want one: %v", e.Hint, tc.hint)
			}
			msg := e.Error()
			if !strings.HasPrefix(msg, "outbound request to "+tc.host+": ") {
				t.Errorf("Error() = %q does not start with the requested host", msg)
			}
			if tc.redirectHost != "" && !strings.Contains(msg, "redirected to "+tc.redirectHost) {
				t.Errorf("Error() = %q does not name the redirect target", msg)
			}
			for _, leak := range []string{"10.0.0.7", "SEAM_OUTBOUND_ALLOW", "maintenance"} {
				if strings.Contains(msg, leak) && !strings.Contains(tc.redirectTo, leak) {
					t.Errorf("Error() = %q contains %q", msg, leak)
				}
			}
		})
	}
}

// TestRefusedRedirectThroughHTTPClient: code that builds its own requests
// (internal/oidc) gets the same typed refusal, and AsError keeps the
// requested host with the redirect target beside it.
func TestRefusedRedirectThroughHTTPClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://loop2.example/jwks", http.StatusFound)
	}))
	defer srv.Close()
	c := New(Config{AllowHostPorts: []string{"127.0.0.1:" + serverPort(srv)},
		Resolve: fakeDNS(map[string][]string{"loop2.example": {"127.0.0.2"}})})
	resp, err := c.HTTPClient().Get(srv.URL + "/jwks")
	if resp != nil {
		resp.Body.Close()
	}
	e := AsError("127.0.0.1", err)
	if e.Kind != KindRefusedRedirect || e.Host != "127.0.0.1" || e.RedirectHost != "loop2.example" {
		t.Fatalf("got %+v", e)
	}
	if want := "the JWKS endpoint redirected to a refused address (loop2.example: "; !strings.HasPrefix(e.Describe("the JWKS endpoint"), want) {
		t.Fatalf("Describe = %q", e.Describe("the JWKS endpoint"))
	}
	// The cause, for logs, still names the address the name resolved to.
	if cause := errors.Unwrap(e); cause == nil || !strings.Contains(cause.Error(), "127.0.0.2") {
		t.Fatalf("cause %v lost the resolved address", errors.Unwrap(e))
	}
}

// TestRedirectToBadURLNamesTheRedirect: a redirect to a non-http(s) URL
// stays invalid_saml_metadata_url's kind but says it was a redirect.
func TestRedirectToBadURLNamesTheRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	_, err := New(loopbackConfig(t)).Get(context.Background(), srv.URL, "")
	e := wantKind(t, err, KindBadURL)
	if e.Host != "127.0.0.1" || !strings.Contains(e.Error(), "redirected to a URL that is not acceptable") {
		t.Fatalf("got %q (host %q)", e.Error(), e.Host)
	}
}

func TestKindsNamedAndDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		name := k.String()
		if seen[name] || strings.HasPrefix(name, "Kind(") || name != strings.ToLower(name) {
			t.Errorf("kind %d has a bad or duplicate name %q", int(k), name)
		}
		seen[name] = true
		d := (&Error{Kind: k, Reason: "r", StatusCode: 500}).Describe("X")
		if strings.HasPrefix(d, "the request to X failed") {
			t.Errorf("%s has no sentence of its own: %q", name, d)
		}
	}
	if len(seen) != int(KindTooManyRedirects) {
		t.Errorf("Kinds() lists %d kinds, the constants define %d", len(seen), int(KindTooManyRedirects))
	}
}
