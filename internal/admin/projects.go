package admin

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/store"
)

// Project is a Stytch project: the Seam projects sharing a project_slug.
type Project struct {
	ProjectSlug string    `json:"project_slug"`
	Name        string    `json:"name"`
	Vertical    string    `json:"vertical"`
	CreatedAt   time.Time `json:"created_at"`
}

// Environment is a Stytch environment: one Seam project.
type Environment struct {
	EnvironmentSlug string    `json:"environment_slug"`
	ProjectSlug     string    `json:"project_slug"`
	Name            string    `json:"name"`
	ProjectID       string    `json:"project_id"`
	Type            string    `json:"type"` // TEST or LIVE
	CreatedAt       time.Time `json:"created_at"`
}

// Vertical is the only Stytch vertical Seam serves.
const Vertical = "B2B"

func projectOf(first *store.Project) Project {
	return Project{ProjectSlug: first.ProjectSlug, Name: first.Name, Vertical: Vertical, CreatedAt: first.CreatedAt}
}

func environmentOf(p *store.Project) Environment {
	return Environment{EnvironmentSlug: p.EnvironmentSlug, ProjectSlug: p.ProjectSlug, Name: p.Name, ProjectID: p.ID,
		Type: strings.ToUpper(p.Environment), CreatedAt: p.CreatedAt}
}

func errProjectNotFound(slug string) *apierr.Error {
	return apierr.NotFound("project_not_found", fmt.Sprintf("No project has the project_slug %s.", apierr.Quote(slug)))
}

// ListProjects returns every Stytch project, oldest first.
func (s *Service) ListProjects(ctx context.Context) ([]Project, error) {
	all, err := s.Store.ListProjects(ctx)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := []Project{}
	seen := map[string]bool{}
	for _, p := range all {
		if !seen[p.ProjectSlug] {
			seen[p.ProjectSlug] = true
			out = append(out, projectOf(p))
		}
	}
	return out, nil
}

func (s *Service) group(ctx context.Context, slug string) ([]*store.Project, error) {
	envs, err := s.Store.ListProjectsBySlug(ctx, slug)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if len(envs) == 0 {
		return nil, errProjectNotFound(slug)
	}
	return envs, nil
}

// GetProject returns one Stytch project.
func (s *Service) GetProject(ctx context.Context, slug string) (*Project, error) {
	envs, err := s.group(ctx, slug)
	if err != nil {
		return nil, err
	}
	p := projectOf(envs[0])
	return &p, nil
}

// ListEnvironments returns a Stytch project's environments.
func (s *Service) ListEnvironments(ctx context.Context, slug string) ([]Environment, error) {
	envs, err := s.group(ctx, slug)
	if err != nil {
		return nil, err
	}
	out := make([]Environment, 0, len(envs))
	for _, p := range envs {
		out = append(out, environmentOf(p))
	}
	return out, nil
}

// Resolve finds the Seam project that is the given environment.
func (s *Service) Resolve(ctx context.Context, slug, envSlug string) (*store.Project, error) {
	envs, err := s.group(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, p := range envs {
		if p.EnvironmentSlug == envSlug {
			return p, nil
		}
	}
	return nil, environmentNotFound(slug, envSlug)
}

// GetEnvironment returns one environment.
func (s *Service) GetEnvironment(ctx context.Context, slug, envSlug string) (*Environment, error) {
	p, err := s.Resolve(ctx, slug, envSlug)
	if err != nil {
		return nil, err
	}
	e := environmentOf(p)
	return &e, nil
}

// CreateProjectParams is Stytch's project create request.
type CreateProjectParams struct {
	Name        string
	Vertical    string
	ProjectSlug string // optional; derived from the name
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// CreateProject makes a Stytch project with a test and a live environment
// (two Seam projects, slugged "test" and "live"), each with a public token
// and no secret: create secrets through the secrets endpoints.
func (s *Service) CreateProject(ctx context.Context, p CreateProjectParams) (*Project, error) {
	if p.Vertical != Vertical {
		return nil, apierr.BadRequest("invalid_vertical", fmt.Sprintf("vertical must be B2B (Seam serves Stytch's B2B API), not %s.", apierr.Quote(p.Vertical)))
	}
	if strings.TrimSpace(p.Name) == "" {
		return nil, apierr.BadRequest("invalid_project_name", "name is required.")
	}
	slug := p.ProjectSlug
	if slug == "" {
		// The name's letters and digits plus a random suffix.
		base := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(p.Name), "-"), "-")
		if len(base) > 40 {
			base = strings.Trim(base[:40], "-")
		}
		tok := s.IDs.Token("x", ids.Test)
		slug = strings.TrimPrefix(base+"-"+tok[len(tok)-8:], "-")
	}
	if !projects.ValidSlug(slug) {
		return nil, apierr.BadRequest("invalid_slug", "project_slug must be 1 to 100 lowercase letters, digits and hyphens, starting with a letter or digit.")
	}
	var created *Project
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		existing, err := q.ListProjectsBySlug(ctx, slug)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(existing) > 0 {
			return apierr.BadRequest("project_slug_already_exists", fmt.Sprintf("A project with the project_slug %s already exists.", apierr.Quote(slug)))
		}
		for _, env := range []ids.Environment{ids.Test, ids.Live} {
			_, err := s.Projects.CreateIn(ctx, q, projects.CreateParams{Name: p.Name, Environment: env, ProjectSlug: slug, NoSecret: true})
			if err != nil {
				return err
			}
		}
		created = &Project{ProjectSlug: slug, Name: p.Name, Vertical: Vertical, CreatedAt: s.Now()}
		return nil
	})
	return created, err
}

// CreateEnvironmentParams is Stytch's environment create request.
type CreateEnvironmentParams struct {
	ProjectSlug     string
	Name            string
	Type            string // TEST or LIVE
	EnvironmentSlug string // optional; derived from the name
}

// CreateEnvironment adds an environment (a Seam project) to a Stytch project.
func (s *Service) CreateEnvironment(ctx context.Context, p CreateEnvironmentParams) (*Environment, error) {
	var env ids.Environment
	switch p.Type {
	case "TEST":
		env = ids.Test
	case "LIVE":
		env = ids.Live
	default:
		return nil, apierr.BadRequest("invalid_environment_type", fmt.Sprintf("type must be TEST or LIVE, not %s.", apierr.Quote(p.Type)))
	}
	group, err := s.group(ctx, p.ProjectSlug)
	if err != nil {
		return nil, err
	}
	name := p.Name
	if strings.TrimSpace(name) == "" {
		name = group[0].Name
	}
	envSlug := p.EnvironmentSlug
	if envSlug == "" {
		envSlug = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(p.Name), "-"), "-")
	}
	if envSlug == "" {
		return nil, apierr.BadRequest("invalid_slug", "Pass environment_slug or a name to derive it from.")
	}
	creds, err := s.Projects.Create(ctx, projects.CreateParams{Name: name, Environment: env, ProjectSlug: p.ProjectSlug,
		EnvironmentSlug: envSlug, NoSecret: true})
	if err != nil {
		return nil, err
	}
	pr, err := s.Store.GetProject(ctx, creds.ProjectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	e := environmentOf(pr)
	return &e, nil
}
