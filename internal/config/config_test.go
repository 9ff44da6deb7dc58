package config

import (
	"strings"
	"testing"
)

func TestFinishRefusesBaseURLWithoutReachableHost(t *testing.T) {
	for _, tc := range []struct{ addr, base string }{
		{":8096", ""},
		{"0.0.0.0:8080", ""},
		{"[::]:8080", ""},
		{"127.0.0.1:8080", "http://0.0.0.0:8080"},
		{"127.0.0.1:8080", "https://[::]"},
		{"127.0.0.1:8080", "https://:443"},
	} {
		c := Config{Addr: tc.addr, BaseURL: tc.base, DatabaseURL: "sqlite:x.db", LogFormat: "json"}
		err := c.Finish()
		if err == nil {
			t.Errorf("addr %q base %q: accepted as %q", tc.addr, tc.base, c.BaseURL)
			continue
		}
		if !strings.Contains(err.Error(), "set SEAM_BASE_URL") {
			t.Errorf("addr %q base %q: error does not name the fix: %v", tc.addr, tc.base, err)
		}
	}
	for _, tc := range []struct{ addr, base, want string }{
		{"127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"localhost:9000", "", "http://localhost:9000"},
		{":8096", "https://sso.example.com/", "https://sso.example.com"},
		{"0.0.0.0:8080", "http://localhost:8080", "http://localhost:8080"},
		{"[::]:8080", "http://[::1]:8080", "http://[::1]:8080"},
	} {
		c := Config{Addr: tc.addr, BaseURL: tc.base, DatabaseURL: "sqlite:x.db", LogFormat: "json"}
		if err := c.Finish(); err != nil || c.BaseURL != tc.want {
			t.Errorf("addr %q base %q: %q, %v; want %q", tc.addr, tc.base, c.BaseURL, err, tc.want)
		}
	}
}

func TestSecureContext(t *testing.T) {
	for base, want := range map[string]bool{
		"https://sso.example.com":      true,
		"https://10.0.0.5:8443":        true,
		"http://localhost:8080":        true,
		"http://LOCALHOST":             true,
		"http://seam.localhost:8080":   true,
		"http://127.0.0.1:8080":        true,
		"http://127.1.2.3":             true,
		"http://[::1]:8080":            true,
		"http://sso.example.com":       false,
		"http://10.0.0.5:8080":         false,
		"http://localhost.example.com": false,
		"http://192.168.1.10":          false,
	} {
		if got := SecureContext(base); got != want {
			t.Errorf("SecureContext(%q) = %v, want %v", base, got, want)
		}
	}
}
