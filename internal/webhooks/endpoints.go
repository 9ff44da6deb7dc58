package webhooks

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

// ID prefixes of webhook objects.
const (
	EndpointIDPrefix = "webhook-endpoint"
	deliveryIDPrefix = "webhook-delivery"
	attemptIDPrefix  = "webhook-attempt"
)

// Limits on a project's endpoints.
const (
	MaxEndpoints  = 20
	maxURLLen     = 2048
	maxEventTypes = 100
)

// DefaultRotationOverlap is how long the previous secret keeps signing
// after a rotation, so receivers can switch to the new one without losing
// a delivery.
const DefaultRotationOverlap = 24 * time.Hour

// Service manages a project's webhook endpoints.
type Service struct {
	Store  store.Store
	Sealer *keys.Sealer
	Now    func() time.Time
	IDs    ids.Generator
	Rand   io.Reader
	Events *events.Recorder
	// CheckURL refuses destinations the guarded outbound client would
	// refuse (outbound.Client.CheckURL), when an endpoint is saved.
	CheckURL func(ctx context.Context, url string) error
	// RotationOverlap is DefaultRotationOverlap when zero.
	RotationOverlap time.Duration
}

// Endpoint is the API object of an endpoint; its secret is never in it.
type Endpoint struct {
	EndpointID     string    `json:"endpoint_id"`
	URL            string    `json:"url"`
	EventTypes     []string  `json:"event_types"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabled_reason"`
	FailureStreak  int       `json:"failure_streak"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// View is the API object of e.
func View(e *store.WebhookEndpoint) Endpoint {
	return Endpoint{EndpointID: e.ID, URL: e.URL, EventTypes: nonNil(e.EventTypes), Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, FailureStreak: e.FailureStreak, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Params are the settable fields of an endpoint. Absent fields keep their
// value on update; event_types absent or [] subscribes to every type.
type Params struct {
	URL        opt.Value[string]   `json:"url"`
	EventTypes opt.Value[[]string] `json:"event_types"`
	// Enabled re-enables an endpoint disabled after failures (update only).
	Enabled opt.Value[bool] `json:"enabled"`
}

// sealAAD binds a sealed secret to its endpoint.
func sealAAD(endpointID string) []byte { return []byte("seam/webhooks/" + endpointID + "/secret") }

// Create stores a new endpoint and returns it with its signing secret, which
// is shown this once.
func (s *Service) Create(ctx context.Context, p *store.Project, in Params) (*Endpoint, string, error) {
	if !in.URL.Has() {
		return nil, "", apierr.BadRequest("invalid_webhook_url", "url is required.")
	}
	if in.Enabled.Set {
		return nil, "", apierr.BadRequest("invalid_request", "enabled is set with Update Endpoint; a new endpoint is enabled.")
	}
	if err := s.checkURL(ctx, in.URL.V); err != nil {
		return nil, "", err
	}
	types, err := eventTypes(in.EventTypes)
	if err != nil {
		return nil, "", err
	}
	now := s.Now()
	e := &store.WebhookEndpoint{ID: s.IDs.New(EndpointIDPrefix, ids.Environment(p.Environment)), ProjectID: p.ID,
		URL: in.URL.V, EventTypes: types, Enabled: true, CreatedAt: now, UpdatedAt: now}
	secret, err := s.seal(e)
	if err != nil {
		return nil, "", err
	}
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		have, err := q.ListWebhookEndpoints(ctx, p.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(have) >= MaxEndpoints {
			return apierr.BadRequest("too_many_webhook_endpoints", "A project has at most 20 webhook endpoints; delete one first.")
		}
		if err := q.CreateWebhookEndpoint(ctx, e); err != nil {
			return apierr.Internal(err)
		}
		return s.record(ctx, q, e, events.Create)
	})
	if err != nil {
		return nil, "", err
	}
	v := View(e)
	return &v, secret, nil
}

// seal makes a fresh secret for e, sealed into e.SecretSealed.
func (s *Service) seal(e *store.WebhookEndpoint) (string, error) {
	secret, err := NewSecret(s.Rand)
	if err != nil {
		return "", apierr.Internal(err)
	}
	e.SecretSealed, err = s.Sealer.Seal([]byte(secret), sealAAD(e.ID))
	if err != nil {
		return "", apierr.Internal(err)
	}
	return secret, nil
}

func (s *Service) checkURL(ctx context.Context, u string) error {
	if u == "" || len(u) > maxURLLen {
		return apierr.BadRequest("invalid_webhook_url", "url must be an https URL of at most 2048 characters.")
	}
	if s.CheckURL == nil {
		return nil
	}
	if err := s.CheckURL(ctx, u); err != nil {
		return apierr.BadRequest("invalid_webhook_url", "The webhook URL cannot be used: "+err.Error())
	}
	return nil
}

func eventTypes(v opt.Value[[]string]) ([]string, error) {
	if !v.Has() {
		return []string{}, nil
	}
	if len(v.V) > maxEventTypes {
		return nil, apierr.BadRequest("invalid_event_types", "event_types lists at most 100 event types.")
	}
	out := []string{}
	for _, t := range v.V {
		if !events.ValidType(t) {
			return nil, apierr.BadRequest("invalid_event_types",
				"event_types holds "+apierr.Quote(t)+", which is not an event type (source.object_type.action, e.g. direct.member.update).")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// NotFound is the error for an unknown endpoint.
func NotFound(id string) *apierr.Error {
	return apierr.NotFound("webhook_endpoint_not_found", "Webhook endpoint "+apierr.Quote(id)+" was not found in this project.")
}

// List returns the project's endpoints, oldest first.
func (s *Service) List(ctx context.Context, projectID string) ([]Endpoint, error) {
	es, err := s.Store.ListWebhookEndpoints(ctx, projectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]Endpoint, 0, len(es))
	for _, e := range es {
		out = append(out, View(e))
	}
	return out, nil
}

// Get returns one endpoint.
func (s *Service) Get(ctx context.Context, projectID, id string) (*Endpoint, error) {
	e, err := s.Store.GetWebhookEndpoint(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(id)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	v := View(e)
	return &v, nil
}

// locked runs fn on the locked endpoint in one transaction, then writes it
// and its event; an endpoint fn disables gives up its pending deliveries.
func (s *Service) locked(ctx context.Context, projectID, id string, fn func(e *store.WebhookEndpoint) error) (*store.WebhookEndpoint, error) {
	var out *store.WebhookEndpoint
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		e, err := q.GetWebhookEndpointForUpdate(ctx, projectID, id)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound(id)
		}
		if err != nil {
			return apierr.Internal(err)
		}
		wasEnabled := e.Enabled
		if err := fn(e); err != nil {
			return err
		}
		if wasEnabled && !e.Enabled {
			if _, err := q.FailPendingDeliveries(ctx, e.ID, s.Now()); err != nil {
				return apierr.Internal(err)
			}
		}
		e.UpdatedAt = s.Now()
		if err := q.UpdateWebhookEndpoint(ctx, e); err != nil {
			return apierr.Internal(err)
		}
		out = e
		return s.record(ctx, q, e, events.Update)
	})
	return out, err
}

// Update changes an endpoint's URL, subscriptions or enabled flag
// (re-enabling clears the failure streak).
func (s *Service) Update(ctx context.Context, projectID, id string, in Params) (*Endpoint, error) {
	if in.URL.Set {
		if err := s.checkURL(ctx, in.URL.V); err != nil {
			return nil, err
		}
	}
	var types []string
	if in.EventTypes.Set {
		var err error
		if types, err = eventTypes(in.EventTypes); err != nil {
			return nil, err
		}
	}
	if in.Enabled.Set && in.Enabled.Null {
		return nil, apierr.BadRequest("invalid_request", "enabled is true or false.")
	}
	e, err := s.locked(ctx, projectID, id, func(e *store.WebhookEndpoint) error {
		if in.URL.Set {
			e.URL = in.URL.V
		}
		if in.EventTypes.Set {
			e.EventTypes = types
		}
		if in.Enabled.Set {
			e.Enabled = in.Enabled.V
			if e.Enabled {
				e.DisabledReason, e.FailureStreak, e.FailingSince = "", 0, time.Time{}
			} else {
				e.DisabledReason = "disabled through the API"
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := View(e)
	return &v, nil
}

// RotateSecret makes a new signing secret, shown this once; the previous
// one keeps signing for the overlap period.
func (s *Service) RotateSecret(ctx context.Context, projectID, id string) (*Endpoint, string, error) {
	var secret string
	e, err := s.locked(ctx, projectID, id, func(e *store.WebhookEndpoint) error {
		overlap := s.RotationOverlap
		if overlap == 0 {
			overlap = DefaultRotationOverlap
		}
		e.PreviousSealed, e.PreviousExpiresAt = e.SecretSealed, s.Now().Add(overlap)
		var err error
		secret, err = s.seal(e)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	v := View(e)
	return &v, secret, nil
}

// Delete removes an endpoint with its pending deliveries and attempts.
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		e, err := q.GetWebhookEndpointForUpdate(ctx, projectID, id)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound(id)
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if err := q.DeleteWebhookEndpoint(ctx, projectID, id); err != nil {
			return apierr.Internal(err)
		}
		return s.record(ctx, q, e, events.Delete)
	})
}

func (s *Service) record(ctx context.Context, q store.Queries, e *store.WebhookEndpoint, a events.Action) error {
	return s.Events.Record(ctx, q, events.Change{ProjectID: e.ProjectID, ObjectType: events.ObjectWebhookEndpoint,
		ObjectID: e.ID, Action: a, Object: View(e)})
}
