package config

import (
	"flag"
	"io"
	"testing"
)

func TestLimitSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr bool
		check   func(c Config) bool
	}{
		{"defaults", nil, nil, false, func(c Config) bool {
			return c.LimitAddress == DefaultLimitAddress && c.LimitTarget == DefaultLimitTarget &&
				c.LimitAuthFailures == DefaultLimitAuthFailures && c.LimitProjectAuthFailures == DefaultLimitProjectAuthFailures &&
				c.LimitOutbound == DefaultLimitOutbound
		}},
		{"outbound from the environment", map[string]string{"SEAM_LIMIT_OUTBOUND": "5"}, nil, false,
			func(c Config) bool { return c.LimitOutbound == 5 }},
		{"environment", map[string]string{"SEAM_LIMIT_ADDRESS": "7", "SEAM_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}, nil, false,
			func(c Config) bool { return c.LimitAddress == 7 && c.TrustedProxies != "" }},
		{"flag wins", map[string]string{"SEAM_LIMIT_TARGET": "7"}, []string{"--limit-target", "0"}, false,
			func(c Config) bool { return c.LimitTarget == 0 }},
		{"negative refused", nil, []string{"--limit-auth-failures", "-1"}, true, nil},
		{"bad proxy refused", map[string]string{"SEAM_TRUSTED_PROXIES": "10.0.0.0/33"}, nil, true, nil},
		{"garbage proxy refused", nil, []string{"--trusted-proxies", "proxy.example"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			var c Config
			Register(fs, func(k string) string { return tt.env[k] }, &c)
			fs.SetOutput(io.Discard)
			err := fs.Parse(append([]string{"--base-url", "http://localhost:8080", "--database-url", "sqlite:x.db"}, tt.args...))
			if err == nil {
				err = c.Finish()
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("Finish: %v, want error %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
	ps, err := ParseTrustedProxies("::ffff:10.0.0.0/104, 2001:db8::1")
	if err != nil || len(ps) != 2 || ps[0].String() != "10.0.0.0/8" || ps[1].String() != "2001:db8::1/128" {
		t.Fatalf("ParseTrustedProxies: %v %v", ps, err)
	}
}
