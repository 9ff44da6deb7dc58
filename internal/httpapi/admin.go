package httpapi

import (
	"context"
	"net/http"

	"github.com/seamsso/seam/internal/admin"
	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/store"
)

// adminRoutes are Stytch's Programmatic Workspace Actions API v3 (project
// administration), authenticated with workspace management keys. See
// docs/project-administration.md for how Seam's projects map onto it.
func (s *Server) adminRoutes() []route {
	const p = "/pwa/v3/projects"
	const proj = p + "/{project_slug}"
	const env = proj + "/environments/{environment_slug}"
	ws := workspaceRoute
	return []route{
		ws("POST "+p, "Create a project with a test and a live environment.", pwaProjectBody{}, pwaProjectResponse{}, s.pwaCreateProject),
		ws("GET "+p, "List projects.", nil, pwaProjectsResponse{}, s.pwaListProjects),
		ws("GET "+proj, "Get a project.", nil, pwaProjectResponse{}, s.pwaGetProject),
		ws("POST "+proj+"/environments", "Create an environment (a Seam project) in a project.", pwaEnvironmentBody{}, pwaEnvironmentResponse{}, s.pwaCreateEnvironment),
		ws("GET "+proj+"/environments", "List a project's environments.", nil, pwaEnvironmentsResponse{}, s.pwaListEnvironments),
		ws("GET "+env, "Get an environment.", nil, pwaEnvironmentResponse{}, s.pwaGetEnvironment),
		ws("POST "+env+"/redirect_urls", "Add a redirect URL.", redirectBody{}, pwaRedirectResponse{}, s.pwaCreateRedirectURL),
		ws("GET "+env+"/redirect_urls", "Get the redirect URL given in the url query parameter.", nil, pwaRedirectResponse{}, s.pwaGetRedirectURL),
		ws("GET "+env+"/redirect_urls/all", "List redirect URLs.", nil, pwaRedirectsResponse{}, s.pwaListRedirectURLs),
		ws("PUT "+env+"/redirect_urls", "Replace the valid types of the redirect URL given in the url query parameter.", redirectBody{}, pwaRedirectResponse{}, s.pwaUpdateRedirectURL),
		ws("DELETE "+env+"/redirect_urls", "Remove the redirect URL given in the url query parameter.", nil, emptyResponse{}, s.pwaDeleteRedirectURL),
		ws("POST "+env+"/secrets", "Create a secret (shown once); existing secrets stay valid.", noFields{}, pwaNewSecretResponse{}, s.pwaCreateSecret),
		ws("GET "+env+"/secrets", "List secrets (masked).", nil, pwaSecretsResponse{}, s.pwaListSecrets),
		ws("GET "+env+"/secrets/{secret_id}", "Get a secret (masked).", nil, pwaSecretResponse{}, s.pwaGetSecret),
		ws("DELETE "+env+"/secrets/{secret_id}", "Delete a secret (not the last one).", nil, emptyResponse{}, s.pwaDeleteSecret),
		ws("POST "+env+"/public_tokens", "Create a public token.", noFields{}, pwaPublicTokenResponse{}, s.pwaCreatePublicToken),
		ws("GET "+env+"/public_tokens", "List public tokens.", nil, pwaPublicTokensResponse{}, s.pwaListPublicTokens),
		ws("GET "+env+"/public_tokens/{public_token}", "Get a public token.", nil, pwaPublicTokenResponse{}, s.pwaGetPublicToken),
		ws("DELETE "+env+"/public_tokens/{public_token}", "Delete a public token (not the last one).", nil, emptyResponse{}, s.pwaDeletePublicToken),
		ws("GET "+env+"/rbac_policy", "Get the environment's RBAC policy (its own, else the deployment's).", nil, pwaRBACPolicyResponse{}, s.pwaGetRBACPolicy),
		ws("PUT "+env+"/rbac_policy", "Replace the environment's RBAC policy.", pwaRBACPolicyBody{}, pwaRBACPolicyResponse{}, s.pwaSetRBACPolicy),
	}
}

// Request and response bodies of the administration API (Stytch's PWA v3 shapes).
type (
	pwaProjectBody struct {
		Name        string `json:"name"`
		Vertical    string `json:"vertical"`
		ProjectSlug string `json:"project_slug"`
	}
	pwaEnvironmentBody struct {
		Name            string `json:"name"`
		Type            string `json:"type"`
		EnvironmentSlug string `json:"environment_slug"`
	}
	redirectBody struct {
		URL                  string                  `json:"url"`
		ValidTypes           []store.RedirectURLType `json:"valid_types"`
		DoNotPromoteDefaults bool                    `json:"do_not_promote_defaults"`
	}
	pwaProjectResponse struct {
		Project *admin.Project `json:"project"`
	}
	pwaProjectsResponse struct {
		Projects []admin.Project `json:"projects"`
	}
	pwaEnvironmentResponse struct {
		Environment *admin.Environment `json:"environment"`
	}
	pwaEnvironmentsResponse struct {
		Environments []admin.Environment `json:"environments"`
	}
	pwaRedirectResponse struct {
		RedirectURL *projects.RedirectURL `json:"redirect_url"`
	}
	pwaRedirectsResponse struct {
		RedirectURLs []projects.RedirectURL `json:"redirect_urls"`
	}
	pwaNewSecretResponse struct {
		Secret *projects.NewSecret `json:"secret"`
	}
	pwaSecretResponse struct {
		Secret *projects.MaskedSecret `json:"secret"`
	}
	pwaSecretsResponse struct {
		Secrets []projects.MaskedSecret `json:"secrets"`
	}
	pwaPublicTokenResponse struct {
		PublicToken *projects.PublicToken `json:"public_token"`
	}
	pwaPublicTokensResponse struct {
		PublicTokens []projects.PublicToken `json:"public_tokens"`
	}
)

// requireWorkspaceKey authenticates HTTP Basic key_id:secret with a
// workspace management key; project secrets are not accepted here.
func (s *Server) requireWorkspaceKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user == "" || pass == "" || len(user) > 256 || len(pass) > 256 || s.admin == nil {
			writeError(w, r, admin.ErrUnauthorized())
			return
		}
		if err := s.authGate(r, "workspace_key", user); err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.admin.Authenticate(r.Context(), user, pass); err != nil {
			s.authFailed(r, "workspace_key", user, err)
			writeError(w, r, err)
			return
		}
		ctx := events.WithOrigin(r.Context(), events.Origin{Source: events.SourceOperator, Actor: events.Actor{Type: events.ActorWorkspaceKey, ID: user}})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) pwaCreateProject(r *http.Request) (int, any, error) {
	var b pwaProjectBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	p, err := s.admin.CreateProject(r.Context(), admin.CreateProjectParams{Name: b.Name, Vertical: b.Vertical, ProjectSlug: b.ProjectSlug})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaProjectResponse{Project: p}, nil
}

func (s *Server) pwaListProjects(r *http.Request) (int, any, error) {
	ps, err := s.admin.ListProjects(r.Context())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaProjectsResponse{Projects: ps}, nil
}

func (s *Server) pwaGetProject(r *http.Request) (int, any, error) {
	p, err := s.admin.GetProject(r.Context(), r.PathValue("project_slug"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaProjectResponse{Project: p}, nil
}

func (s *Server) pwaCreateEnvironment(r *http.Request) (int, any, error) {
	var b pwaEnvironmentBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	e, err := s.admin.CreateEnvironment(r.Context(), admin.CreateEnvironmentParams{
		ProjectSlug: r.PathValue("project_slug"), Name: b.Name, Type: b.Type, EnvironmentSlug: b.EnvironmentSlug,
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaEnvironmentResponse{Environment: e}, nil
}

func (s *Server) pwaListEnvironments(r *http.Request) (int, any, error) {
	es, err := s.admin.ListEnvironments(r.Context(), r.PathValue("project_slug"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaEnvironmentsResponse{Environments: es}, nil
}

func (s *Server) pwaGetEnvironment(r *http.Request) (int, any, error) {
	e, err := s.admin.GetEnvironment(r.Context(), r.PathValue("project_slug"), r.PathValue("environment_slug"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaEnvironmentResponse{Environment: e}, nil
}

// environment resolves the path's environment to its Seam project.
func (s *Server) environment(r *http.Request) (*store.Project, error) {
	return s.admin.Resolve(r.Context(), r.PathValue("project_slug"), r.PathValue("environment_slug"))
}

// redirectQuery is the url query parameter of the redirect URL endpoints.
func redirectQuery(r *http.Request) (string, error) {
	u := r.URL.Query().Get("url")
	if u == "" {
		return "", apierr.BadRequest("invalid_redirect_url", "The url query parameter is required.")
	}
	return u, nil
}

func (s *Server) pwaCreateRedirectURL(r *http.Request) (int, any, error) {
	var b redirectBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		u, err := s.projects.AddRedirectURL(ctx, p.ID, projects.RedirectChange{URL: b.URL, ValidTypes: b.ValidTypes, DoNotPromoteDefaults: b.DoNotPromoteDefaults})
		return pwaRedirectResponse{RedirectURL: u}, err
	})
}

func (s *Server) pwaGetRedirectURL(r *http.Request) (int, any, error) {
	raw, err := redirectQuery(r)
	if err != nil {
		return 0, nil, err
	}
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		u, err := s.projects.GetRedirectURL(ctx, p.ID, raw)
		return pwaRedirectResponse{RedirectURL: u}, err
	})
}

func (s *Server) pwaListRedirectURLs(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		us, err := s.projects.ListRedirectURLs(ctx, p.ID)
		return pwaRedirectsResponse{RedirectURLs: us}, err
	})
}

func (s *Server) pwaUpdateRedirectURL(r *http.Request) (int, any, error) {
	raw, err := redirectQuery(r)
	if err != nil {
		return 0, nil, err
	}
	var b redirectBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		u, err := s.projects.UpdateRedirectURL(ctx, p.ID, projects.RedirectChange{URL: raw, ValidTypes: b.ValidTypes, DoNotPromoteDefaults: b.DoNotPromoteDefaults})
		return pwaRedirectResponse{RedirectURL: u}, err
	})
}

func (s *Server) pwaDeleteRedirectURL(r *http.Request) (int, any, error) {
	raw, err := redirectQuery(r)
	if err != nil {
		return 0, nil, err
	}
	var noPromote bool
	switch r.URL.Query().Get("do_not_promote_defaults") {
	case "", "false":
	case "true":
		noPromote = true
	default:
		return 0, nil, apierr.BadRequest("invalid_request_value", "do_not_promote_defaults must be true or false.")
	}
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		return emptyResponse{}, s.projects.DeleteRedirectURL(ctx, p.ID, raw, noPromote)
	})
}

func (s *Server) pwaCreateSecret(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		sec, err := s.projects.CreateSecret(ctx, p.ID)
		return pwaNewSecretResponse{Secret: sec}, err
	})
}

func (s *Server) pwaListSecrets(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		list, err := s.projects.ListSecrets(ctx, p.ID)
		return pwaSecretsResponse{Secrets: list}, err
	})
}

func (s *Server) pwaGetSecret(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		sec, err := s.projects.GetSecret(ctx, p.ID, r.PathValue("secret_id"))
		return pwaSecretResponse{Secret: sec}, err
	})
}

func (s *Server) pwaDeleteSecret(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		return emptyResponse{}, s.projects.DeleteSecret(ctx, p.ID, r.PathValue("secret_id"))
	})
}

func (s *Server) pwaCreatePublicToken(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		t, err := s.projects.CreatePublicToken(ctx, p.ID)
		return pwaPublicTokenResponse{PublicToken: t}, err
	})
}

func (s *Server) pwaListPublicTokens(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		list, err := s.projects.ListPublicTokens(ctx, p.ID)
		return pwaPublicTokensResponse{PublicTokens: list}, err
	})
}

func (s *Server) pwaGetPublicToken(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		t, err := s.projects.GetPublicToken(ctx, p.ID, r.PathValue("public_token"))
		return pwaPublicTokenResponse{PublicToken: t}, err
	})
}

func (s *Server) pwaDeletePublicToken(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		return emptyResponse{}, s.projects.DeletePublicToken(ctx, p.ID, r.PathValue("public_token"))
	})
}

// withEnv resolves the path's environment and runs fn on its project.
func (s *Server) withEnv(r *http.Request, fn func(context.Context, *store.Project) (any, error)) (int, any, error) {
	p, err := s.environment(r)
	if err != nil {
		return 0, nil, err
	}
	body, err := fn(r.Context(), p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, body, nil
}
