package store

import (
	"context"
	"encoding/json"
	"time"
)

// SSORequest is the state of a login between the start endpoint and the
// IdP's answer. It lives in the database so any replica can finish a login
// another replica started.
type SSORequest struct {
	ID                string // SAML AuthnRequest ID / OIDC state
	ProjectID         string
	ConnectionID      string // the connection the login started on (may be External)
	OrganizationID    string // the organization the member lands in
	LoginRedirectURL  string
	SignupRedirectURL string
	PKCECodeChallenge string // from the application (sso authenticate)
	// Secrets is a sealed JSON document for protocol secrets (OIDC nonce and
	// code verifier); empty for SAML.
	Secrets string
	// SetupLinkID marks a test login started from a setup page: its
	// callback reports the outcome to that page and creates no SSO token,
	// member or session.
	SetupLinkID string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// SSOToken is the one-time token handed to the application's redirect URL
// and exchanged at POST /v1/b2b/sso/authenticate. Only its hash is stored.
type SSOToken struct {
	TokenHash         []byte
	ProjectID         string
	OrganizationID    string
	ConnectionID      string
	PKCECodeChallenge string
	// Identity is the verified identity from the IdP, as JSON owned by the
	// login package (subject, email, name, groups, attributes, factor kind).
	Identity  json.RawMessage
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginAttempt records one callback outcome for an IT admin to read.
type LoginAttempt struct {
	ID             string
	ProjectID      string
	OrganizationID string
	ConnectionID   string
	RequestID      string // the HTTP request ID the browser saw
	Outcome        string // "success" or a typed rejection reason
	ErrorType      string
	Detail         string
	Facts          json.RawMessage // non-secret diagnostics
	CreatedAt      time.Time
}

// LoginQueries persist login state.
type LoginQueries interface {
	CreateSSORequest(ctx context.Context, r *SSORequest) error
	// ConsumeSSORequest atomically deletes and returns an unexpired request of
	// the project; a second consumer gets ErrNotFound.
	ConsumeSSORequest(ctx context.Context, projectID, id string, now time.Time) (*SSORequest, error)
	// RecordAssertion remembers an assertion ID until expiresAt; a second
	// record of the same (connection, assertion) returns *ErrConflict.
	RecordAssertion(ctx context.Context, connectionID, assertionID string, expiresAt, now time.Time) error
	CreateSSOToken(ctx context.Context, t *SSOToken) error
	// ConsumeSSOToken atomically deletes and returns an unexpired token of the project.
	ConsumeSSOToken(ctx context.Context, projectID string, hash []byte, now time.Time) (*SSOToken, error)
	CreateLoginAttempt(ctx context.Context, a *LoginAttempt) error
	// TrimLoginAttempts deletes a connection's attempts beyond its newest
	// keep (newest by created_at, then ID).
	TrimLoginAttempts(ctx context.Context, projectID, connectionID string, keep int) error
	// ListLoginAttempts returns a connection's most recent attempts, newest first.
	ListLoginAttempts(ctx context.Context, projectID, connectionID string, limit int) ([]*LoginAttempt, error)
	// PurgeExpiredLoginState deletes expired requests, tokens and replay
	// entries, and attempts older than attemptsBefore.
	PurgeExpiredLoginState(ctx context.Context, now, attemptsBefore time.Time) error
}
