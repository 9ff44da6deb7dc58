package oidc

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/outbound"
)

// TestOutboundFailuresAreTyped drives discovery and the token exchange
// through Seam's guarded client against loopback servers and checks that a
// timeout, a refused redirect, an untrusted certificate, an unknown host
// name and an HTTP error status each come back with their own outbound kind
// and their own sentence, instead of one "unreachable".
func TestOutboundFailuresAreTyped(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client giving up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/refused/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://10.0.0.7/internal", http.StatusFound)
	})
	mux.HandleFunc("/unavailable/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/moved/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://10.0.0.7/token", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	untrusted := httptest.NewTLSServer(mux) // its CA is not given to the client
	defer untrusted.Close()
	defer close(release) // before the servers wait for their handlers

	client := func(timeout time.Duration) *http.Client {
		return outbound.New(outbound.Config{
			Allow:   []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			Timeout: timeout,
			Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true} // no real DNS in tests
			},
		}).HTTPClient()
	}
	// The default timeout, so that a slow TLS handshake on a loaded machine
	// is not a timeout; a short one for the cases that expect a timeout.
	normal, quick := client(0), client(300*time.Millisecond)

	discover := func(hc *http.Client, base string) error {
		_, err := Discover(context.Background(), hc, base)
		return err
	}
	exchange := func(hc *http.Client, base string) error {
		cfg := Config{Issuer: base, ClientID: "client", ClientSecret: "secret-value", TokenURL: base + "/token",
			RedirectURL: "https://seam.example/v1/b2b/sso/callback/oidc-connection-test-1"}
		_, err := Exchange(context.Background(), hc, cfg, "the-code", strings.Repeat("v", 43))
		return err
	}
	jwks := func(hc *http.Client, base string) error {
		_, err := fetchJWKS(context.Background(), hc, base+"/jwks")
		return err
	}
	userinfo := func(hc *http.Client, base string) error {
		_, err := UserInfo(context.Background(), hc, Config{UserinfoURL: base + "/userinfo"}, "access-token")
		return err
	}

	for _, tc := range []struct {
		name         string
		call         func(*http.Client, string) error
		base         string
		reason       Reason
		kind         outbound.Kind
		detail       string
		host         string
		redirectHost string
		status       int
	}{
		{"token timeout", exchange, srv.URL + "/slow", ReasonTokenExchangeFailed, outbound.KindTimeout,
			"the token endpoint timed out", "127.0.0.1", "", 0},
		{"token redirect is a status, never followed", exchange, srv.URL + "/moved", ReasonTokenExchangeFailed, outbound.KindHTTPStatus,
			"the token endpoint answered HTTP 307 (a redirect, which is not followed for the token request)", "127.0.0.1", "", 307},
		{"token untrusted certificate", exchange, untrusted.URL + "/unavailable", ReasonTokenExchangeFailed, outbound.KindTLSCertificate,
			"the token endpoint's TLS certificate is not trusted (the server's TLS certificate is not signed by a trusted authority)", "127.0.0.1", "", 0},
		{"token unknown host", exchange, "https://idp.customer.invalid", ReasonTokenExchangeFailed, outbound.KindDNS,
			"the token endpoint's host name could not be resolved", "idp.customer.invalid", "", 0},
		{"token 503", exchange, srv.URL + "/unavailable", ReasonTokenExchangeFailed, outbound.KindHTTPStatus,
			"the token endpoint answered HTTP 503", "127.0.0.1", "", 503},

		{"discovery timeout", discover, srv.URL + "/slow", ReasonDiscoveryFailed, outbound.KindTimeout,
			"the discovery endpoint timed out", "127.0.0.1", "", 0},
		{"discovery refused redirect", discover, srv.URL + "/refused", ReasonDiscoveryFailed, outbound.KindRefusedRedirect,
			"the discovery endpoint redirected to a refused address (10.0.0.7: the host resolves to a private, loopback, link-local or reserved address)",
			"127.0.0.1", "10.0.0.7", 0},
		{"discovery untrusted certificate", discover, untrusted.URL + "/unavailable", ReasonDiscoveryFailed, outbound.KindTLSCertificate,
			"the discovery endpoint's TLS certificate is not trusted (the server's TLS certificate is not signed by a trusted authority)", "127.0.0.1", "", 0},
		{"discovery unknown host", discover, "https://idp.customer.invalid", ReasonDiscoveryFailed, outbound.KindDNS,
			"the discovery endpoint's host name could not be resolved", "idp.customer.invalid", "", 0},
		{"discovery 503", discover, srv.URL + "/unavailable", ReasonDiscoveryFailed, outbound.KindHTTPStatus,
			"the discovery endpoint answered HTTP 503", "127.0.0.1", "", 503},

		{"JWKS refused redirect", jwks, srv.URL + "/refused", ReasonJWKSFetchFailed, outbound.KindRefusedRedirect,
			"the JWKS endpoint redirected to a refused address (10.0.0.7: the host resolves to a private, loopback, link-local or reserved address)",
			"127.0.0.1", "10.0.0.7", 0},
		{"userinfo timeout", userinfo, srv.URL + "/slow", ReasonUserInfoFailed, outbound.KindTimeout,
			"the userinfo endpoint timed out", "127.0.0.1", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := normal
			if tc.kind == outbound.KindTimeout {
				hc = quick
			}
			err := tc.call(hc, tc.base)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if e.Reason != tc.reason || e.Outbound != tc.kind.String() {
				t.Fatalf("reason %s, outbound %q; want %s, %q (%v)", e.Reason, e.Outbound, tc.reason, tc.kind, err)
			}
			if e.Detail != tc.detail {
				t.Errorf("detail =\n  %q\nwant\n  %q", e.Detail, tc.detail)
			}
			if e.Host != tc.host || e.RedirectHost != tc.redirectHost || e.HTTPStatus != tc.status {
				t.Errorf("host %q redirect host %q status %d, want %q %q %d", e.Host, e.RedirectHost, e.HTTPStatus,
					tc.host, tc.redirectHost, tc.status)
			}
			msg := e.APIError().Message
			if !strings.Contains(msg, tc.detail) {
				t.Errorf("API message %q lacks the detail", msg)
			}
			for _, leak := range []string{"secret-value", "the-code", "maintenance", "unreachable"} {
				if strings.Contains(msg, leak) {
					t.Errorf("API message %q contains %q", msg, leak)
				}
			}
		})
	}
}

// TestOutboundFieldsOnlyForFetchFailures: an OAuth error answer is the
// provider speaking the protocol, not an outbound failure.
func TestOutboundFieldsOnlyForFetchFailures(t *testing.T) {
	op := newTestOP(t)
	op.set(func(op *testOP) {
		op.status["/token"] = 400
		op.rawBody["/token"] = `{"error":"invalid_grant"}`
	})
	_, err := Exchange(context.Background(), op.srv.Client(), op.config(), "code", strings.Repeat("v", 43))
	var e *Error
	if !errors.As(err, &e) || e.Reason != ReasonInvalidGrant || e.Outbound != "" || e.Host != "" || e.HTTPStatus != 400 {
		t.Fatalf("err = %+v", e)
	}

	// A plain *http.Client (not the guarded one) is classified too.
	op2 := newTestOP(t)
	hc := op2.srv.Client()
	op2.srv.Close()
	_, err = Discover(context.Background(), hc, op2.issuer)
	if !errors.As(err, &e) || e.Outbound != outbound.KindConnect.String() || e.Host != "127.0.0.1" {
		t.Fatalf("err = %+v", e)
	}
}
