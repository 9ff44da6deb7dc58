package sessions

import (
	"crypto/sha256"
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
	// Policies gives each project's RBAC policy.
	Policies rbac.Policies
	Now      func() time.Time
	Rand     io.Reader // session tokens and IDs
	IDs      ids.Generator
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

	parsed   keyMemo
	sets     keySetMemo
	verified verifiedMemo
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

// keySetTTL is how long sessions.authenticate trusts a project's key set
// as read from the database. A key stays published for at least
// minKeyGrace (an hour) after its successor appears, so a set at most this
// old names only published keys; a JWT signed by a newer key than the
// remembered set holds makes authenticate read the set again.
const keySetTTL = time.Second

// keySetMemo remembers each project's published keys for keySetTTL. It is
// bounded and reset when full.
type keySetMemo struct {
	mu   sync.Mutex
	sets map[string]keySet
}

type keySet struct {
	keys []sessionjwt.SigningKey
	read time.Time
}

func (m *keySetMemo) get(projectID string, now time.Time) ([]sessionjwt.SigningKey, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.sets[projectID]
	if !ok || now.Before(e.read) || now.Sub(e.read) >= keySetTTL {
		return nil, false
	}
	return e.keys, true
}

// drop forgets a project's set (after this replica changed it).
func (m *keySetMemo) drop(projectID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sets, projectID)
}

func (m *keySetMemo) put(projectID string, ks []sessionjwt.SigningKey, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sets == nil || len(m.sets) >= maxMemoKeys {
		m.sets = make(map[string]keySet)
	}
	m.sets[projectID] = keySet{keys: ks, read: now}
}

// verifiedMemo remembers, for keySetTTL, the claims of session JWTs that
// passed VerifyIgnoringExpiry, keyed by the SHA-256 of project ID and token,
// with the kid that verified them: a token presented again within that
// second skips the signature check while its key is still in the set. It
// is bounded and reset when full.
type verifiedMemo struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedJWT
}

type verifiedJWT struct {
	claims *sessionjwt.Claims
	kid    string
	at     time.Time
}

func verifiedKey(projectID, jwt string) [32]byte {
	return sha256.Sum256([]byte(projectID + "\x00" + jwt))
}

func (m *verifiedMemo) get(key [32]byte, ks []sessionjwt.SigningKey, now time.Time) (*sessionjwt.Claims, bool) {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if !ok || now.Before(v.at) || now.Sub(v.at) >= keySetTTL {
		return nil, false
	}
	for _, k := range ks {
		if k.KID == v.kid {
			return v.claims, true
		}
	}
	return nil, false
}

func (m *verifiedMemo) put(key [32]byte, v verifiedJWT) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxMemoKeys {
		m.m = make(map[[32]byte]verifiedJWT)
	}
	m.m[key] = v
}

// NotFound is Stytch's error for an unknown, expired or revoked session.
func NotFound() *apierr.Error {
	return apierr.NotFound("session_not_found", "Session could not be found.")
}

func tooManyArguments(msg string) *apierr.Error {
	return apierr.BadRequest("too_many_session_arguments", msg)
}

func env(p *store.Project) ids.Environment { return ids.Environment(p.Environment) }
