// Package projects creates projects and authenticates their API credentials.
package projects

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// Service manages projects.
type Service struct {
	Store store.Store
	Now   func() time.Time
	IDs   ids.Generator
}

// Credentials are shown once, at creation; only the secret's hash is kept.
type Credentials struct {
	ProjectID   string `json:"project_id"`
	Secret      string `json:"secret"`
	PublicToken string `json:"public_token"`
}

// CreateParams describe a new project.
type CreateParams struct {
	Name         string
	Environment  ids.Environment
	RedirectURLs []string
}

// Create makes a project and returns its credentials.
func (s *Service) Create(ctx context.Context, p CreateParams) (*Credentials, error) {
	if !p.Environment.Valid() {
		return nil, fmt.Errorf("environment must be test or live, not %q", p.Environment)
	}
	if strings.TrimSpace(p.Name) == "" {
		return nil, errors.New("project name is required")
	}
	for _, u := range p.RedirectURLs {
		if err := ValidateRedirectURL(u); err != nil {
			return nil, err
		}
	}
	creds := &Credentials{
		ProjectID:   s.IDs.New(ids.Project, p.Environment),
		Secret:      s.IDs.Token(ids.Secret, p.Environment),
		PublicToken: s.IDs.New(ids.PublicToken, p.Environment),
	}
	err := s.Store.CreateProject(ctx, &store.Project{
		ID: creds.ProjectID, Environment: string(p.Environment), Name: p.Name,
		SecretHash: bearer.Hash(creds.Secret), PublicToken: creds.PublicToken,
		RedirectURLs: p.RedirectURLs, CreatedAt: s.Now(),
	})
	if err != nil {
		return nil, fmt.Errorf("create project: %w", err)
	}
	return creds, nil
}

// ValidateRedirectURL accepts absolute http(s) URLs without fragments.
func ValidateRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("redirect URL %q must be an absolute http(s) URL without credentials or fragment", raw)
	}
	return nil
}

// ErrUnauthorized is the one answer to every bad credential, so that callers
// learn nothing about which part was wrong.
func ErrUnauthorized() *apierr.Error {
	return apierr.Unauthorized("unauthorized_credentials",
		"Unauthorized credentials: the project ID and secret in the Authorization header are not valid.")
}

// Authenticate checks a project ID and secret from HTTP Basic auth. A
// project ID that is not in the project ID format is refused before any
// query: the format is public, so this reveals nothing.
func (s *Service) Authenticate(ctx context.Context, projectID, secret string) (*store.Project, error) {
	if !ids.Has(projectID, ids.Project) {
		return nil, ErrUnauthorized()
	}
	// An unknown project is compared against a zero hash, so that unknown
	// projects and wrong secrets take the same time.
	want := make([]byte, sha256.Size)
	p, err := s.Store.GetProject(ctx, projectID)
	switch {
	case err == nil:
		want = p.SecretHash
	case !errors.Is(err, store.ErrNotFound):
		return nil, apierr.Internal(err)
	}
	got := bearer.Hash(secret)
	if subtle.ConstantTimeCompare(got, want) != 1 || p == nil {
		return nil, ErrUnauthorized()
	}
	return p, nil
}

// ByPublicToken finds the project for a browser-facing public token.
func (s *Service) ByPublicToken(ctx context.Context, token string) (*store.Project, error) {
	if token == "" {
		return nil, apierr.BadRequest("public_token_required", "public_token is required.")
	}
	if !ids.Has(token, ids.PublicToken) {
		return nil, apierr.Unauthorized("invalid_public_token", "The public_token is not valid.")
	}
	p, err := s.Store.GetProjectByPublicToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apierr.Unauthorized("invalid_public_token", "The public_token is not valid.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return p, nil
}

// RedirectAllowed reports whether raw exactly matches one of the project's
// registered redirect URLs (query strings included), as Stytch requires
// login and signup URLs to be registered in advance.
func RedirectAllowed(p *store.Project, raw string) bool {
	for _, u := range p.RedirectURLs {
		if u == raw {
			return true
		}
	}
	return false
}
