package httpapi

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seamsso/seam/internal/apierr"
)

func (s *Server) healthz(r *http.Request) (int, any, error) {
	return http.StatusOK, statusResponse{Status: "ok"}, nil
}

func (s *Server) readyz(r *http.Request) (int, any, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return 0, nil, apierr.Wrap(err, http.StatusServiceUnavailable, "database_unavailable", "The database is not reachable.")
	}
	return http.StatusOK, statusResponse{Status: "ready"}, nil
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// openapi describes the routes from the route table, so the document can
// never list an endpoint that does not exist or miss one that does.
func (s *Server) openapi(r *http.Request) (int, any, error) {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		op := map[string]any{
			"summary": rt.summary,
			"responses": map[string]any{
				"default": map[string]any{"description": "Stytch error envelope",
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		switch rt.auth {
		case authNone:
			op["security"] = []any{}
		case authWorkspace:
			op["security"] = []any{map[string]any{"workspaceKey": []any{}}}
		}
		var params []any
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}."), "in": "path", "required": true,
					"schema": map[string]any{"type": "string"}})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		paths[path][strings.ToLower(method)] = op
	}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return http.StatusOK, map[string]any{
		"openapi":  "3.0.3",
		"info":     map[string]any{"title": "Seam (Stytch B2B SSO-compatible API)", "version": s.version},
		"servers":  []any{map[string]any{"url": s.baseURL}},
		"paths":    paths,
		"security": []any{map[string]any{"basicAuth": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{"basicAuth": map[string]any{"type": "http", "scheme": "basic",
				"description": "project_id as username, project secret as password"},
				"workspaceKey": map[string]any{"type": "http", "scheme": "basic",
					"description": "workspace management key ID as username, its secret as password (project administration, /pwa/v3/...)"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{
				"status_code": map[string]any{"type": "integer"}, "request_id": map[string]any{"type": "string"},
				"error_type": map[string]any{"type": "string"}, "error_message": map[string]any{"type": "string"},
				"error_url": map[string]any{"type": "string"}}}},
		},
	}, nil
}
