package oidc

import (
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Token endpoint client authentication methods (OIDC Core §9).
const (
	AuthMethodClientSecretBasic = "client_secret_basic"
	AuthMethodClientSecretPost  = "client_secret_post"
)

// DefaultClockSkew is the tolerance applied to exp, iat and nbf when
// Config.ClockSkew is zero.
const DefaultClockSkew = time.Minute

// Bounds on scopes so a hostile sso/start query cannot build huge URLs.
const (
	maxScopes      = 50
	maxScopeLength = 256
)

// DefaultScopes is what Stytch requests when a connection has no
// custom_scopes. It returns a fresh slice each call.
func DefaultScopes() []string { return []string{"openid", "email", "profile"} }

// Config is one OIDC connection as the relying party sees it.
type Config struct {
	Issuer           string
	ClientID         string
	ClientSecret     string
	AuthorizationURL string
	TokenURL         string
	UserinfoURL      string
	JWKSURL          string
	// RedirectURL is Seam's callback URL registered at the provider.
	RedirectURL string
	// Scopes replaces DefaultScopes when non-empty (a connection's
	// custom_scopes, see ParseScopes). "openid" is always requested.
	Scopes []string
	// TokenAuthMethod is AuthMethodClientSecretBasic (also when empty) or
	// AuthMethodClientSecretPost; see ChooseTokenAuthMethod.
	TokenAuthMethod string
	// ClockSkew tolerated when checking ID token times; zero means
	// DefaultClockSkew, negative means none.
	ClockSkew time.Duration
}

// LogValue keeps the client secret out of logs when a Config is logged.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("issuer", c.Issuer),
		slog.String("client_id", c.ClientID),
		slog.String("authorization_url", c.AuthorizationURL),
		slog.String("token_url", c.TokenURL),
		slog.String("userinfo_url", c.UserinfoURL),
		slog.String("jwks_url", c.JWKSURL),
		slog.String("redirect_url", c.RedirectURL),
		slog.Any("scopes", c.Scopes),
		slog.String("token_auth_method", c.tokenAuthMethod()),
	)
}

// String keeps the client secret out of fmt output.
func (c Config) String() string {
	return "oidc.Config{issuer=" + c.Issuer + " client_id=" + c.ClientID + " client_secret=<redacted>}"
}

// GoString keeps the client secret out of %#v output.
func (c Config) GoString() string { return c.String() }

func (c Config) skew() time.Duration {
	switch {
	case c.ClockSkew == 0:
		return DefaultClockSkew
	case c.ClockSkew < 0:
		return 0
	}
	return c.ClockSkew
}

func (c Config) tokenAuthMethod() string {
	if c.TokenAuthMethod == AuthMethodClientSecretPost {
		return AuthMethodClientSecretPost
	}
	return AuthMethodClientSecretBasic
}

// ChooseTokenAuthMethod picks the client authentication for the token
// endpoint from a discovery document's token_endpoint_auth_methods_supported:
// client_secret_basic unless the provider lists methods, omits basic and
// offers post. (An absent list means basic per OIDC Discovery §3.)
func ChooseTokenAuthMethod(supported []string) string {
	if len(supported) == 0 || slices.Contains(supported, AuthMethodClientSecretBasic) {
		return AuthMethodClientSecretBasic
	}
	if slices.Contains(supported, AuthMethodClientSecretPost) {
		return AuthMethodClientSecretPost
	}
	return AuthMethodClientSecretBasic
}

// ParseScopes turns a connection's space-separated custom_scopes into a
// scope list. An empty or blank string yields nil, meaning DefaultScopes.
func ParseScopes(s string) ([]string, error) {
	if len(s) > maxScopes*(maxScopeLength+1) {
		return nil, newErr(ReasonInvalidScope, "the scope string is too long")
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, nil
	}
	if err := validateScopes(fields); err != nil {
		return nil, err
	}
	return dedupe(fields), nil
}

// requestScopes is the scope list sent to the provider: the configured or
// default scopes, then extra, deduplicated, with "openid" guaranteed first
// because without it the provider would not return an ID token.
func requestScopes(cfg Config, extra []string) ([]string, error) {
	base := cfg.Scopes
	if len(base) == 0 {
		base = DefaultScopes()
	}
	if err := validateScopes(base); err != nil {
		return nil, err
	}
	if err := validateScopes(extra); err != nil {
		return nil, err
	}
	all := make([]string, 0, 1+len(base)+len(extra))
	all = append(all, "openid")
	all = append(all, base...)
	all = append(all, extra...)
	all = dedupe(all)
	if len(all) > maxScopes {
		return nil, newErr(ReasonInvalidScope, "too many scopes")
	}
	return all, nil
}

func validateScopes(scopes []string) error {
	if len(scopes) > maxScopes {
		return newErr(ReasonInvalidScope, "too many scopes")
	}
	for _, s := range scopes {
		if !validScopeToken(s) {
			return newErr(ReasonInvalidScope, "invalid scope "+quote(sanitize(s, 64)))
		}
	}
	return nil
}

// validScopeToken implements RFC 6749 §3.3: scope-token = 1*NQCHAR, where
// NQCHAR = %x21 / %x23-5B / %x5D-7E.
func validScopeToken(s string) bool {
	if s == "" || len(s) > maxScopeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]struct{}, len(in))
	for _, s := range in {
		if _, ok := seen[s]; ok {
			continue
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out
}

// maxURLLength bounds every configured or discovered URL.
const maxURLLength = 2048

// checkEndpointURL requires an absolute http(s) URL with a host and no
// fragment. Whether plain http or private addresses are acceptable is the
// caller's policy (connection validation and the guarded HTTP client).
func checkEndpointURL(name, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, newErr(ReasonConfigInvalid, name+" is not set")
	}
	if len(raw) > maxURLLength {
		return nil, newErr(ReasonConfigInvalid, name+" is too long")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return nil, newErr(ReasonConfigInvalid, name+" is not an absolute http(s) URL")
	}
	return u, nil
}

// CheckIssuer validates an issuer identifier: an absolute http(s) URL with
// no query or fragment (OpenID Connect Discovery §2).
func CheckIssuer(issuer string) error {
	u, err := checkEndpointURL("issuer", issuer)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return newErr(ReasonConfigInvalid, "issuer must not contain a query")
	}
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }
