package sso

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/outbound"
)

// outboundFixture is a set of loopback servers that fail in every way a
// customer URL can, and a guarded client that may reach loopback only.
type outboundFixture struct {
	plain, untrusted *httptest.Server
	closedPort       string
	// client has the default timeout, so that a slow TLS handshake on a
	// loaded machine is not a timeout; quick is for the timeout cases.
	client, quick *outbound.Client
}

func newOutboundFixture(t *testing.T) *outboundFixture {
	t.Helper()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/refused/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://10.0.0.7/metadata", http.StatusFound)
	})
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	})
	mux.HandleFunc("/unavailable/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>maintenance</html>", http.StatusServiceUnavailable)
	})
	f := &outboundFixture{plain: httptest.NewServer(mux), untrusted: httptest.NewTLSServer(mux)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, f.closedPort, _ = net.SplitHostPort(ln.Addr().String())
	ln.Close()
	t.Cleanup(func() {
		close(release)
		f.plain.Close()
		f.untrusted.Close()
	})
	cfg := outbound.Config{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			if host == "internal.example" {
				return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true} // no real DNS in tests
		},
	}
	f.client = outbound.New(cfg)
	cfg.Timeout = 300 * time.Millisecond
	f.quick = outbound.New(cfg)
	return f
}

// TestFetchMetadataErrorTypes: the error types the SDK conformance suite
// relies on are unchanged, and the message names the precise failure.
func TestFetchMetadataErrorTypes(t *testing.T) {
	f := newOutboundFixture(t)
	for _, tc := range []struct {
		name, url, errType, message string
		hint                        bool
	}{
		{"bad URL", "ftp://idp.example.com/metadata", "invalid_saml_metadata_url",
			"metadata_url: the URL of the metadata server idp.example.com is not acceptable (only https URLs are allowed).", false},
		{"refused address", "https://internal.example/metadata", "saml_metadata_url_refused",
			"metadata_url: the metadata server internal.example is at a refused address (the host resolves to a private, loopback, link-local or reserved address).", true},
		{"refused redirect", f.plain.URL + "/refused/", "saml_metadata_url_refused",
			"metadata_url: the metadata server 127.0.0.1 redirected to a refused address (10.0.0.7: the host resolves to a private, loopback, link-local or reserved address).", true},
		{"unknown host", "https://idp.customer.invalid/metadata", "saml_metadata_url_unreachable",
			"metadata_url: the metadata server idp.customer.invalid's host name could not be resolved.", false},
		{"untrusted certificate", f.untrusted.URL + "/unavailable/", "saml_metadata_url_unreachable",
			"metadata_url: the metadata server 127.0.0.1's TLS certificate is not trusted (the server's TLS certificate is not signed by a trusted authority).", false},
		{"TLS to a plain server", strings.Replace(f.plain.URL, "http:", "https:", 1) + "/unavailable/", "saml_metadata_url_unreachable",
			"metadata_url: the TLS handshake with the metadata server 127.0.0.1 failed.", false},
		{"connection refused", "http://127.0.0.1:" + f.closedPort + "/metadata", "saml_metadata_url_unreachable",
			"metadata_url: the connection to the metadata server 127.0.0.1 failed (the connection was refused).", false},
		{"timeout", f.plain.URL + "/slow/", "saml_metadata_url_timeout",
			"metadata_url: the metadata server 127.0.0.1 timed out.", false},
		{"HTTP 503", f.plain.URL + "/unavailable/", "saml_metadata_url_http_error",
			"metadata_url: the metadata server 127.0.0.1 answered HTTP 503.", false},
		{"redirect loop", f.plain.URL + "/loop/", "saml_metadata_url_too_many_redirects",
			"metadata_url: the metadata server 127.0.0.1 redirected too many times (more than 3 redirects).", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetch := MetadataFetcher{Client: f.client}
			if tc.errType == "saml_metadata_url_timeout" {
				fetch.Client = f.quick
			}
			_, err := fetch.FetchMetadata(context.Background(), tc.url)
			ae := apierr.As(err)
			if ae.Status != 400 || ae.Type != tc.errType {
				t.Fatalf("got %d %s (%v), want 400 %s", ae.Status, ae.Type, err, tc.errType)
			}
			want := tc.message
			if tc.hint {
				want += " A Seam operator can allow this destination with SEAM_OUTBOUND_ALLOW."
			}
			if ae.Message != want {
				t.Errorf("message =\n  %q\nwant\n  %q", ae.Message, want)
			}
			if strings.Contains(ae.Message, "maintenance") {
				t.Error("the message reflects the response body")
			}
		})
	}
}

// TestDiscoveryWarningNamesTheFailure: a failed discovery on an OIDC update
// warns with the precise outbound failure, not "unreachable".
func TestDiscoveryWarningNamesTheFailure(t *testing.T) {
	f := newOutboundFixture(t)
	s := newTestService(t)
	for _, tc := range []struct {
		name, issuer, want string
	}{
		{"timeout", f.plain.URL + "/slow", "(the discovery endpoint timed out)."},
		{"refused redirect", f.plain.URL + "/refused",
			"(the discovery endpoint redirected to a refused address (10.0.0.7: the host resolves to a private, loopback, link-local or reserved address)). A Seam operator can allow this destination with SEAM_OUTBOUND_ALLOW."},
		{"untrusted certificate", f.untrusted.URL + "/unavailable",
			"(the discovery endpoint's TLS certificate is not trusted (the server's TLS certificate is not signed by a trusted authority))."},
		{"unknown host", "https://idp.customer.invalid", "(the discovery endpoint's host name could not be resolved)."},
		{"HTTP 503", f.plain.URL + "/unavailable", "(the discovery endpoint answered HTTP 503)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.HTTPClient = f.client.HTTPClient()
			if tc.name == "timeout" {
				s.HTTPClient = f.quick.HTTPClient()
			}
			ep, warning := s.discover(context.Background(), tc.issuer)
			if ep != nil {
				t.Fatalf("discovery succeeded: %+v", ep)
			}
			if !strings.Contains(warning, tc.want) || strings.Contains(warning, "unreachable") {
				t.Errorf("warning =\n  %q\nwant it to contain\n  %q", warning, tc.want)
			}
		})
	}
}
