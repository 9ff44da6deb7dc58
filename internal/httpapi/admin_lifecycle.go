package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/admin"
	"github.com/seamsso/seam/internal/opt"
)

// adminLifecycleRoutes change and delete projects and environments on
// Stytch's PWA v3 contract (PATCH and DELETE beside admin.go's GET and POST).
func (s *Server) adminLifecycleRoutes() []route {
	const p = "/pwa/v3/projects/{project_slug}"
	const env = p + "/environments/{environment_slug}"
	ws := workspaceRoute
	return []route{
		ws("PATCH "+p, "Rename a project.", pwaProjectUpdateBody{}, pwaProjectResponse{}, s.pwaUpdateProject),
		ws("DELETE "+p, "Delete a project: every environment, with its organizations, members, connections and credentials.", nil, emptyResponse{}, s.pwaDeleteProject),
		ws("PATCH "+env, "Rename an environment (its other Stytch settings configure features Seam lacks).", admin.EnvironmentUpdate{}, pwaEnvironmentResponse{}, s.pwaUpdateEnvironment),
		ws("DELETE "+env, "Delete an environment (a Seam project) with everything it owns.", nil, emptyResponse{}, s.pwaDeleteEnvironment),
		ws("GET "+env+"/metrics", "Count an environment's organizations and members.", nil, pwaMetricsResponse{}, s.pwaEnvironmentMetrics),
	}
}

// workspaceRoute declares a project administration route: workspace-key
// authentication, where member sessions carry no authority.
func workspaceRoute(pattern, summary string, in, out any, h apiFunc) route {
	return route{pattern: pattern, auth: authWorkspace, access: ignoresSessions(), summary: summary, in: in, out: out, handler: h}
}

type pwaProjectUpdateBody struct {
	Name opt.Value[string] `json:"name"`
}

func (s *Server) pwaUpdateProject(r *http.Request) (int, any, error) {
	var b pwaProjectUpdateBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	p, err := s.admin.UpdateProject(r.Context(), r.PathValue("project_slug"), b.Name)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaProjectResponse{Project: p}, nil
}

func (s *Server) pwaDeleteProject(r *http.Request) (int, any, error) {
	if err := s.admin.DeleteProject(r.Context(), r.PathValue("project_slug")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, emptyResponse{}, nil
}

func (s *Server) pwaUpdateEnvironment(r *http.Request) (int, any, error) {
	var b admin.EnvironmentUpdate
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	e, err := s.admin.UpdateEnvironment(r.Context(), r.PathValue("project_slug"), r.PathValue("environment_slug"), b)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaEnvironmentResponse{Environment: e}, nil
}

func (s *Server) pwaDeleteEnvironment(r *http.Request) (int, any, error) {
	if err := s.admin.DeleteEnvironment(r.Context(), r.PathValue("project_slug"), r.PathValue("environment_slug")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, emptyResponse{}, nil
}

type pwaMetricsResponse struct {
	Metrics *admin.Metrics `json:"metrics"`
}

func (s *Server) pwaEnvironmentMetrics(r *http.Request) (int, any, error) {
	m, err := s.admin.EnvironmentMetrics(r.Context(), r.PathValue("project_slug"), r.PathValue("environment_slug"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pwaMetricsResponse{Metrics: m}, nil
}
