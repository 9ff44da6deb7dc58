package projects

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
)

// ProjectView is the project object of project events: its settings, never
// a credential.
type ProjectView struct {
	ProjectID       string    `json:"project_id"`
	Name            string    `json:"name"`
	Environment     string    `json:"environment"`
	ProjectSlug     string    `json:"project_slug"`
	EnvironmentSlug string    `json:"environment_slug"`
	CreatedAt       time.Time `json:"created_at"`
}

// record writes a project-level event through q, the change's transaction.
// Secrets appear masked (MaskedSecret); public tokens are public.
func (s *Service) record(ctx context.Context, q store.Queries, projectID, objectType, objectID string, a events.Action, obj any) error {
	return s.Events.Record(ctx, q, events.Change{ProjectID: projectID, ObjectType: objectType, ObjectID: objectID, Action: a, Object: obj})
}

// RecordRenamed records project.update for a project (an environment) whose
// name changed, inside the caller's transaction (the administration API's
// project and environment updates).
func (s *Service) RecordRenamed(ctx context.Context, q store.Queries, p *store.Project) error {
	return s.record(ctx, q, p.ID, events.ObjectProject, p.ID, events.Update, projectView(p))
}

func projectView(p *store.Project) ProjectView {
	return ProjectView{ProjectID: p.ID, Name: p.Name, Environment: p.Environment, ProjectSlug: p.ProjectSlug,
		EnvironmentSlug: p.EnvironmentSlug, CreatedAt: p.CreatedAt}
}

// recordRedirects records the redirect URLs a change wrote: target with
// action, and every other URL whose types changed (a moved or promoted
// default) as an update.
func (s *Service) recordRedirects(ctx context.Context, q store.Queries, projectID string, target *store.RedirectURL, a events.Action,
	others []*store.RedirectURL, before map[string]string) error {
	view := func(u *store.RedirectURL) RedirectURL { return RedirectURL{URL: u.URL, ValidTypes: u.ValidTypes} }
	var obj any
	if a != events.Delete {
		obj = view(target)
	}
	if err := s.record(ctx, q, projectID, events.ObjectRedirectURL, target.URL, a, obj); err != nil {
		return err
	}
	for _, u := range others {
		if u != target && before[u.URL] != typesKey(u.ValidTypes) {
			if err := s.record(ctx, q, projectID, events.ObjectRedirectURL, u.URL, events.Update, view(u)); err != nil {
				return err
			}
		}
	}
	return nil
}
