package projects

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// RBACPolicy returns the RBAC policy that applies to the project (its own,
// else the deployment's), in the PWA shape.
func (s *Service) RBACPolicy(ctx context.Context, projectID string) (rbac.Document, error) {
	p, err := s.Store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return rbac.Document{}, ErrProjectNotFound()
	}
	if err != nil {
		return rbac.Document{}, apierr.Internal(err)
	}
	policy, err := s.Policies.Of(p.RBACPolicy)
	if err != nil {
		return rbac.Document{}, apierr.Internal(err)
	}
	return rbac.DocumentOf(policy), nil
}

// SetRBACPolicy replaces the project's RBAC policy with d (see
// rbac.FromDocument for the rules) under the project's row lock, records
// rbac_policy.update, and returns the policy now in force. From the commit
// on, every RBAC decision for the project on every replica uses it; a
// refused policy changes nothing.
func (s *Service) SetRBACPolicy(ctx context.Context, projectID string, d rbac.Document) (rbac.Document, error) {
	var out rbac.Document
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		p, err := lock(ctx, q, projectID)
		if err != nil {
			return err
		}
		current, err := s.Policies.Of(p.RBACPolicy)
		if err != nil {
			return apierr.Internal(err)
		}
		policy, stored, err := rbac.FromDocument(current, d)
		if err != nil {
			return err
		}
		if err := q.SetProjectRBACPolicy(ctx, projectID, stored); err != nil {
			return apierr.Internal(err)
		}
		out = rbac.DocumentOf(policy)
		return s.record(ctx, q, projectID, events.ObjectRBACPolicy, projectID, events.Update, out)
	})
	return out, err
}
