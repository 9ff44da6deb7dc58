// Package login runs SSO logins: the start endpoint that sends the browser
// to the IdP, the callbacks that verify the IdP's answer, and the exchange
// of the one-time SSO token for a member and a session. All state between
// those steps is in the database, so any replica can serve any step.
package login

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// Lifetimes of login state.
const (
	requestTTL = 10 * time.Minute // from start to the IdP's answer
	tokenTTL   = 10 * time.Minute // from the callback to authenticate
	// attemptRetention bounds how long login diagnostics are kept.
	attemptRetention = 30 * 24 * time.Hour
)

// Service runs logins.
type Service struct {
	Store     store.Store
	SSO       *sso.Service
	Projects  *projects.Service
	Sealer    *keys.Sealer
	Now       func() time.Time
	Rand      io.Reader
	IDs       ids.Generator
	ClockSkew time.Duration
	// Secure marks browser cookies Secure with SameSite=None: the base URL
	// is a secure context for browsers (config.SecureContext).
	Secure bool
	Log    *slog.Logger
	// Metrics counts login outcomes; nil counts nothing.
	Metrics  Metrics
	Members  *members.Service
	Sessions *sessions.Service
	// HTTPClient is the guarded outbound client for provider endpoints.
	HTTPClient *http.Client
	// Keys caches OpenID Providers' signing keys.
	Keys *oidc.KeyCache
	// AttemptsKept bounds the login attempts kept per connection; zero
	// means DefaultAttemptsKept.
	AttemptsKept int
	// deflaters compresses AuthnRequests (the zero value is ready).
	deflaters saml.Deflaters
}

// Purge deletes expired login state and old login attempts. Every replica
// may run it; it is idempotent.
func (s *Service) Purge(ctx context.Context) error {
	return s.Store.PurgeExpiredLoginState(ctx, s.Now(), s.Now().Add(-attemptRetention))
}

// step logs one step of a login at debug level with the request's context
// (so it carries the request_id), and notes the organization and connection
// for the request's access line. It logs IDs, kinds and outcomes only:
// never SAML or token payloads, tokens, secrets or personal attributes.
func (s *Service) step(ctx context.Context, msg string, orgID, connID string, attrs ...slog.Attr) {
	logctx.Note(ctx, logctx.What{OrganizationID: orgID, ConnectionID: connID})
	if s.Log == nil || !s.Log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs = append(attrs, slog.String("organization_id", orgID), slog.String("connection_id", connID))
	s.Log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// Metrics receives the outcome of every login callback: the connection kind
// and "success" or the typed rejection reason.
type Metrics interface {
	LoginOutcome(kind, outcome string)
}
