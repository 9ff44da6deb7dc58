package httpapi

import (
	"context"
	"net/http"
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
	if s.ready != nil {
		if err := s.ready.Ready(ctx); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, statusResponse{Status: "ready"}, nil
	}
	if err := s.store.Ping(ctx); err != nil {
		return 0, nil, apierr.Wrap(err, http.StatusServiceUnavailable, "database_unavailable", "The database is not reachable.")
	}
	return http.StatusOK, statusResponse{Status: "ready"}, nil
}

func (s *Server) metricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if admin, _ := r.Context().Value(keyAdmin).(bool); s.metricsAdminOnly && !admin {
			writeError(w, r, apierr.NotFound("route_not_found", "No route matches GET \"/metrics\" on this address; metrics are served on SEAM_ADMIN_ADDR."))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// openapi serves the OpenAPI 3.1 document built from the route table, as
// it is (no request_id or status_code at its root: it is a document, not an
// API answer).
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.openapiJSON)
}
