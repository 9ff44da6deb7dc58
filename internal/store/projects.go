package store

import (
	"context"
	"time"
)

// Project is a tenant of a Seam deployment; it owns everything else. In
// Stytch's workspace model a Seam project is one environment: ProjectSlug
// names the Stytch project it belongs to and EnvironmentSlug its slug there.
type Project struct {
	ID              string
	Environment     string // "test" or "live"
	Name            string
	ProjectSlug     string
	EnvironmentSlug string
	CreatedAt       time.Time
	// RBACPolicy is the project's own RBAC policy document (rbac.Policies),
	// nil while the deployment's applies. It comes with the row so that a
	// request that loaded its project needs no query to find its policy.
	RBACPolicy []byte
}

// ProjectSecret is one of a project's API secrets; only its hash is kept.
type ProjectSecret struct {
	ID        string
	ProjectID string
	Hash      []byte
	LastFour  string
	CreatedAt time.Time
}

// PublicToken identifies a project to browser-facing endpoints.
type PublicToken struct {
	Token     string
	ProjectID string
	CreatedAt time.Time
}

// RedirectURLType is one of Stytch's redirect URL types with its default flag.
type RedirectURLType struct {
	Type      string `json:"type"`
	IsDefault bool   `json:"is_default"`
}

// RedirectURL is a registered login/signup/invite/discovery redirect URL.
type RedirectURL struct {
	ProjectID  string
	URL        string
	ValidTypes []RedirectURLType
	CreatedAt  time.Time
}

// ProjectQueries persist projects and their credentials.
type ProjectQueries interface {
	CreateProject(ctx context.Context, p *Project) error
	GetProject(ctx context.Context, id string) (*Project, error)
	// LockProject reads a project and locks its row until the transaction ends.
	LockProject(ctx context.Context, id string) (*Project, error)
	GetProjectByPublicToken(ctx context.Context, token string) (*Project, error)
	CountProjects(ctx context.Context) (int, error)
	// ListProjects returns every project in (created_at, id) order.
	ListProjects(ctx context.Context) ([]*Project, error)
	// ListProjectsBySlug returns the projects (environments) of one Stytch project.
	ListProjectsBySlug(ctx context.Context, projectSlug string) ([]*Project, error)

	CreateProjectSecret(ctx context.Context, s *ProjectSecret) error
	ListProjectSecrets(ctx context.Context, projectID string) ([]*ProjectSecret, error)
	DeleteProjectSecret(ctx context.Context, projectID, secretID string) error

	CreatePublicToken(ctx context.Context, t *PublicToken) error
	ListPublicTokens(ctx context.Context, projectID string) ([]*PublicToken, error)
	DeletePublicToken(ctx context.Context, projectID, token string) error

	ListRedirectURLs(ctx context.Context, projectID string) ([]*RedirectURL, error)
	// PutRedirectURL inserts the URL or replaces its valid types.
	PutRedirectURL(ctx context.Context, u *RedirectURL) error
	DeleteRedirectURL(ctx context.Context, projectID, url string) error

	// ProjectRBACPolicy reads the project's own RBAC policy document (nil:
	// none); ErrNotFound when there is no such project.
	ProjectRBACPolicy(ctx context.Context, projectID string) ([]byte, error)
	// SetProjectRBACPolicy stores the project's RBAC policy document;
	// ErrNotFound when there is no such project.
	SetProjectRBACPolicy(ctx context.Context, projectID string, doc []byte) error
}

// WorkspaceKey authenticates the project administration API.
type WorkspaceKey struct {
	ID         string
	SecretHash []byte
	LastFour   string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the key is valid
}

// WorkspaceKeyQueries persist workspace management keys.
type WorkspaceKeyQueries interface {
	CreateWorkspaceKey(ctx context.Context, k *WorkspaceKey) error
	GetWorkspaceKey(ctx context.Context, id string) (*WorkspaceKey, error)
	ListWorkspaceKeys(ctx context.Context) ([]*WorkspaceKey, error)
	// RevokeWorkspaceKey marks a valid key revoked; ErrNotFound when there is
	// no such key or it is already revoked.
	RevokeWorkspaceKey(ctx context.Context, id string, at time.Time) error
}
