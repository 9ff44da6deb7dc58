// Package projects creates projects and manages and authenticates their
// credentials: API secrets (several at once, so that they rotate without
// downtime), public tokens and redirect URLs. Every change is a database
// write, so it takes effect at once on every replica.
package projects

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Service manages projects.
type Service struct {
	Store store.Store
	Now   func() time.Time
	IDs   ids.Generator
	// Events records project setting changes in their transactions (nil: none).
	Events *events.Recorder
	// Policies gives a project's RBAC policy (its own or the deployment's).
	Policies rbac.Policies
}

// Credentials are shown once, at creation; only the secret's hash is kept.
type Credentials struct {
	ProjectID   string `json:"project_id"`
	Secret      string `json:"secret"`
	PublicToken string `json:"public_token"`
}

// CreateParams describe a new project (one Stytch environment).
type CreateParams struct {
	Name         string
	Environment  ids.Environment
	RedirectURLs []string // valid for LOGIN and SIGNUP; the first is the default for both
	// ProjectSlug and EnvironmentSlug place the project in a Stytch
	// project; by default it is its own, slugged by its project ID, and the
	// environment is slugged by its type.
	ProjectSlug     string
	EnvironmentSlug string
	// NoSecret creates the project without a secret (the administration API
	// creates secrets separately, as Stytch does).
	NoSecret bool
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,99}$`)

// ValidSlug reports whether s is a usable project or environment slug.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ErrProjectNotFound is the answer for an unknown project ID.
func ErrProjectNotFound() *apierr.Error {
	return apierr.NotFound("project_not_found", "No project with this project_id exists.")
}

// Create makes a project and returns its credentials.
func (s *Service) Create(ctx context.Context, p CreateParams) (*Credentials, error) {
	var creds *Credentials
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		var err error
		creds, err = s.CreateIn(ctx, q, p)
		return err
	})
	return creds, err
}

// CreateIn is Create inside the caller's transaction.
func (s *Service) CreateIn(ctx context.Context, q store.Queries, p CreateParams) (*Credentials, error) {
	if !p.Environment.Valid() {
		return nil, apierr.BadRequest("invalid_environment", fmt.Sprintf("environment must be test or live, not %s.", apierr.Quote(string(p.Environment))))
	}
	if strings.TrimSpace(p.Name) == "" || len(p.Name) > 200 {
		return nil, apierr.BadRequest("invalid_project_name", "A project name of 1 to 200 characters is required.")
	}
	for _, u := range p.RedirectURLs {
		if err := ValidateRedirectURL(u); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	pr := &store.Project{
		ID: s.IDs.New(ids.Project, p.Environment), Environment: string(p.Environment), Name: p.Name,
		ProjectSlug: p.ProjectSlug, EnvironmentSlug: p.EnvironmentSlug, CreatedAt: now,
	}
	if pr.ProjectSlug == "" {
		pr.ProjectSlug = pr.ID
	}
	if pr.EnvironmentSlug == "" {
		pr.EnvironmentSlug = string(p.Environment)
	}
	if !ValidSlug(pr.ProjectSlug) || !ValidSlug(pr.EnvironmentSlug) {
		return nil, apierr.BadRequest("invalid_slug", "Slugs are 1 to 100 lowercase letters, digits and hyphens, starting with a letter or digit.")
	}
	err := q.CreateProject(ctx, pr)
	var conflict *store.ErrConflict
	if errors.As(err, &conflict) {
		return nil, apierr.BadRequest("environment_slug_already_exists",
			fmt.Sprintf("The project %s already has an environment %s.", apierr.Quote(pr.ProjectSlug), apierr.Quote(pr.EnvironmentSlug)))
	}
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("create project: %w", err))
	}
	creds := &Credentials{ProjectID: pr.ID}
	if !p.NoSecret {
		sec, err := s.newSecret(ctx, q, pr)
		if err != nil {
			return nil, err
		}
		creds.Secret = sec.Secret
	}
	tok, err := s.newPublicToken(ctx, q, pr)
	if err != nil {
		return nil, err
	}
	creds.PublicToken = tok.Token
	if err := s.record(ctx, q, pr.ID, events.ObjectProject, pr.ID, events.Create, projectView(pr)); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, u := range p.RedirectURLs {
		if seen[u] {
			continue
		}
		seen[u] = true
		err := q.PutRedirectURL(ctx, &store.RedirectURL{ProjectID: pr.ID, URL: u, CreatedAt: now.Add(time.Duration(i) * time.Microsecond),
			ValidTypes: []store.RedirectURLType{{Type: TypeLogin, IsDefault: i == 0}, {Type: TypeSignup, IsDefault: i == 0}}})
		if err != nil {
			return nil, apierr.Internal(err)
		}
	}
	return creds, nil
}

// Get returns a project by ID.
func (s *Service) Get(ctx context.Context, projectID string) (*store.Project, error) {
	p, err := s.Store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrProjectNotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return p, nil
}

// List returns every project of the deployment.
func (s *Service) List(ctx context.Context) ([]*store.Project, error) {
	ps, err := s.Store.ListProjects(ctx)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return ps, nil
}

// lock reads and locks the project inside q, or reports it unknown.
func lock(ctx context.Context, q store.Queries, projectID string) (*store.Project, error) {
	p, err := q.LockProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrProjectNotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return p, nil
}

// ErrUnauthorized is the one answer to every bad credential, so that callers
// learn nothing about which part was wrong.
func ErrUnauthorized() *apierr.Error {
	return apierr.Unauthorized("unauthorized_credentials",
		"Unauthorized credentials: the project ID and secret in the Authorization header are not valid.")
}

// Authenticate checks a project ID and secret from HTTP Basic auth against
// every secret of the project (there are two while one rotates).
func (s *Service) Authenticate(ctx context.Context, projectID, secret string) (*store.Project, error) {
	// A project ID that is not in the project ID format is refused before
	// any query: the format is public, so this reveals nothing.
	if !ids.Has(projectID, ids.Project) {
		return nil, ErrUnauthorized()
	}
	p, err := s.Store.GetProject(ctx, projectID)
	var secrets []*store.ProjectSecret
	switch {
	case err == nil:
		secrets, err = s.Store.ListProjectSecrets(ctx, projectID)
		if err != nil {
			return nil, apierr.Internal(err)
		}
	case errors.Is(err, store.ErrNotFound):
		p = nil
	default:
		return nil, apierr.Internal(err)
	}
	got := bearer.Hash(secret)
	// An unknown project (or one without secrets) is compared against a zero
	// hash, so that it takes as long as a wrong secret.
	match := 0
	if len(secrets) == 0 {
		subtle.ConstantTimeCompare(got, make([]byte, sha256.Size))
	}
	for _, sec := range secrets {
		match |= subtle.ConstantTimeCompare(got, sec.Hash)
	}
	if match != 1 || p == nil {
		return nil, ErrUnauthorized()
	}
	return p, nil
}
