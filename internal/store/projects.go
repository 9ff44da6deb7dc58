package store

import (
	"context"
	"time"
)

// Project is a tenant of a Seam deployment; it owns everything else.
type Project struct {
	ID           string
	Environment  string // "test" or "live"
	Name         string
	SecretHash   []byte // SHA-256 of the project secret; the secret itself is never stored
	PublicToken  string
	RedirectURLs []string // allow-list for login/signup redirect URLs
	CreatedAt    time.Time
}

// ProjectQueries persist projects.
type ProjectQueries interface {
	CreateProject(ctx context.Context, p *Project) error
	GetProject(ctx context.Context, id string) (*Project, error)
	GetProjectByPublicToken(ctx context.Context, token string) (*Project, error)
	CountProjects(ctx context.Context) (int, error)
}
