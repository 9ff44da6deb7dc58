// Package outbound is the only way Seam fetches customer-supplied URLs: SAML
// IdP metadata, OIDC discovery documents, token endpoints, JWKS and userinfo.
//
// A customer URL is attacker-controlled input that makes the server open
// connections (SSRF). The Client refuses, before any byte is sent:
//   - schemes other than https (plain http only to allow-listed addresses),
//     userinfo, empty hosts and non-canonical numeric hosts such as
//     2130706433 or 0x7f.1;
//   - at connect time, after DNS resolution, every address that is private,
//     loopback, link-local (cloud metadata), CGNAT, ULA, multicast, reserved,
//     IPv4-mapped or NAT64 (code.dny.dev/ssrf decides, as the net.Dialer
//     ControlContext hook), and every port but 443, unless the address is in
//     the SEAM_OUTBOUND_ALLOW list. Because the check runs on the socket
//     address, it covers DNS rebinding, every redirect hop and every address
//     a dual-stack name resolves to.
//
// It also ignores proxy environment variables, limits redirects (refusing
// https->http downgrades to addresses not on the allow-list), bounds time
// (overall, dial, TLS handshake, response headers) and caps response bodies
// after decompression.
//
// Every failure is an *Error of one Kind, so that callers can store and show
// what went wrong: bad_url, refused_address (the requested destination),
// refused_redirect (a redirect to a refused destination), dns, connect,
// tls_handshake, tls_certificate, timeout, canceled, too_large, http_status
// and too_many_redirects. A failure at a redirect target also names that
// target (RedirectHost). Describe words the failure for a subject such as
// "the token endpoint".
//
// Error messages name the URL's host and a reason and are safe to return to
// the API client; they never contain response bodies or the addresses a name
// resolved to (those stay in the wrapped cause, for server logs). Where an
// allow-list entry would lift a refusal, Hint says so for the operator.
package outbound
