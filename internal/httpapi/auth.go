package httpapi

import (
	"context"
	"net/http"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/projects"
)

// requireProject authenticates HTTP Basic project_id:secret. Every failure
// mode (missing header, malformed header, unknown project, wrong secret)
// gives the same 401 so that nothing about the project is revealed.
func (s *Server) requireProject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user == "" || pass == "" || len(user) > 256 || len(pass) > 256 {
			writeError(w, r, projects.ErrUnauthorized())
			return
		}
		if err := s.authGate(r, "project", user); err != nil {
			writeError(w, r, err)
			return
		}
		p, err := s.projects.Authenticate(r.Context(), user, pass)
		if err != nil {
			s.authFailed(r, "project", user, err)
			writeError(w, r, err)
			return
		}
		logctx.Note(r.Context(), logctx.What{ProjectID: p.ID})
		// Changes made by this call are recorded as the API's (a member
		// session, once resolved, names its member: events.NoteMember).
		ctx := events.WithOrigin(r.Context(), events.Origin{Source: events.SourceDirect, Actor: events.Actor{Type: events.ActorAPIKey, ID: p.ID}})
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyProject, p)))
	})
}
