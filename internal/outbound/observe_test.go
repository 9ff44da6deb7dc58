package outbound

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestObserve: every request, refused or answered, reaches the Observer
// with its purpose, a typed result and a duration from the injected clock.
func TestObserve(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<x/>")) })
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var mu sync.Mutex
	var got []string
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(Config{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Observe: func(purpose, result string, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, purpose+" "+result+" "+d.String())
		},
		// Each reading of the clock is 250ms after the previous one.
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); tick = tick.Add(250 * time.Millisecond); return tick },
	})
	ctx := context.Background()
	md := WithPurpose(ctx, PurposeSAMLMetadata)
	for _, tc := range []struct {
		ctx  context.Context
		url  string
		want []string
	}{
		{md, srv.URL + "/ok", []string{"saml_metadata ok 250ms"}},
		{md, srv.URL + "/unavailable", []string{"saml_metadata http_status 250ms"}},
		{WithPurpose(ctx, PurposeOIDCDiscovery), srv.URL + "/redirect", []string{"oidc_discovery redirect 250ms", "oidc_discovery ok 250ms"}},
		{ctx, "http://10.0.0.7/metadata", []string{"other refused_address 250ms"}},
	} {
		got = nil
		_, _ = c.Get(tc.ctx, tc.url, "")
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: observed %q, want %q", tc.url, got, tc.want)
		}
	}
	// The HTTPClient used for OIDC is observed as well.
	got = nil
	req, _ := http.NewRequestWithContext(WithPurpose(ctx, PurposeOIDCJWKS), http.MethodGet, srv.URL+"/ok", nil)
	if resp, err := c.HTTPClient().Do(req); err == nil {
		resp.Body.Close()
	}
	if strings.Join(got, "|") != "oidc_jwks ok 250ms" {
		t.Errorf("HTTPClient: observed %q", got)
	}
}
