// Package ids creates and inspects Stytch-style identifiers of the form
// <type>-<test|live>-<uuid v4>.
package ids

import (
	"crypto/rand"
	"io"
	"strings"

	"github.com/google/uuid"
)

// Environment of a project; it is embedded in every identifier.
type Environment string

const (
	Test Environment = "test"
	Live Environment = "live"
)

// Valid reports whether e is test or live.
func (e Environment) Valid() bool { return e == Test || e == Live }

// Prefixes of the object types Seam issues.
const (
	Project            = "project"
	Secret             = "secret"
	PublicToken        = "public-token"
	Organization       = "organization"
	Member             = "member"
	MemberSession      = "member-session"
	SAMLConnection     = "saml-connection"
	OIDCConnection     = "oidc-connection"
	ExternalConnection = "external-connection"
	VerificationCert   = "saml-verification-key"
	SigningCert        = "saml-signing-key"
	EncryptionKey      = "saml-encryption-key"
	RequestID          = "request-id"
	SSORegistration    = "sso-registration"
	MemberEmail        = "member-email"
	SSOToken           = "sso-token"
	LoginAttempt       = "sso-login-attempt"
	JWK                = "jwk"
	WorkspaceKey       = "workspace-key"
	WorkspaceSecret    = "workspace-secret"
	MetadataRefresh    = "saml-metadata-refresh"
)

// Generator makes identifiers from an injected randomness source so tests can
// be deterministic. The zero value uses crypto/rand.
type Generator struct {
	Rand io.Reader
}

// New returns "<prefix>-<env>-<uuid>".
func (g Generator) New(prefix string, env Environment) string {
	r := g.Rand
	if r == nil {
		r = rand.Reader
	}
	u, err := uuid.NewRandomFromReader(r)
	if err != nil {
		// crypto/rand never fails on supported platforms; a failing injected
		// reader is a programming error in a test.
		panic("ids: randomness source failed: " + err.Error())
	}
	return prefix + "-" + string(env) + "-" + u.String()
}

// Token returns prefix-env-<64 hex chars> of fresh randomness, used for
// bearer secrets (project secrets, session tokens, sso tokens).
func (g Generator) Token(prefix string, env Environment) string {
	r := g.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		panic("ids: randomness source failed: " + err.Error())
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 64)
	for i, c := range b {
		out[2*i], out[2*i+1] = hex[c>>4], hex[c&15]
	}
	return prefix + "-" + string(env) + "-" + string(out)
}

// Has reports whether id looks like "<prefix>-<test|live>-<uuid>".
func Has(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok {
		return false
	}
	env, u, ok := strings.Cut(rest, "-")
	if !ok || !Environment(env).Valid() {
		return false
	}
	return IsUUID(u)
}

// IsUUID reports whether s is a UUID in its 36-character text form.
func IsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// EnvOf returns the environment embedded in id after prefix, or "".
func EnvOf(id, prefix string) Environment {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok {
		return ""
	}
	env, _, _ := strings.Cut(rest, "-")
	if e := Environment(env); e.Valid() {
		return e
	}
	return ""
}
