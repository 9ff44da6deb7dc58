// Package config reads Seam's settings from SEAM_* environment variables and
// command-line flags; a flag given on the command line wins over its
// environment variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/outbound"
)

// Config is everything `seam serve` needs.
type Config struct {
	Addr                  string
	AdminAddr             string
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
	EventsRetention       time.Duration
	// Abuse limits, per minute (limits.go); 0 disables one.
	TrustedProxies           string
	LimitAddress             int
	LimitTarget              int
	LimitAuthFailures        int
	LimitProjectAuthFailures int
	LimitOutbound            int
	// Key and certificate lifecycle (lifecycle.go).
	MetadataRefreshInterval time.Duration
	SecretKeyPrevious       string // base64 master key before a rotation; read-only use

	// settings are the registered variables, whose environment values
	// Finish reports when they did not parse.
	settings []*setting
}

// Getenv is os.Getenv, injectable for tests.
type Getenv func(string) string

// setting is one flag with its environment variable. A value from the
// environment that does not parse is kept as envErr (reported by Finish),
// unless the flag is given on the command line: the flag wins.
type setting struct {
	env    string
	parse  func(string) error
	show   func() string
	envErr error
}

func (s *setting) String() string {
	if s == nil || s.show == nil {
		return ""
	}
	return s.show()
}

func (s *setting) Set(v string) error {
	s.envErr = nil
	return s.parse(v)
}

// durationRule bounds a duration setting and gives an example.
type durationRule struct {
	min, max time.Duration
	example  string
}

// parseDuration is time.ParseDuration with errors that say how to fix the
// value: a bare number has no unit, and Go durations have no d unit.
func parseDuration(v string, r durationRule) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		switch {
		case strings.HasSuffix(v, "d"):
			return 0, fmt.Errorf("is not a duration: there is no d unit, write hours (30d is 720h), e.g. %s", r.example)
		case strings.Trim(v, "0123456789.") == "":
			return 0, fmt.Errorf("is not a duration: a number needs a unit (ms, s, m or h), e.g. %s", r.example)
		}
		return 0, fmt.Errorf("is not a duration (a number with a unit ms, s, m or h), e.g. %s", r.example)
	}
	if d < r.min || d > r.max {
		return 0, fmt.Errorf("must be between %s and %s, e.g. %s", fmtDuration(r.min), fmtDuration(r.max), r.example)
	}
	return d, nil
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return d.String()
}

// Register adds the shared flags to fs with defaults from the environment.
func Register(fs *flag.FlagSet, env Getenv, c *Config) {
	add := func(p *string, name, envName, def, usage string, check func(string) error) {
		*p = def
		st := &setting{env: envName, show: func() string { return *p }, parse: func(v string) error {
			if check != nil {
				if err := check(v); err != nil {
					return err
				}
			}
			*p = v
			return nil
		}}
		if v := env(envName); v != "" {
			if err := st.parse(v); err != nil {
				st.envErr = fmt.Errorf("%s=%q (--%s) %w", envName, v, name, err)
			}
		}
		c.settings = append(c.settings, st)
		fs.Var(st, name, usage+" ("+envName+")")
	}
	str := func(p *string, name, envName, def, usage string) { add(p, name, envName, def, usage, nil) }
	dur := func(p *time.Duration, name, envName string, def time.Duration, r durationRule, usage string) {
		*p = def
		st := &setting{env: envName, show: func() string { return p.String() }, parse: func(v string) error {
			d, err := parseDuration(v, r)
			if err != nil {
				return err
			}
			*p = d
			return nil
		}}
		if v := env(envName); v != "" {
			if err := st.parse(v); err != nil {
				st.envErr = fmt.Errorf("%s=%q (--%s) %s", envName, v, name, strings.Replace(err.Error(), "e.g. ", "e.g. "+envName+"=", 1))
			}
		}
		c.settings = append(c.settings, st)
		fs.Var(st, name, usage+" ("+envName+")")
	}
	str(&c.Addr, "addr", "SEAM_ADDR", "127.0.0.1:8080", "listen address")
	add(&c.AdminAddr, "admin-addr", "SEAM_ADMIN_ADDR", "", "optional listen address for /metrics, /healthz and /readyz; when set, /metrics is not served on the public address", func(v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New("is not a host:port listen address, e.g. SEAM_ADMIN_ADDR=127.0.0.1:9090")
		}
		return nil
	})
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
	dur(&c.ClockSkew, "clock-skew", "SEAM_CLOCK_SKEW", 60*time.Second, durationRule{0, 10 * time.Minute, "90s"},
		"allowed clock skew for SAML and OIDC time checks")
	dur(&c.ShutdownTimeout, "shutdown-timeout", "SEAM_SHUTDOWN_TIMEOUT", 20*time.Second, durationRule{0, time.Hour, "20s"},
		"after the drain period, how long to wait for in-flight requests")
	dur(&c.DrainPeriod, "drain-period", "SEAM_DRAIN_PERIOD", 5*time.Second, durationRule{0, 10 * time.Minute, "5s"},
		"after SIGTERM, how long /readyz answers 503 while requests are still served, before the listener closes")
	dur(&c.SessionJWTKeyRotation, "jwt-key-rotation", "SEAM_JWT_KEY_ROTATION", 30*24*time.Hour, durationRule{time.Hour, 5 * 365 * 24 * time.Hour, "720h"},
		"age after which a project's session-JWT signing key is replaced")
	dur(&c.EventsRetention, "events-retention", "SEAM_EVENTS_RETENTION", 30*24*time.Hour, durationRule{time.Hour, 10 * 365 * 24 * time.Hour, "720h"},
		"how long events (GET /v1/events and the webhook outbox) are kept")
	registerLimits(fs, env, c)
	registerLifecycle(fs, env, c)
}

// Finish fills derived defaults and validates. Every error names the
// variable (and flag) and gives an example of a valid value; the master key
// is never quoted.
func (c *Config) Finish() error {
	var errs []error
	for _, st := range c.settings {
		if st.envErr != nil {
			errs = append(errs, st.envErr)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// Addr is empty only in configs built in code (tests, tools) that never listen.
	if _, _, err := net.SplitHostPort(c.Addr); c.Addr != "" && err != nil {
		return fmt.Errorf("SEAM_ADDR=%q (--addr) is not a host:port listen address, e.g. SEAM_ADDR=127.0.0.1:8080 or SEAM_ADDR=:8080", c.Addr)
	}
	if c.AdminAddr != "" && c.AdminAddr == c.Addr {
		return fmt.Errorf("SEAM_ADMIN_ADDR (--admin-addr) must differ from SEAM_ADDR (%s), e.g. SEAM_ADMIN_ADDR=127.0.0.1:9090", c.Addr)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("SEAM_BASE_URL=%q (--base-url) must start with http:// or https://, e.g. SEAM_BASE_URL=https://sso.example.com", c.BaseURL)
	}
	if err := checkBaseHost(c.BaseURL); err != nil {
		return err
	}
	if _, _, err := c.Database(); err != nil {
		return err
	}
	if c.SecretKey != "" {
		if _, err := keys.ParseMasterKey(c.SecretKey); err != nil {
			return fmt.Errorf("SEAM_SECRET_KEY is not a master key (%v): it must be 32 random bytes in base64, e.g. the output of `openssl rand -base64 32`", err)
		}
	}
	if _, _, err := outbound.ParseAllow(c.OutboundAllow); err != nil {
		return fmt.Errorf("SEAM_OUTBOUND_ALLOW=%q (--outbound-allow) %v; give comma-separated CIDRs and host:port pairs, e.g. SEAM_OUTBOUND_ALLOW=10.0.0.0/8,idp.internal:8443", c.OutboundAllow, err)
	}
	switch strings.ToLower(c.LogLevel) {
	case "":
		c.LogLevel = "info"
	case "debug", "info", "warn", "error":
		c.LogLevel = strings.ToLower(c.LogLevel)
	default:
		return fmt.Errorf("SEAM_LOG_LEVEL=%q (--log-level) must be debug, info, warn or error, e.g. SEAM_LOG_LEVEL=debug", c.LogLevel)
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("SEAM_LOG_FORMAT=%q (--log-format) must be json or text, e.g. SEAM_LOG_FORMAT=text", c.LogFormat)
	}
	if err := c.checkLimits(); err != nil {
		return err
	}
	if err := c.checkLifecycle(); err != nil {
		return err
	}
	if c.ClockSkew < 0 || c.ClockSkew > 10*time.Minute {
		return fmt.Errorf("SEAM_CLOCK_SKEW (--clock-skew) %s must be between 0s and 10m, e.g. SEAM_CLOCK_SKEW=90s", c.ClockSkew)
	}
	return nil
}

// testTooling reports whether a SEAM_* variable belongs to the tests and
// benchmarks (SEAM_TEST_*, SEAM_BENCH_*, SEAM_BIN: the binary they run), not
// to the server.
func testTooling(name string) bool {
	return name == "SEAM_BIN" || strings.HasPrefix(name, "SEAM_TEST_") || strings.HasPrefix(name, "SEAM_BENCH_")
}

// UnknownVariables returns the SEAM_* names in environ (KEY=VALUE entries,
// as os.Environ) that no setting reads, each with a hint when it looks like
// a known one ("SEAM_LOGLEVEL (did you mean SEAM_LOG_LEVEL?)"). A typo in a
// variable name would otherwise leave the default in force silently.
func UnknownVariables(environ []string) []string {
	known := map[string]bool{}
	var c Config
	Register(flag.NewFlagSet("known", flag.ContinueOnError), func(name string) string {
		known[name] = true
		return ""
	}, &c)
	squash := func(s string) string { return strings.ReplaceAll(strings.ToUpper(s), "_", "") }
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SEAM_") || known[name] {
			continue
		}
		if testTooling(name) {
			continue
		}
		hint := ""
		for k := range known {
			if squash(k) == squash(name) {
				hint = " (did you mean " + k + "?)"
			}
		}
		out = append(out, name+hint)
	}
	sort.Strings(out)
	return out
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
			return "", "", fmt.Errorf("SEAM_DATABASE_URL (--database-url) %q has no file path, e.g. SEAM_DATABASE_URL=sqlite:/var/lib/seam/seam.db", u)
		}
		return "sqlite", p, nil
	}
	return "", "", errors.New("SEAM_DATABASE_URL (--database-url) must start with sqlite: or postgres://, e.g. SEAM_DATABASE_URL=sqlite:seam.db or postgres://seam@db.internal:5432/seam")
}

// OSEnv is the process environment.
func OSEnv(name string) string { return os.Getenv(name) }
