package outbound

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"

	"code.dny.dev/ssrf"
)

// policy decides which sockets may be opened. Destinations on the allow-list
// may use any port and plain http; everything else must pass the ssrf
// Guardian (public address, port 443, tcp4/tcp6) and use TLS.
type policy struct {
	allow      []netip.Prefix
	allowAddrs map[netip.AddrPort]bool
	allowNames map[string]bool // normalizeHostPort form, DNS names only
	guard      *ssrf.Guardian
}

func newPolicy(cfg Config) *policy {
	p := &policy{
		allowAddrs: map[netip.AddrPort]bool{},
		allowNames: map[string]bool{},
		// Plain http never reaches a non-allow-listed address, so only 443
		// is needed for the guarded (public) case.
		guard: ssrf.New(ssrf.WithPorts(443)),
	}
	for _, pre := range cfg.Allow {
		if pre.IsValid() {
			p.allow = append(p.allow, canonicalPrefix(pre))
		}
	}
	for _, hp := range cfg.AllowHostPorts {
		n, err := normalizeHostPort(hp)
		if err != nil {
			continue // fail closed: an unparsable entry allows nothing
		}
		if ap, err := netip.ParseAddrPort(n); err == nil {
			p.allowAddrs[ap] = true
		} else {
			p.allowNames[n] = true
		}
	}
	return p
}

// nameAllowed reports whether the DNS name host with port is allow-listed by
// an AllowHostPorts entry.
func (p *policy) nameAllowed(host string, port uint16) bool {
	if len(p.allowNames) == 0 {
		return false
	}
	return p.allowNames[net.JoinHostPort(normalizeName(host), strconv.Itoa(int(port)))]
}

// addrAllowed reports whether ap is allow-listed by prefix or address:port.
func (p *policy) addrAllowed(ap netip.AddrPort) bool {
	a := ap.Addr().Unmap()
	if p.allowAddrs[netip.AddrPortFrom(a, ap.Port())] {
		return true
	}
	for _, pre := range p.allow {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// check is the pre-dial decision on a resolved (unmapped) address.
func (p *policy) check(ap netip.AddrPort, plaintext, nameAllowed bool) error {
	if nameAllowed || p.addrAllowed(ap) {
		return nil
	}
	if plaintext {
		return plaintextRefusal()
	}
	return refusal(p.guard.SafeAddrPort(ap))
}

// control is the net.Dialer ControlContext decision on the socket address the
// kernel is about to connect to; it repeats check so that nothing between
// resolution and connect can change the destination unnoticed.
func (p *policy) control(network, address string, plaintext, nameAllowed bool) error {
	if network != "tcp4" && network != "tcp6" {
		return &Error{Kind: KindRefusedAddress, Reason: "only TCP connections are allowed"}
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Error{Kind: KindRefusedAddress, Reason: "the destination address is not allowed", Err: err}
	}
	if nameAllowed || p.addrAllowed(ap) {
		return nil
	}
	if plaintext {
		return plaintextRefusal()
	}
	return refusal(p.guard.Safe(network, address, nil))
}

func plaintextRefusal() *Error {
	return &Error{Kind: KindRefusedAddress,
		Reason: "plain http is only allowed to allow-listed addresses; use https", Hint: hintAllow}
}

// refusal converts an ssrf verdict into a client-safe *Error. The address is
// kept only in the cause: naming the internal address a customer's DNS name
// resolved to would turn the error into a network-mapping oracle.
func refusal(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ssrf.ErrProhibitedPort):
		return &Error{Kind: KindRefusedAddress, Reason: "only port 443 is allowed", Hint: hintAllow, Err: err}
	case errors.Is(err, ssrf.ErrProhibitedIP):
		return &Error{Kind: KindRefusedAddress,
			Reason: "the host resolves to a private, loopback, link-local or reserved address", Hint: hintAllow, Err: err}
	default:
		return &Error{Kind: KindRefusedAddress, Reason: "the destination is not allowed", Hint: hintAllow, Err: err}
	}
}

// controlFunc adapts control to net.Dialer.Control.
func (p *policy) controlFunc(plaintext, nameAllowed bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		return p.control(network, address, plaintext, nameAllowed)
	}
}
