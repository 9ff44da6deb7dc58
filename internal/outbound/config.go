package outbound

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBody      = 2 << 20 // 2 MiB
	DefaultMaxRedirects = 3
)

// Config configures a Client. The zero value is the production policy: public
// https destinations on port 443 only.
type Config struct {
	// Allow lists address ranges that may be reached in spite of the
	// private-address block, on any port, over http or https.
	Allow []netip.Prefix
	// AllowHostPorts lists "host:port" pairs allowed likewise. An IP host
	// allows that address and port; a DNS name allows that name and port
	// whatever it resolves to (so it trusts that name's DNS). Entries that do
	// not parse are ignored (they allow nothing); use ParseAllow or
	// Config.Validate to catch them.
	AllowHostPorts []string
	// Timeout bounds a whole request including redirects and reading the
	// body. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBody caps the (decompressed) response body read by Get.
	// Zero means DefaultMaxBody.
	MaxBody int64
	// MaxRedirects is the number of redirects followed. Zero means
	// DefaultMaxRedirects; a negative value follows none.
	MaxRedirects int
	// RootCAs replaces the system roots for verifying servers (tests, or an
	// on-prem IdP with a private CA). Nil means the system roots.
	RootCAs *x509.CertPool
	// Resolve looks up a host name. Nil means net.DefaultResolver. Tests
	// inject one to make names resolve to chosen addresses.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Observe, when set, receives every request's outcome (observe.go).
	Observe Observer
	// Now times requests for Observe; nil means time.Now.
	Now func() time.Time
}

// ParseAllow parses SEAM_OUTBOUND_ALLOW: comma-separated CIDR prefixes
// ("10.0.0.0/8", "fd00::/8"), single addresses (treated as /32 or /128) and
// "host:port" pairs ("idp.corp.example:8443", "[fd00::5]:443"). Blank input
// yields nothing.
func ParseAllow(s string) (prefixes []netip.Prefix, hostPorts []string, err error) {
	for _, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		if strings.Contains(entry, "/") {
			p, err := netip.ParsePrefix(entry)
			if err != nil {
				return nil, nil, fmt.Errorf("outbound: allow-list entry %q is not a valid CIDR prefix", entry)
			}
			prefixes = append(prefixes, canonicalPrefix(p))
			continue
		}
		if a, err := netip.ParseAddr(entry); err == nil {
			if a.Zone() != "" {
				return nil, nil, fmt.Errorf("outbound: allow-list entry %q has an IPv6 zone", entry)
			}
			a = a.Unmap()
			prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		hp, err := normalizeHostPort(entry)
		if err != nil {
			return nil, nil, fmt.Errorf("outbound: allow-list entry %q: %v", entry, err)
		}
		hostPorts = append(hostPorts, hp)
	}
	return prefixes, hostPorts, nil
}

// Validate reports the first AllowHostPorts entry that New would ignore.
func (c Config) Validate() error {
	for _, hp := range c.AllowHostPorts {
		if _, err := normalizeHostPort(hp); err != nil {
			return fmt.Errorf("outbound: allow-list entry %q: %v", hp, err)
		}
	}
	for _, p := range c.Allow {
		if !p.IsValid() {
			return errors.New("outbound: invalid prefix in Allow")
		}
	}
	return nil
}

// canonicalPrefix masks host bits and turns an IPv4-mapped prefix into the
// IPv4 prefix the kernel would actually connect to.
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	a := p.Addr()
	if a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}

// normalizeHostPort returns "host:port" with a lower-case host without a
// trailing dot, or an IP host in canonical form (IPv6 bracketed).
func normalizeHostPort(s string) (string, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return "", errors.New("want CIDR, address, or host:port")
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return "", errors.New("port must be 1-65535")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return "", errors.New("IPv6 zones are not allowed")
		}
		return netip.AddrPortFrom(a.Unmap(), uint16(port)).String(), nil
	}
	name := normalizeName(host)
	if !validHostName(name) {
		return "", errors.New("invalid host name")
	}
	return net.JoinHostPort(name, strconv.FormatUint(port, 10)), nil
}

func normalizeName(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// validHostName accepts ASCII letters, digits, '-', '_' and non-empty dot
// separated labels of at most 63 bytes, 253 bytes in all.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
