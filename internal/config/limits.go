package config

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Default abuse limits, per minute (docs/reliability.md).
const (
	DefaultLimitAddress             = 600
	DefaultLimitTarget              = 6000
	DefaultLimitAuthFailures        = 20
	DefaultLimitProjectAuthFailures = 100
	DefaultLimitOutbound            = 30
)

func registerLimits(fs *flag.FlagSet, env Getenv, c *Config) {
	reg := func(name, envName string, st *setting, usage string) {
		if v := env(envName); v != "" {
			if err := st.parse(v); err != nil {
				st.envErr = fmt.Errorf("%s=%q (--%s) %w", envName, v, name, err)
			}
		}
		c.settings = append(c.settings, st)
		fs.Var(st, name, usage+" ("+envName+")")
	}
	num := func(p *int, name, envName string, def int, usage string) {
		*p = def
		reg(name, envName, &setting{env: envName, show: func() string { return strconv.Itoa(*p) }, parse: func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return fmt.Errorf("must be a whole number of requests per minute, 0 (off) or more, e.g. %d", def)
			}
			*p = n
			return nil
		}}, usage)
	}
	reg("trusted-proxies", "SEAM_TRUSTED_PROXIES", &setting{env: "SEAM_TRUSTED_PROXIES", show: func() string { return c.TrustedProxies },
		parse: func(v string) error {
			if _, err := ParseTrustedProxies(v); err != nil {
				return err
			}
			c.TrustedProxies = v
			return nil
		}}, "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client")
	num(&c.LimitAddress, "limit-address", "SEAM_LIMIT_ADDRESS", DefaultLimitAddress,
		"requests per minute per client address to each class of public endpoints; 0 disables")
	num(&c.LimitTarget, "limit-target", "SEAM_LIMIT_TARGET", DefaultLimitTarget,
		"requests per minute per project, connection or public token to each class of public endpoints; 0 disables")
	num(&c.LimitAuthFailures, "limit-auth-failures", "SEAM_LIMIT_AUTH_FAILURES", DefaultLimitAuthFailures,
		"failed Basic authentications per minute per client address before it is refused; 0 disables")
	num(&c.LimitProjectAuthFailures, "limit-project-auth-failures", "SEAM_LIMIT_PROJECT_AUTH_FAILURES", DefaultLimitProjectAuthFailures,
		"failed Basic authentications per minute per project or workspace key before failing addresses are refused; 0 disables")
	num(&c.LimitOutbound, "limit-outbound", "SEAM_LIMIT_OUTBOUND", DefaultLimitOutbound,
		"outbound fetches (metadata URLs, OIDC discovery) per minute per project; 0 disables")
}

func (c *Config) checkLimits() error {
	for _, l := range []struct {
		name string
		v    int
	}{{"limit-address", c.LimitAddress}, {"limit-target", c.LimitTarget},
		{"limit-auth-failures", c.LimitAuthFailures}, {"limit-project-auth-failures", c.LimitProjectAuthFailures},
		{"limit-outbound", c.LimitOutbound}} {
		if l.v < 0 {
			return fmt.Errorf("%s %d must be 0 (off) or more", l.name, l.v)
		}
	}
	_, err := ParseTrustedProxies(c.TrustedProxies)
	return err
}

// ParseTrustedProxies reads a comma-separated list of CIDRs (a bare
// address is its own /32 or /128).
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not a CIDR: %v", f, err)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
