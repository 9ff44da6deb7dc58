// Package config reads Seam's settings from SEAM_* environment variables and
// command-line flags; a flag given on the command line wins over its
// environment variable.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is everything `seam serve` needs.
type Config struct {
	Addr                  string
	DatabaseURL           string
	BaseURL               string
	SecretKey             string // base64 master key; empty means key file (SQLite only)
	OutboundAllow         string
	OutboundCAFile        string
	RBACPolicyFile        string
	LogLevel              string
	LogFormat             string
	ClockSkew             time.Duration
	ShutdownTimeout       time.Duration
	DrainPeriod           time.Duration
	SessionJWTKeyRotation time.Duration
}

// Getenv is os.Getenv, injectable for tests.
type Getenv func(string) string

// Register adds the shared flags to fs with defaults from the environment.
func Register(fs *flag.FlagSet, env Getenv, c *Config) {
	str := func(p *string, name, envName, def, usage string) {
		v := env(envName)
		if v == "" {
			v = def
		}
		fs.StringVar(p, name, v, usage+" ("+envName+")")
	}
	dur := func(p *time.Duration, name, envName string, def time.Duration, usage string) {
		v := def
		if s := env(envName); s != "" {
			if d, err := time.ParseDuration(s); err == nil {
				v = d
			}
		}
		fs.DurationVar(p, name, v, usage+" ("+envName+")")
	}
	str(&c.Addr, "addr", "SEAM_ADDR", "127.0.0.1:8080", "listen address")
	str(&c.DatabaseURL, "database-url", "SEAM_DATABASE_URL", "sqlite:seam.db", "sqlite:PATH or postgres:// URL")
	str(&c.BaseURL, "base-url", "SEAM_BASE_URL", "", "public origin for ACS, audience, redirect URLs and JWT issuer (default http://ADDR)")
	// The master key is read from the environment only: a command-line flag
	// would show it to every user of the machine (ps, /proc/*/cmdline).
	c.SecretKey = env("SEAM_SECRET_KEY")
	str(&c.OutboundAllow, "outbound-allow", "SEAM_OUTBOUND_ALLOW", "", "CIDRs and host:port pairs the outbound client may reach despite the private-address block")
	str(&c.OutboundCAFile, "outbound-ca-file", "SEAM_OUTBOUND_CA_FILE", "", "PEM bundle of extra CAs trusted for outbound fetches (on-prem IdPs with a private CA)")
	str(&c.RBACPolicyFile, "rbac-policy", "SEAM_RBAC_POLICY", "", "JSON file with custom RBAC roles and resources")
	str(&c.LogLevel, "log-level", "SEAM_LOG_LEVEL", "info", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "SEAM_LOG_FORMAT", "json", "json or text")
	dur(&c.ClockSkew, "clock-skew", "SEAM_CLOCK_SKEW", 60*time.Second, "allowed clock skew for SAML and OIDC time checks")
	dur(&c.ShutdownTimeout, "shutdown-timeout", "SEAM_SHUTDOWN_TIMEOUT", 20*time.Second, "how long to drain in-flight requests on SIGTERM")
	dur(&c.DrainPeriod, "drain-period", "SEAM_DRAIN_PERIOD", 5*time.Second, "after SIGTERM, how long /readyz answers 503 while requests are still served, before the listener closes")
	dur(&c.SessionJWTKeyRotation, "jwt-key-rotation", "SEAM_JWT_KEY_ROTATION", 30*24*time.Hour, "age after which a project's session-JWT signing key is replaced")
}

// Finish fills derived defaults and validates.
func (c *Config) Finish() error {
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("base URL %q must start with http:// or https://", c.BaseURL)
	}
	if err := checkBaseHost(c.BaseURL); err != nil {
		return err
	}
	if _, _, err := c.Database(); err != nil {
		return err
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("log format %q must be json or text", c.LogFormat)
	}
	if c.ClockSkew < 0 || c.ClockSkew > 10*time.Minute {
		return fmt.Errorf("clock skew %s must be between 0 and 10m", c.ClockSkew)
	}
	return nil
}

// checkBaseHost refuses a base URL whose host a browser or an IdP cannot
// reach: empty (from --addr :8080) or unspecified (0.0.0.0, [::]). Every new
// connection's ACS URL and audience is built from the base URL, so a guess
// here would be handed to IdPs.
func checkBaseHost(base string) error {
	const fix = "set SEAM_BASE_URL (or --base-url) to the origin browsers and IdPs use to reach Seam, e.g. http://localhost:8080 or https://sso.example.com"
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("base URL %q is not a URL (%v): %s", base, err, fix)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("base URL %q has no host (the listen address alone gives none): %s", base, fix)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return fmt.Errorf("base URL %q names the unspecified address %s, which browsers and IdPs cannot reach: %s", base, host, fix)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("base URL %q must be an origin with an optional path, without user info, query or fragment", base)
	}
	return nil
}

// SecureContext reports whether browsers treat pages at base as a secure
// context: https, or http on a loopback host (localhost, *.localhost,
// 127.0.0.0/8, [::1]). Only there do they accept the SameSite=None; Secure
// cookie that an SP-initiated SAML login needs when the IdP posts back from
// another site.
func SecureContext(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := strings.ToLower(u.Hostname())
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// Database splits DatabaseURL into backend ("sqlite" or "postgres") and the
// driver's address.
func (c *Config) Database() (backend, addr string, err error) {
	u := c.DatabaseURL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "postgres", u, nil
	case strings.HasPrefix(u, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if p == "" {
			return "", "", fmt.Errorf("database URL %q has no file path", u)
		}
		return "sqlite", p, nil
	}
	return "", "", fmt.Errorf("database URL must start with sqlite: or postgres://")
}

// OSEnv is the process environment.
func OSEnv(name string) string { return os.Getenv(name) }
