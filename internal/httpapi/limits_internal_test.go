package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/testidp"
)

// TestEveryPublicRouteDeclaresALimit: a route without Basic authentication
// must declare its abuse-limit class in the route table, so a new public
// endpoint cannot ship unlimited by omission.
func TestEveryPublicRouteDeclaresALimit(t *testing.T) {
	s := New(Deps{TestIdP: &testidp.Service{}})
	var public int
	for _, rt := range s.routes {
		if rt.auth != authNone {
			continue
		}
		public++
		if rt.limit.name == "" {
			t.Errorf("%s is public and declares no limit class (route.limit)", rt.pattern)
		}
		if rt.limit.pathTarget != "" && strings.Contains(rt.pattern, "{") &&
			!strings.Contains(rt.pattern, "{"+rt.limit.pathTarget+"}") && !strings.HasPrefix(rt.pattern, "GET "+testidp.AssetsPath) &&
			!strings.HasPrefix(rt.pattern, "GET "+testidp.LandingPath) {
			t.Errorf("%s counts per path value %q that its pattern does not have", rt.pattern, rt.limit.pathTarget)
		}
	}
	if public < 10 {
		t.Fatalf("only %d public routes: is the test IdP missing from the table?", public)
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"socket, no proxy", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer's header ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer: rightmost untrusted hop", "10.1.2.3:80", []string{"198.51.100.7, 192.0.2.9"}, "192.0.2.9"},
		{"trusted chain skipped", "10.1.2.3:80", []string{"192.0.2.9, 10.9.9.9", "10.8.8.8"}, "192.0.2.9"},
		{"spoofed leftmost entry ignored", "10.1.2.3:80", []string{"1.1.1.1, 192.0.2.9"}, "192.0.2.9"},
		{"garbage stops the walk", "10.1.2.3:80", []string{"192.0.2.9, not-an-ip"}, "10.1.2.3"},
		{"trusted peer without header", "10.1.2.3:80", nil, "10.1.2.3"},
		{"IPv6 peer trusted", "[::1]:80", []string{"2001:db8::1"}, "2001:db8::1"},
		{"v4-mapped peer", "[::ffff:203.0.113.5]:80", nil, "203.0.113.5"},
		{"no port", "garbage", nil, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddr(r, trusted).String(); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
	s := &Server{}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "[2001:db8:1:2:3:4:5:6]:80"
	if got := s.clientKey(r); got != "2001:db8:1:2::/64" {
		t.Fatalf("IPv6 key %s, want the /64", got)
	}
}
