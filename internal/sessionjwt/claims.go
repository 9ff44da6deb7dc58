package sessionjwt

import (
	"encoding/json"
	"strings"
	"time"
)

// Lifetime is the fixed validity of a session JWT: Stytch documents that
// "session_jwt will have a fixed lifetime of five minutes regardless of the
// underlying session duration".
const Lifetime = 5 * time.Minute

// Stytch's namespaced claims.
const (
	ClaimSession      = "https://stytch.com/session"
	ClaimOrganization = "https://stytch.com/organization"
	reservedPrefix    = "https://stytch.com/"
)

// Claims is the content of a session JWT.
type Claims struct {
	Issuer    string    // iss
	ProjectID string    // aud is [ProjectID]
	MemberID  string    // sub
	IssuedAt  time.Time // iat
	// NotBefore (nbf) defaults to IssuedAt when signing.
	NotBefore time.Time
	// Expiry (exp) defaults to IssuedAt+Lifetime, capped at
	// Session.ExpiresAt, when signing.
	Expiry       time.Time
	Session      SessionClaims
	Organization OrganizationClaims
	// Custom holds top-level custom claims as raw JSON values (from
	// session_custom_claims). Reserved names are dropped; see IsReservedClaim.
	Custom map[string]json.RawMessage
}

// SessionClaims is the "https://stytch.com/session" claim.
type SessionClaims struct {
	ID             string // member_session_id
	StartedAt      time.Time
	LastAccessedAt time.Time
	ExpiresAt      time.Time
	Attributes     SessionAttributes
	// AuthenticationFactors are passed through verbatim so the session
	// layer controls the factor shape (e.g. Stytch's sso factor object).
	AuthenticationFactors []json.RawMessage
	Roles                 []string
}

// SessionAttributes are the request attributes recorded with a session.
type SessionAttributes struct {
	IPAddress string `json:"ip_address"`
	UserAgent string `json:"user_agent"`
}

// OrganizationClaims is the "https://stytch.com/organization" claim.
type OrganizationClaims struct {
	OrganizationID string `json:"organization_id"`
	Slug           string `json:"slug"`
}

// IsReservedClaim reports whether a custom claim name is reserved by JWT or
// by Stytch and therefore ignored.
func IsReservedClaim(name string) bool {
	switch name {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
		return true
	}
	return strings.HasPrefix(name, reservedPrefix)
}

// FormatTime renders a timestamp the way Stytch does in session objects and
// JWT claims: RFC 3339, UTC, whole seconds, e.g. 2021-12-29T12:33:09Z.
func FormatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// wireSession fixes the JSON layout and field order of the session claim.
type wireSession struct {
	ID                    string            `json:"id"`
	StartedAt             string            `json:"started_at"`
	LastAccessedAt        string            `json:"last_accessed_at"`
	ExpiresAt             string            `json:"expires_at"`
	Attributes            SessionAttributes `json:"attributes"`
	AuthenticationFactors []json.RawMessage `json:"authentication_factors"`
	Roles                 []string          `json:"roles"`
}

func (s SessionClaims) wire() wireSession {
	w := wireSession{
		ID:                    s.ID,
		StartedAt:             FormatTime(s.StartedAt),
		LastAccessedAt:        FormatTime(s.LastAccessedAt),
		ExpiresAt:             FormatTime(s.ExpiresAt),
		Attributes:            s.Attributes,
		AuthenticationFactors: s.AuthenticationFactors,
		Roles:                 s.Roles,
	}
	// SDKs iterate both lists; null would break them.
	if w.AuthenticationFactors == nil {
		w.AuthenticationFactors = []json.RawMessage{}
	}
	if w.Roles == nil {
		w.Roles = []string{}
	}
	return w
}
