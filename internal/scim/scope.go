package scim

import (
	"context"
	"errors"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

// Scope is what a SCIM request acts in: the connection its bearer token
// opened, with the connection's organization and project.
type Scope struct {
	Project *store.Project
	Org     *store.Organization
	Conn    *store.SCIMConnection
	// Base is the connection's base URL without query: resource locations
	// are Base + "/Users/" + id.
	Base string
}

// Authenticate opens the connection named in the base URL with a bearer
// token. Every failure (unknown connection, wrong token, a token of
// another connection) is the same 401, so the answer reveals nothing.
func (s *Service) Authenticate(ctx context.Context, connectionID, authorization string) (*Scope, error) {
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || connectionID == "" || len(connectionID) > 256 {
		return nil, Unauthorized()
	}
	sc, err := s.Store.GetSCIMScope(ctx, connectionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Unauthorized()
	}
	if err != nil {
		return nil, AsError(err)
	}
	c := sc.Connection
	if !tokenMatches(c, strings.TrimSpace(token)) {
		return nil, Unauthorized()
	}
	return &Scope{Project: sc.Project, Org: sc.Organization, Conn: c, Base: s.BaseURL + "/v1/b2b/scim/" + c.ID}, nil
}
