package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ratelimit"
)

// Limits are the abuse limits (docs/reliability.md). A zero Rule disables
// its limit; the zero Limits (tests) disables all of them.
type Limits struct {
	// Address: requests per client address to one limit class of public
	// endpoints (start, login callbacks, sso.authenticate, test IdP, JWKS).
	Address ratelimit.Rule
	// Target: requests to one limit class naming one tenant: the project
	// (sso.authenticate, after authentication; the test IdP and JWKS by
	// path), the connection (login callbacks) or the public token (start).
	Target ratelimit.Rule
	// AuthFailures: failed HTTP Basic authentications (project secret or
	// workspace key) per client address; beyond it every Basic-auth request
	// from the address is refused until the window ends.
	AuthFailures ratelimit.Rule
	// ProjectAuthFailures: failed Basic authentications per project ID (or
	// workspace key ID); beyond it, addresses that have failed against that
	// ID in the window are refused, while others (the project's own
	// servers, presenting the right secret) still get through.
	ProjectAuthFailures ratelimit.Rule
	// TrustedProxies: a request whose socket peer is in one of these
	// prefixes has its client address read from X-Forwarded-For (the
	// rightmost entry that is not itself a trusted proxy).
	TrustedProxies []netip.Prefix
}

// limitClass is a route's abuse-limit declaration (route.limit). A public
// route (auth none) must declare one; routes with Basic authentication get
// the authentication-failure limits whatever they declare.
type limitClass struct {
	name string // the counters' namespace; "" is undeclared
	// pathTarget and queryTarget name the request value that names the
	// tenant; projectTarget counts per authenticated project.
	pathTarget, queryTarget string
	projectTarget           bool
	// noAddress: no per-address limit (server-to-server routes).
	noAddress bool
}

// limitExempt: probes and documents, cheap and read by operators' tools.
func limitExempt() limitClass { return limitClass{name: "exempt"} }

// limitStart: GET /v1/public/sso/start, per address and per public token.
func limitStart() limitClass { return limitClass{name: "start", queryTarget: "public_token"} }

// limitCallback: the SAML ACS and OIDC callback, per address and per
// connection.
func limitCallback() limitClass { return limitClass{name: "callback", pathTarget: "connection_id"} }

// limitAuthenticate: sso.authenticate, per project after authentication
// (a caller who does not hold the secret cannot spend a project's budget).
// No per-address limit: every login of a project comes from the same few
// backend addresses, and callers without the secret are already bounded by
// the Basic-auth failure limits.
func limitAuthenticate() limitClass {
	return limitClass{name: "authenticate", projectTarget: true, noAddress: true}
}

// limitByProjectPath: public routes with the project in the path (the test
// IdP, the session JWKS), per address and per project.
func limitByProjectPath(name string) limitClass {
	return limitClass{name: name, pathTarget: "project_id"}
}

func (c limitClass) exempt() bool { return c.name == "" || c.name == "exempt" }

// limitedBefore applies a route's per-address limit and its request-named
// tenant limit. It runs before the boundary checks, so garbage counts too.
func (s *Server) limitedBefore(rt route, next http.Handler) http.Handler {
	c := rt.limit
	if c.exempt() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.noAddress {
			if d := s.limiter.Take(c.name+"\x00addr\x00"+s.clientKey(r), s.limits.Address); !d.Allowed {
				s.metrics.refused(c.name, "address")
				tooMany(w, r, d, "from this client address")
				return
			}
		}
		var target string
		switch {
		case c.pathTarget != "":
			target = r.PathValue(c.pathTarget)
		case c.queryTarget != "":
			target = r.URL.Query().Get(c.queryTarget)
		}
		if target != "" && len(target) <= 128 && utf8.ValidString(target) {
			if d := s.limiter.Take(c.name+"\x00target\x00"+target, s.limits.Target); !d.Allowed {
				s.metrics.refused(c.name, "target")
				tooMany(w, r, d, "for this project")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limitedProject applies the per-project limit of a route that counts per
// authenticated project; it wraps the handler inside authentication.
func (s *Server) limitedProject(rt route, next http.Handler) http.Handler {
	if !rt.limit.projectTarget {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := projectFrom(r.Context()); p != nil {
			if d := s.limiter.Take(rt.limit.name+"\x00project\x00"+p.ID, s.limits.Target); !d.Allowed {
				s.metrics.refused(rt.limit.name, "project")
				tooMany(w, r, d, "for this project")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// authGate refuses a Basic-auth attempt from an address over its failure
// limit, or against an ID over its failure limit from an address that has
// already failed against it. kind is "project" or "workspace_key".
func (s *Server) authGate(r *http.Request, kind, id string) error {
	addr := s.clientKey(r)
	if d := s.limiter.Peek("authfail\x00addr\x00"+addr, s.limits.AuthFailures); !d.Allowed {
		s.metrics.refused("auth_failures", "address")
		return tooManyErr(d, "Too many failed authentications from this client address")
	}
	if d := s.limiter.Peek("authfail\x00"+kind+"\x00"+id, s.limits.ProjectAuthFailures); !d.Allowed &&
		s.limiter.Count("authfail\x00"+kind+"\x00"+id+"\x00"+addr, s.limits.ProjectAuthFailures) > 0 {
		s.metrics.refused("auth_failures", kind)
		return tooManyErr(d, "Too many failed authentications for this "+strings.ReplaceAll(kind, "_", " "))
	}
	return nil
}

// authFailed counts a refused credential (a 401; not a database error).
func (s *Server) authFailed(r *http.Request, kind, id string, err error) {
	if apierr.As(err).Status != http.StatusUnauthorized {
		return
	}
	s.countAuthFailure(r, kind, id)
}

// countAuthFailure counts one refused credential of kind for id from the
// request's client address (see authGate).
func (s *Server) countAuthFailure(r *http.Request, kind, id string) {
	addr := s.clientKey(r)
	s.limiter.Take("authfail\x00addr\x00"+addr, s.limits.AuthFailures)
	s.limiter.Take("authfail\x00"+kind+"\x00"+id, s.limits.ProjectAuthFailures)
	s.limiter.Take("authfail\x00"+kind+"\x00"+id+"\x00"+addr, ratelimit.Rule{Limit: int(^uint(0) >> 1), Window: s.limits.ProjectAuthFailures.Window})
}

func tooManyErr(d ratelimit.Decision, what string) error {
	return apierr.TooManyRequests(what, d.RetryAfter)
}

func tooMany(w http.ResponseWriter, r *http.Request, d ratelimit.Decision, what string) {
	writeError(w, r, tooManyErr(d, "Too many requests "+what))
}

// clientKey is the client's address as a counter key: an IPv4 address, or
// an IPv6 address's /64 (one host usually holds a whole /64).
func (s *Server) clientKey(r *http.Request) string {
	a := clientAddr(r, s.limits.TrustedProxies)
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// clientAddr is the socket peer, or, when the peer is a trusted proxy, the
// rightmost X-Forwarded-For entry that is not a trusted proxy. A malformed
// entry stops the walk at the last address known good.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	a := ap.Addr().Unmap()
	if !inPrefixes(a, trusted) {
		return a
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		next, err := netip.ParseAddr(h)
		if err != nil {
			return a
		}
		a = next.Unmap()
		if !inPrefixes(a, trusted) {
			return a
		}
	}
	return a
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
