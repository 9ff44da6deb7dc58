package outbound

import (
	"context"
	"net/netip"
)

// CheckURL decides, without connecting, whether rawURL is a destination
// this client may reach: the URL rules, and for a host name every address it
// resolves to now. It is for URLs stored now and fetched later (webhook
// endpoints), so a refused destination is reported when the URL is saved;
// each later request is checked again at connect time (DNS may change).
func (c *Client) CheckURL(ctx context.Context, rawURL string) error {
	u, perr := parseURL(rawURL)
	if perr != nil {
		return perr
	}
	t, terr := c.policy.checkURL(u)
	if terr != nil {
		return terr
	}
	if t.addr.IsValid() {
		return nil // an IP literal: checkURL judged the address
	}
	nameAllowed := c.policy.nameAllowed(t.host, t.port)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	addrs, err := c.resolve(ctx, t.host)
	if err != nil {
		return resolveError(ctx, t.host, err)
	}
	if len(addrs) == 0 {
		return &Error{Kind: KindDNS, Host: t.host, Reason: "the host name has no addresses"}
	}
	for _, a := range addrs {
		if err := c.policy.check(netip.AddrPortFrom(a.Unmap(), t.port), t.plaintext, nameAllowed); err != nil {
			return withHost(err, t.host)
		}
	}
	return nil
}
