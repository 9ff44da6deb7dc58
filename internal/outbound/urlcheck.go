package outbound

import (
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// maxURLLen bounds customer URLs; metadata and OIDC URLs are far shorter.
const maxURLLen = 8 << 10

// target is a URL that passed checkURL.
type target struct {
	host      string     // u.Hostname(): name (normalized) or IP literal
	port      uint16     // explicit or scheme default
	addr      netip.Addr // valid when host is an IP literal
	plaintext bool       // scheme is http
}

func parseURL(raw string) (*url.URL, *Error) {
	if len(raw) > maxURLLen {
		return nil, &Error{Kind: KindBadURL, Reason: "the URL is too long"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input, which may carry credentials; keep it
		// out of the client-facing reason.
		return nil, &Error{Kind: KindBadURL, Reason: "the URL is not valid"}
	}
	return u, nil
}

// checkURL applies every rule that can be decided from the URL alone. It runs
// for the first request, for every redirect and for requests made through
// HTTPClient.
func (p *policy) checkURL(u *url.URL) (*target, *Error) {
	host := u.Hostname()
	bad := func(reason string) (*target, *Error) {
		return nil, &Error{Kind: KindBadURL, Host: host, Reason: reason}
	}
	var t target
	switch u.Scheme {
	case "https":
	case "http":
		t.plaintext = true
	default:
		return bad("only https URLs are allowed")
	}
	if u.Opaque != "" || host == "" {
		return bad("the URL has no host")
	}
	if u.User != nil {
		return bad("URLs with credentials are not allowed")
	}
	switch ps := u.Port(); {
	case ps != "":
		port, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || port == 0 {
			return bad("the URL's port is not valid")
		}
		t.port = uint16(port)
	case t.plaintext:
		t.port = 80
	default:
		t.port = 443
	}

	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return bad("IPv6 zones are not allowed in URLs")
		}
		if a.Is4In6() {
			return nil, &Error{Kind: KindRefusedAddress, Host: host, Reason: "IPv4-mapped IPv6 addresses are not allowed"}
		}
		t.host, t.addr = host, a
		if err := p.check(netip.AddrPortFrom(a, t.port), t.plaintext, false); err != nil {
			return nil, withHost(err, host)
		}
		return &t, nil
	}

	name := normalizeName(host)
	if endsInNumber(name) {
		// Browsers and inet_aton read 2130706433, 0x7f.1 and 017700000001 as
		// 127.0.0.1; refuse every such spelling rather than guess what a
		// resolver will make of it.
		if a, ok := parseLegacyIPv4(name); ok && p.check(netip.AddrPortFrom(a, t.port), t.plaintext, false) != nil {
			return nil, &Error{Kind: KindRefusedAddress, Host: host,
				Reason: "the host is a numeric form of a private, loopback or reserved address"}
		}
		return bad("numeric hosts must be written as a dotted-quad IPv4 address")
	}
	if !validHostName(name) {
		return bad("the URL's host name is not valid")
	}
	t.host = name
	// Plain http, or a port other than 443, to a name can only succeed
	// through an allow-list entry; without any, refuse before a DNS query
	// leaves the host.
	if !p.nameAllowed(name, t.port) && len(p.allow) == 0 && len(p.allowAddrs) == 0 {
		if t.plaintext {
			return nil, withHost(plaintextRefusal(), host)
		}
		if t.port != 443 {
			return nil, &Error{Kind: KindRefusedAddress, Host: host, Reason: "only port 443 is allowed", Hint: hintAllow}
		}
	}
	return &t, nil
}

// urlAllowListed reports whether u's destination is on the allow-list as far
// as the URL alone shows (a name counts only through an AllowHostPorts entry,
// since its addresses are not known before the dial).
func (p *policy) urlAllowListed(u *url.URL) bool {
	port := uint16(443)
	if u.Scheme == "http" {
		port = 80
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil {
			return false
		}
		port = uint16(n)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Zone() == "" && !a.Is4In6() && p.addrAllowed(netip.AddrPortFrom(a, port))
	}
	return p.nameAllowed(host, port)
}

// endsInNumber follows the WHATWG URL rule: a host whose last label is all
// digits or 0x-hex is an IPv4 address in some spelling, never a DNS name.
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// parseLegacyIPv4 parses the inet_aton forms: one to four parts, each
// decimal, octal (leading 0) or hex (0x), the last part filling the
// remaining bytes.
func parseLegacyIPv4(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals []uint64
	for _, part := range parts {
		v, ok := parseLegacyNumber(part)
		if !ok {
			return netip.Addr{}, false
		}
		vals = append(vals, v)
	}
	var ip uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false
		}
		ip |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= uint64(1)<<(8*(5-len(vals))) {
		return netip.Addr{}, false
	}
	ip |= last
	if ip > math.MaxUint32 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true
}

func parseLegacyNumber(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" || len(s) > 32 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil && v <= math.MaxUint32
}

// withHost returns err with Host filled in when it is an *Error without one.
func withHost(err error, host string) *Error {
	if e, ok := err.(*Error); ok {
		cp := *e
		if cp.Host == "" {
			cp.Host = host
		}
		return &cp
	}
	return classify(host, err)
}
