package rbac

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/seamsso/seam/internal/digestcache"
)

// Policies is the one rule for which RBAC policy applies to a project: the
// project's own, when one was set (PUT .../rbac_policy or `seam project
// rbac-policy set`) and stored on its row, else Default (the deployment's
// SEAM_RBAC_POLICY merged into Stytch's defaults, or the defaults alone).
//
// Every decision reads the stored document that came with the project row
// (Of) or reads it by project ID (For), so a change applies at once on every
// replica. Only the parsing of a document is remembered (Parsed), by the
// document's bytes: a changed policy is another document.
type Policies struct {
	Default Policy
	// Parsed, when set, keeps documents already parsed, by a SHA-256 of
	// their bytes (parsing one costs a few hundred microseconds and tens of
	// KB, which every member-session request of such a project paid); nil
	// parses on every call. The policies are shared read-only, as Default is.
	Parsed *digestcache.Cache[Policy]
}

// PolicyReader reads a project's stored policy document (nil when the
// project has none); store.Queries implements it.
type PolicyReader interface {
	ProjectRBACPolicy(ctx context.Context, projectID string) ([]byte, error)
}

// Of returns the policy for a project whose stored document is stored
// (store.Project.RBACPolicy); nil or empty means the project has none.
func (ps Policies) Of(stored []byte) (Policy, error) {
	if len(stored) == 0 {
		return ps.Default, nil
	}
	var k digestcache.Key
	if ps.Parsed != nil {
		k = sha256.Sum256(stored)
		if p, ok := ps.Parsed.Get(k); ok {
			return p, nil
		}
	}
	p, err := LoadPolicy(bytes.NewReader(stored))
	if err != nil {
		// The document was validated when it was written; failing now means
		// the defaults changed under it, which is a server fault.
		return Policy{}, fmt.Errorf("rbac: stored project policy: %w", err)
	}
	if ps.Parsed != nil {
		ps.Parsed.Put(k, p)
	}
	return p, nil
}

// For reads project projectID's stored document through q and returns the
// policy that applies to it. Callers that already hold the project row use
// Of instead and save the query.
func (ps Policies) For(ctx context.Context, q PolicyReader, projectID string) (Policy, error) {
	stored, err := q.ProjectRBACPolicy(ctx, projectID)
	if err != nil {
		return Policy{}, err
	}
	return ps.Of(stored)
}
