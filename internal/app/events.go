package app

import (
	"context"

	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// activeConnectionsHook gives the organizations service the active SSO
// connections of an organization read inside its transaction, for the
// organization object of its events.
func activeConnectionsHook(s *sso.Service) func(context.Context, store.Queries, *store.Organization) ([]organizations.ActiveConnection, error) {
	return func(ctx context.Context, q store.Queries, o *store.Organization) ([]organizations.ActiveConnection, error) {
		cs, err := s.ActiveIn(ctx, q, o)
		if err != nil {
			return nil, err
		}
		out := make([]organizations.ActiveConnection, 0, len(cs))
		for _, c := range cs {
			out = append(out, organizations.ActiveConnection{ConnectionID: c.ConnectionID, DisplayName: c.DisplayName, IdentityProvider: c.IdentityProvider})
		}
		return out, nil
	}
}
