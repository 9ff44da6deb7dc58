package store

import (
	"context"
	"encoding/json"
	"time"
)

// MemberSession is a logged-in member. The bearer token is never stored:
// TokenHash is its SHA-256. Revoking a session deletes it.
type MemberSession struct {
	ProjectID             string
	OrganizationID        string
	MemberID              string
	ID                    string
	TokenHash             []byte
	AuthenticationFactors json.RawMessage // JSON array of Stytch factor objects
	CustomClaims          json.RawMessage // JSON object
	Attributes            json.RawMessage // JSON object {ip_address, user_agent}
	StartedAt             time.Time
	LastAccessedAt        time.Time
	ExpiresAt             time.Time
	// SignedJWT is the session JWT last signed for this session, kept so
	// that any replica can answer with it again instead of signing anew.
	SignedJWT SignedJWT
}

// SignedJWT is a session JWT with what decides whether it may be reused:
// the digest of the claims it was signed from and its iat.
type SignedJWT struct {
	Token    string
	Digest   string
	IssuedAt int64 // Unix seconds
}

// SessionSigningKey is one RS256 key of a project's session-JWT key set.
// Generation numbers a project's keys 1, 2, 3...; the highest is the one
// that signs. (ProjectID, Generation) is unique, which is what lets two
// replicas race to create the next key and end with exactly one.
type SessionSigningKey struct {
	ProjectID  string
	KID        string
	Generation int
	// SealedPrivateKey is the PKCS#1 PEM private key sealed with the master
	// key (internal/keys Sealer).
	SealedPrivateKey string
	CreatedAt        time.Time
}

// SessionSubject is a session read together with its member and
// organization.
type SessionSubject struct {
	Session      *MemberSession
	Member       *Member
	Organization *Organization
}

// SessionQueries persist member sessions and session-JWT signing keys.
type SessionQueries interface {
	// GetSessionSubject finds a session of the project, expired or not, by
	// ID, or by token hash when id is "", together with its member and
	// organization, in one query.
	GetSessionSubject(ctx context.Context, projectID, id string, tokenHash []byte) (*SessionSubject, error)
	CreateSession(ctx context.Context, s *MemberSession) error
	// GetSession finds a session of the project by ID, expired or not.
	GetSession(ctx context.Context, projectID, id string) (*MemberSession, error)
	// GetSessionForUpdate is GetSession with a row lock (inside Tx).
	GetSessionForUpdate(ctx context.Context, projectID, id string) (*MemberSession, error)
	// GetSessionByTokenHash finds a session of the project by token hash.
	GetSessionByTokenHash(ctx context.Context, projectID string, hash []byte) (*MemberSession, error)
	// UpdateSession changes factors, custom claims, attributes, last access,
	// expiry and the stored signed JWT.
	UpdateSession(ctx context.Context, s *MemberSession) error
	DeleteSession(ctx context.Context, projectID, id string) error
	// DeleteMemberSessions revokes every session of a member and reports how
	// many there were.
	DeleteMemberSessions(ctx context.Context, projectID, memberID string) (int, error)
	// ListMemberSessions returns a member's sessions that expire after now,
	// oldest first.
	ListMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) ([]*MemberSession, error)
	// DeleteExpiredMemberSessions removes one member's sessions that expired
	// at or before now.
	DeleteExpiredMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) (int, error)
	// DeleteExpiredSessions removes sessions that expired at or before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateSessionSigningKey returns *ErrConflict when the project already
	// has a key of that generation.
	CreateSessionSigningKey(ctx context.Context, k *SessionSigningKey) error
	// ListSessionSigningKeys returns a project's keys, newest generation first.
	ListSessionSigningKeys(ctx context.Context, projectID string) ([]*SessionSigningKey, error)
	// GetSessionSigningKey finds a key by key ID in any project. It exists
	// so that a genuine JWT of another project can be told apart from a
	// forged one; callers must not use the key for their own project.
	GetSessionSigningKey(ctx context.Context, kid string) (*SessionSigningKey, error)
	// DeleteSessionSigningKeys removes a project's keys older than generation.
	DeleteSessionSigningKeys(ctx context.Context, projectID string, belowGeneration int) (int, error)
}
