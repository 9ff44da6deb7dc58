package httpapi

import (
	"context"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// pwaRBACPolicyBody is the body of PUT .../rbac_policy. Stytch's management
// clients also send project_slug and environment_slug in it; the path
// decides, so they are ignored.
type pwaRBACPolicyBody struct {
	Policy *rbac.Document `json:"policy"`
}

type pwaRBACPolicyResponse struct {
	Policy rbac.Document `json:"policy"`
}

func (s *Server) pwaGetRBACPolicy(r *http.Request) (int, any, error) {
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		d, err := s.projects.RBACPolicy(ctx, p.ID)
		return pwaRBACPolicyResponse{Policy: d}, err
	})
}

func (s *Server) pwaSetRBACPolicy(r *http.Request) (int, any, error) {
	var b pwaRBACPolicyBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	if b.Policy == nil {
		return 0, nil, apierr.BadRequest("invalid_argument", "policy is required: the whole RBAC policy, which replaces the current one.")
	}
	return s.withEnv(r, func(ctx context.Context, p *store.Project) (any, error) {
		d, err := s.projects.SetRBACPolicy(ctx, p.ID, *b.Policy)
		return pwaRBACPolicyResponse{Policy: d}, err
	})
}
