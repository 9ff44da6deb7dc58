package sessions

import (
	"io"
	"sync"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// Duration limits of a session, in minutes (Stytch's session_duration_minutes).
const (
	DefaultDurationMinutes = 60
	MinDurationMinutes     = 5
	MaxDurationMinutes     = 527040 // 366 days
)

// Defaults for the signing-key set.
const (
	DefaultKeyRotation = 30 * 24 * time.Hour
	minKeyGrace        = time.Hour
)

// MaxCustomClaimsBytes bounds session_custom_claims (JSON-encoded), as
// Stytch does.
const MaxCustomClaimsBytes = 4096

// Service manages member sessions.
type Service struct {
	Store   store.Store
	Members *members.Service
	Sealer  *keys.Sealer
	Policy  rbac.Policy
	Now     func() time.Time
	Rand    io.Reader // session tokens and IDs
	IDs     ids.Generator
	// Issuer is the session JWT iss: SEAM_BASE_URL without a trailing slash.
	Issuer string
	// KeyRotation is the age at which a project's signing key is replaced
	// (SEAM_JWT_KEY_ROTATION); DefaultKeyRotation when zero.
	KeyRotation time.Duration
	// KeyGrace is how long a replaced key stays published; KeyRotation when
	// zero, and never less than an hour (JWTs live five minutes, SDKs cache
	// the JWKS for a while).
	KeyGrace time.Duration
	// GenerateKey creates signing keys; sessionjwt.GenerateSigningKey when nil.
	GenerateKey func(random io.Reader, env ids.Environment, now time.Time) (sessionjwt.SigningKey, error)

	parsed keyMemo
}

func (s *Service) rotation() time.Duration {
	if s.KeyRotation <= 0 {
		return DefaultKeyRotation
	}
	return s.KeyRotation
}

func (s *Service) grace() time.Duration {
	g := s.KeyGrace
	if g <= 0 {
		g = s.rotation()
	}
	return max(g, minKeyGrace)
}

// keyMemo remembers unsealed private keys by kid. A kid names one immutable
// key row, so the memo can never be stale; it only saves the unseal and
// PKCS#1 parse per request. It is bounded and reset when full.
type keyMemo struct {
	mu   sync.Mutex
	keys map[string]sessionjwt.SigningKey
}

const maxMemoKeys = 4096

func (m *keyMemo) get(kid string) (sessionjwt.SigningKey, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[kid]
	return k, ok
}

func (m *keyMemo) put(k sessionjwt.SigningKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil || len(m.keys) >= maxMemoKeys {
		m.keys = make(map[string]sessionjwt.SigningKey)
	}
	m.keys[k.KID] = k
}

// NotFound is Stytch's error for an unknown, expired or revoked session.
func NotFound() *apierr.Error {
	return apierr.NotFound("session_not_found", "Session could not be found.")
}

func tooManyArguments(msg string) *apierr.Error {
	return apierr.BadRequest("too_many_session_arguments", msg)
}

func env(p *store.Project) ids.Environment { return ids.Environment(p.Environment) }
