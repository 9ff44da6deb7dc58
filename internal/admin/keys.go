// Package admin is project administration on Stytch's Programmatic
// Workspace Actions (PWA) contract: workspace management keys, and the view
// of Seam's projects as Stytch projects and environments.
//
// Mapping: a Seam project is one Stytch environment (its project_id is the
// environment's project_id). Seam projects that share a project_slug form
// one Stytch project; each has an environment_slug unique within it. A
// project made with `seam project create` is a Stytch project of its own,
// slugged by its project_id, with one environment slugged "test" or "live".
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/store"
)

// Service administers projects and workspace keys.
type Service struct {
	Store    store.Store
	Projects *projects.Service
	Now      func() time.Time
	IDs      ids.Generator
}

// keyEnv is the middle part of workspace key IDs and secrets
// ("workspace-key-prod-<uuid>"), as in Stytch's.
const keyEnv ids.Environment = "prod"

// NewKey is a freshly created workspace key, shown once.
type NewKey struct {
	KeyID  string `json:"key_id"`
	Secret string `json:"secret"`
}

// KeyInfo describes a workspace key without its secret.
type KeyInfo struct {
	KeyID     string     `json:"key_id"`
	LastFour  string     `json:"last_four"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateKey makes a workspace management key; only its hash is stored.
func (s *Service) CreateKey(ctx context.Context) (*NewKey, error) {
	k := &NewKey{KeyID: s.IDs.New(ids.WorkspaceKey, keyEnv), Secret: s.IDs.Token(ids.WorkspaceSecret, keyEnv)}
	err := s.Store.CreateWorkspaceKey(ctx, &store.WorkspaceKey{
		ID: k.KeyID, SecretHash: bearer.Hash(k.Secret), LastFour: k.Secret[len(k.Secret)-4:], CreatedAt: s.Now(),
	})
	if err != nil {
		return nil, fmt.Errorf("create workspace key: %w", err)
	}
	return k, nil
}

// ListKeys describes every workspace key, revoked ones included.
func (s *Service) ListKeys(ctx context.Context) ([]KeyInfo, error) {
	keys, err := s.Store.ListWorkspaceKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]KeyInfo, 0, len(keys))
	for _, k := range keys {
		info := KeyInfo{KeyID: k.ID, LastFour: k.LastFour, CreatedAt: k.CreatedAt}
		if !k.RevokedAt.IsZero() {
			at := k.RevokedAt
			info.RevokedAt = &at
		}
		out = append(out, info)
	}
	return out, nil
}

// RevokeKey makes a key unusable at once.
func (s *Service) RevokeKey(ctx context.Context, keyID string) error {
	if !isKeyID(keyID) {
		return apierr.NotFound("workspace_key_not_found", fmt.Sprintf("There is no valid workspace key %s.", apierr.Quote(keyID)))
	}
	err := s.Store.RevokeWorkspaceKey(ctx, keyID, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return apierr.NotFound("workspace_key_not_found", fmt.Sprintf("There is no valid workspace key %s.", apierr.Quote(keyID)))
	}
	return err
}

// ErrUnauthorized is the one answer to every bad workspace credential.
func ErrUnauthorized() *apierr.Error {
	return apierr.Unauthorized("unauthorized_credentials",
		"Unauthorized credentials: the workspace management key ID and secret in the Authorization header are not valid.")
}

// Authenticate checks a workspace key ID and secret (HTTP Basic). Unknown
// and revoked keys compare against a zero hash, so that every failure takes
// the same time and gets the same answer.
func (s *Service) Authenticate(ctx context.Context, keyID, secret string) error {
	// A key ID that is not in the key ID format is refused before any query
	// (the format is public; NUL or invalid UTF-8 cannot reach the database).
	if !isKeyID(keyID) {
		return ErrUnauthorized()
	}
	want := make([]byte, sha256.Size)
	k, err := s.Store.GetWorkspaceKey(ctx, keyID)
	switch {
	case err == nil && k.RevokedAt.IsZero():
		want = k.SecretHash
	case err == nil, errors.Is(err, store.ErrNotFound):
		k = nil
	default:
		return apierr.Internal(err)
	}
	if subtle.ConstantTimeCompare(bearer.Hash(secret), want) != 1 || k == nil {
		return ErrUnauthorized()
	}
	return nil
}

// isKeyID reports whether s has the form of a workspace key ID
// (workspace-key-prod-<uuid>).
func isKeyID(s string) bool {
	u, ok := strings.CutPrefix(s, ids.WorkspaceKey+"-"+string(keyEnv)+"-")
	return ok && ids.IsUUID(u)
}
