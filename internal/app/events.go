package app

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/webhooks"

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

// webhookTimeout bounds one delivery request.
const webhookTimeout = 15 * time.Second

// openWebhooks builds the endpoints service and the dispatcher. Deliveries
// go through their own guarded outbound client (the SSRF rules of every
// customer URL), which follows no redirect: a receiver answers 2xx itself.
func (a *App) openWebhooks(cfg config.Config) error {
	// Not observed by the outbound metrics, whose purposes are the IdP
	// fetches; GET .../deliveries shows every attempt.
	out, err := newOutbound(cfg, nil, func(c *outbound.Config) {
		c.Timeout, c.MaxRedirects = webhookTimeout, -1
	})
	if err != nil {
		return err
	}
	a.Webhooks = &webhooks.Service{Store: a.Store, Sealer: a.Sealer, Now: a.Clock, IDs: a.IDs, Rand: a.Rand,
		Events: a.Events, CheckURL: out.CheckURL}
	a.Dispatcher = &webhooks.Dispatcher{Store: a.Store, Sealer: a.Sealer, Client: out.HTTPClient(), Now: a.Clock,
		Rand: a.Rand, IDs: a.IDs, Log: a.Log, Events: a.Events, Options: webhooks.Options{Retention: cfg.EventsRetention, Timeout: webhookTimeout}}
	return nil
}
