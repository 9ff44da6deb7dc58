package outbound

import (
	"net/netip"
	"net/url"
	"testing"
)

// FuzzCheckURL: no input panics, and anything the production policy accepts
// is https on 443 to a public literal or a plain DNS name.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://idp.example.com/metadata", "http://127.0.0.1", "https://[::ffff:127.0.0.1]/",
		"https://0x7f.1/", "https://2130706433/", "https://user:pw@host/", "file:///etc/passwd",
		"https://[fe80::1%25eth0]/", "https://93.184.215.14:443/x", "https://a..b/", "https://1.2.3.4.5/",
		"HTTPS://EXAMPLE.COM:0443/", "https://xn--bcher-kva.example/", "https://a.0x/",
	} {
		f.Add(s)
	}
	p := newPolicy(Config{})
	f.Fuzz(func(t *testing.T, raw string) {
		u, perr := parseURL(raw)
		if perr != nil {
			return
		}
		tg, err := p.checkURL(u)
		if err != nil {
			if tg != nil || err.Kind != KindBadURL && err.Kind != KindRefusedAddress {
				t.Fatalf("bad rejection %v", err)
			}
			return
		}
		if u.Scheme != "https" || tg.plaintext || tg.port != 443 || u.User != nil {
			t.Fatalf("accepted %q: scheme %q port %d", raw, u.Scheme, tg.port)
		}
		if tg.addr.IsValid() {
			if p.check(netip.AddrPortFrom(tg.addr, 443), false, false) != nil {
				t.Fatalf("accepted refused literal %q", raw)
			}
		} else if !validHostName(tg.host) || endsInNumber(tg.host) {
			t.Fatalf("accepted odd host %q", tg.host)
		}
		if p.urlAllowListed(u) {
			t.Fatalf("empty policy allow-lists %q", raw)
		}
	})
}

// FuzzParseAllow: no panics; every accepted host:port is canonical and
// parses back to itself.
func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"127.0.0.0/8", "a.example:443,10.0.0.0/8", "[::1]:80", "::ffff:1.2.3.4/120", "x:0", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefixes, hostPorts, err := ParseAllow(s)
		if err != nil {
			return
		}
		for _, p := range prefixes {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("non-canonical prefix %v", p)
			}
		}
		for _, hp := range hostPorts {
			again, err := normalizeHostPort(hp)
			if err != nil || again != hp {
				t.Fatalf("%q normalizes to %q (%v)", hp, again, err)
			}
			if _, err := url.Parse("https://" + hp); err != nil {
				t.Fatalf("%q is not usable in a URL: %v", hp, err)
			}
		}
		_ = New(Config{Allow: prefixes, AllowHostPorts: hostPorts})
	})
}
