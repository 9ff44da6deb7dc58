package outbound

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var hostileDNS = map[string][]string{
	"localhost":         {"127.0.0.1", "::1"},
	"internal.example":  {"10.0.0.1"},
	"loop.example":      {"127.0.0.1"},
	"metadata.example":  {"169.254.169.254"},
	"mapped.example":    {"::ffff:127.0.0.1"},
	"nat64.example":     {"64:ff9b::a00:1"},
	"ula.example":       {"fd00::2"},
	"cgnat.example":     {"100.64.0.1"},
	"public.example":    {"93.184.215.14"},
	"mixed.example":     {"10.1.1.1", "192.168.0.1", "::1"},
	"unspecified.test":  {"0.0.0.0"},
	"multicast.example": {"224.0.0.251"},
}

// TestHostileURLs: with the production configuration (empty allow-list)
// every one of these fails with the expected kind before reaching anything.
func TestHostileURLs(t *testing.T) {
	c := New(Config{Resolve: fakeDNS(hostileDNS), Timeout: 2 * time.Second})
	for _, tc := range []struct {
		url  string
		kind Kind
	}{
		{"http://127.0.0.1", KindRefusedAddress},
		{"http://[::1]", KindRefusedAddress},
		{"http://0.0.0.0", KindRefusedAddress},
		{"http://169.254.169.254/latest/meta-data/", KindRefusedAddress},
		{"http://[::ffff:127.0.0.1]", KindRefusedAddress},
		{"http://2130706433", KindRefusedAddress},
		{"http://0x7f.1", KindRefusedAddress},
		{"http://017700000001", KindRefusedAddress},
		{"http://localhost", KindRefusedAddress},
		{"http://10.0.0.1", KindRefusedAddress},
		{"https://user:pass@example.com", KindBadURL},
		{"https://user@example.com", KindBadURL},
		{"file:///etc/passwd", KindBadURL},
		{"gopher://x", KindBadURL},
		{"ftp://x", KindBadURL},
		{"data:,x", KindBadURL},
		{"javascript:alert(1)", KindBadURL},
		{"//example.com/x", KindBadURL},
		{"/relative", KindBadURL},
		{"", KindBadURL},

		// https, port 443: the address rules alone must refuse these.
		{"https://127.0.0.1/", KindRefusedAddress},
		{"https://127.1.2.3/", KindRefusedAddress},
		{"https://[::1]/", KindRefusedAddress},
		{"https://0.0.0.0/", KindRefusedAddress},
		{"https://[::]/", KindRefusedAddress},
		{"https://169.254.169.254/", KindRefusedAddress},
		{"https://[fd00:ec2::254]/", KindRefusedAddress},
		{"https://10.0.0.1/", KindRefusedAddress},
		{"https://172.16.0.1/", KindRefusedAddress},
		{"https://192.168.1.1/", KindRefusedAddress},
		{"https://100.64.0.1/", KindRefusedAddress},
		{"https://[fc00::1]/", KindRefusedAddress},
		{"https://[fe80::1]/", KindRefusedAddress},
		{"https://[fe80::1%25eth0]/", KindBadURL},
		{"https://[::ffff:7f00:1]/", KindRefusedAddress},
		{"https://[::ffff:10.0.0.1]/", KindRefusedAddress},
		{"https://[64:ff9b::7f00:1]/", KindRefusedAddress},
		{"https://[2001:db8::1]/", KindRefusedAddress},
		{"https://224.0.0.1/", KindRefusedAddress},
		{"https://240.0.0.1/", KindRefusedAddress},
		{"https://255.255.255.255/", KindRefusedAddress},
		{"https://198.18.0.1/", KindRefusedAddress},
		{"https://0x7f.0.0.1/", KindRefusedAddress},
		{"https://0177.0.0.1/", KindRefusedAddress},
		{"https://0xa000001/", KindRefusedAddress},
		{"https://127.1/", KindRefusedAddress},
		{"HTTPS://127.0.0.1/", KindRefusedAddress},
		{"https://%31%32%37.0.0.1/", KindBadURL}, // url.Parse refuses escapes in hosts

		// Names: refused after resolution.
		{"https://localhost/", KindRefusedAddress},
		{"https://LOCALHOST./", KindRefusedAddress},
		{"https://internal.example/", KindRefusedAddress},
		{"https://metadata.example/latest/meta-data/", KindRefusedAddress},
		{"https://mapped.example/", KindRefusedAddress},
		{"https://nat64.example/", KindRefusedAddress},
		{"https://ula.example/", KindRefusedAddress},
		{"https://cgnat.example/", KindRefusedAddress},
		{"https://mixed.example/", KindRefusedAddress},
		{"https://unspecified.test/", KindRefusedAddress},
		{"https://multicast.example/", KindRefusedAddress},
		{"https://public.example:8443/", KindRefusedAddress}, // port
		{"https://public.example:80/", KindRefusedAddress},
		{"http://public.example/", KindRefusedAddress}, // plaintext to a non-allow-listed host
		{"https://93.184.215.14:22/", KindRefusedAddress},
		{"http://93.184.215.14/", KindRefusedAddress},

		// Malformed.
		{"https:///path", KindBadURL},
		{"http:foo", KindBadURL},
		{"https://exa mple.com/", KindBadURL},
		{"https://example.com:0/", KindBadURL},
		{"https://example.com:99999/", KindBadURL},
		{"https://example.123/", KindBadURL},
		{"https://16843009/", KindBadURL}, // 1.1.1.1, but not in canonical form
		{"https://1.2.3.4.5/", KindBadURL},
		{"https://bad_host!.example/", KindBadURL},
		{"https://ex%00ample.com/", KindBadURL},
		{"https://xn--nxasmq6b.example/\x7f", KindBadURL},
		{"https://example.com/" + strings.Repeat("a", maxURLLen), KindBadURL},
		{"https://no-such-host.invalid/", KindDNS}, // sanity: unknown names are DNS failures
	} {
		t.Run(tc.url, func(t *testing.T) {
			resp, err := c.Get(context.Background(), tc.url, "")
			if resp != nil {
				t.Fatal("response returned for hostile URL")
			}
			e := wantKind(t, err, tc.kind)
			for _, secret := range []string{"pass", "user:"} {
				if strings.Contains(e.Error(), secret) {
					t.Fatalf("error message %q leaks URL credentials", e.Error())
				}
			}
		})
	}
}

// TestHostileURLsNeverConnect points the loopback spellings at real listeners
// and checks that not one TCP connection was accepted.
func TestHostileURLsNeverConnect(t *testing.T) {
	v4 := listenCounting(t, "127.0.0.1:0")
	v6 := listenCounting(t, "[::1]:0")
	dns := map[string][]string{"localhost": {"127.0.0.1", "::1"}, "loop.example": {"127.0.0.1"}, "loop6.example": {"::1"}}
	c := New(Config{Resolve: fakeDNS(dns), Timeout: 2 * time.Second})
	p4, p6 := v4.port(), v6.port()
	for _, u := range []string{
		"http://127.0.0.1:" + p4,
		"https://127.0.0.1:" + p4,
		"http://[::ffff:127.0.0.1]:" + p4,
		"https://[::ffff:127.0.0.1]:" + p4,
		"http://2130706433:" + p4,
		"https://0x7f.1:" + p4,
		"http://017700000001:" + p4,
		"http://localhost:" + p4,
		"https://localhost:" + p4,
		"https://loop.example:" + p4,
		"http://[::1]:" + p6,
		"https://[::1]:" + p6,
		"https://loop6.example:" + p6,
	} {
		t.Run(u, func(t *testing.T) {
			_, err := c.Get(context.Background(), u, "")
			wantKind(t, err, KindRefusedAddress)
		})
	}
	if n := v4.accepts.Load() + v6.accepts.Load(); n != 0 {
		t.Fatalf("%d connections reached a listener", n)
	}
}

// TestRedirectToNonAllowListed: only server A (127.0.0.1:portA) is allowed;
// its redirects to other loopback addresses and ports must be refused at
// dial time without connecting.
func TestRedirectToNonAllowListed(t *testing.T) {
	other2 := listenCounting(t, "127.0.0.2:0")
	other6 := listenCounting(t, "[::1]:0")
	other1 := listenCounting(t, "127.0.0.1:0")
	var target string
	srvA := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}))
	defer srvA.Close()
	c := New(Config{AllowHostPorts: []string{"127.0.0.1:" + serverPort(srvA)},
		Resolve: fakeDNS(map[string][]string{"rebind.example": {"127.0.0.2"}}), Timeout: 2 * time.Second})

	for _, tc := range []struct {
		target string
		kind   Kind
	}{
		{"http://127.0.0.2:" + other2.port() + "/", KindRefusedRedirect},
		{"http://[::1]:" + other6.port() + "/", KindRefusedRedirect},
		{"http://127.0.0.1:" + other1.port() + "/", KindRefusedRedirect}, // same address, other port
		{"https://127.0.0.2:" + other2.port() + "/", KindRefusedRedirect},
		{"http://rebind.example:" + other2.port() + "/", KindRefusedRedirect},
		{"http://169.254.169.254/latest/meta-data/", KindRefusedRedirect},
		{"file:///etc/passwd", KindBadURL},
		{"http://u:p@127.0.0.1:" + serverPort(srvA) + "/", KindBadURL},
	} {
		t.Run(tc.target, func(t *testing.T) {
			target = tc.target
			_, err := c.Get(context.Background(), srvA.URL+"/start", "")
			wantKind(t, err, tc.kind)
		})
	}
	if n := other1.accepts.Load() + other2.accepts.Load() + other6.accepts.Load(); n != 0 {
		t.Fatalf("%d connections reached a non-allow-listed listener", n)
	}
}

// TestDNSRebinding: the name first resolves to the allow-listed address, then
// to a forbidden one on the same port. The second connection is refused
// because the check runs on every dial, not once per name.
func TestDNSRebinding(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // force a new dial next time
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	evil := listenCounting(t, "127.0.0.2:"+serverPort(srv))
	answers := []string{"127.0.0.1", "127.0.0.2"}
	calls := 0
	c := New(Config{
		AllowHostPorts: []string{"127.0.0.1:" + serverPort(srv)},
		Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			a := answers[min(calls, 1)]
			calls++
			return fakeDNS(map[string][]string{host: {a}})(ctx, host)
		},
	})
	u := "http://rebind.example:" + serverPort(srv) + "/"
	if _, err := c.Get(context.Background(), u, ""); err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	_, err := c.Get(context.Background(), u, "")
	wantKind(t, err, KindRefusedAddress)
	if evil.accepts.Load() != 0 {
		t.Fatal("rebound name reached the forbidden listener")
	}
	if calls != 2 {
		t.Fatalf("resolver called %d times, want 2", calls)
	}
}

func TestHTTPSDowngradeRedirect(t *testing.T) {
	plain := listenCounting(t, "127.0.0.1:0")
	allowedPlain := httptest.NewServer(okHandler("plain ok"))
	defer allowedPlain.Close()
	var target string
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	}))
	defer tlsSrv.Close()
	c := New(Config{
		AllowHostPorts: []string{"127.0.0.1:" + serverPort(tlsSrv), "127.0.0.1:" + serverPort(allowedPlain)},
		RootCAs:        trustServer(tlsSrv),
	})

	target = "http://127.0.0.1:" + plain.port() + "/"
	_, err := c.Get(context.Background(), tlsSrv.URL, "")
	e := wantKind(t, err, KindBadURL)
	if !strings.Contains(e.Reason, "https to http") {
		t.Fatalf("reason = %q", e.Reason)
	}
	if plain.accepts.Load() != 0 {
		t.Fatal("downgrade target was contacted")
	}

	// A downgrade to an explicitly allow-listed destination is permitted.
	target = allowedPlain.URL + "/"
	resp, err := c.Get(context.Background(), tlsSrv.URL, "")
	if err != nil {
		t.Fatalf("downgrade to allow-listed server: %v", err)
	}
	if string(resp.Body) != "plain ok" || resp.URL != allowedPlain.URL+"/" {
		t.Fatalf("got %q from %s", resp.Body, resp.URL)
	}
}

// TestDialTimeRefusalWithAllowList: once any prefix is allow-listed, names can
// no longer be judged from the URL, so the same refusals must come from the
// dial-time check.
func TestDialTimeRefusalWithAllowList(t *testing.T) {
	ln := listenCounting(t, "127.0.0.2:0")
	cfg := loopbackConfig(t)
	cfg.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	cfg.Resolve = fakeDNS(map[string][]string{
		"public.example": {"93.184.215.14"}, "loop2.example": {"127.0.0.2"}, "internal.example": {"10.0.0.1"},
	})
	c := New(cfg)
	for _, u := range []string{
		"https://public.example:8443/",
		"http://public.example/",
		"http://loop2.example:" + ln.port() + "/",
		"https://loop2.example:" + ln.port() + "/",
		"https://internal.example/",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := c.Get(context.Background(), u, "")
			wantKind(t, err, KindRefusedAddress)
		})
	}
	if ln.accepts.Load() != 0 {
		t.Fatal("a refused destination was contacted")
	}
}
