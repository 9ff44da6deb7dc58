package webhooks

import (
	"context"
	"errors"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

// Attempt is one delivery attempt as the API shows it.
type Attempt struct {
	AttemptID  string    `json:"attempt_id"`
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	Outcome    string    `json:"outcome"`
	StatusCode int       `json:"status_code"`
	LatencyMS  int64     `json:"latency_ms"`
	Error      string    `json:"error"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxAttemptsListed bounds the deliveries API's answer.
const MaxAttemptsListed = 1000

// Attempts lists an endpoint's most recent delivery attempts, newest first.
func (s *Service) Attempts(ctx context.Context, projectID, endpointID string, limit int) ([]Attempt, error) {
	if _, err := s.Get(ctx, projectID, endpointID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxAttemptsListed {
		limit = 100
	}
	as, err := s.Store.ListWebhookAttempts(ctx, projectID, endpointID, limit)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]Attempt, 0, len(as))
	for _, a := range as {
		out = append(out, Attempt{AttemptID: a.ID, DeliveryID: a.DeliveryID, EventID: a.EventID, Attempt: a.Attempt,
			Outcome: a.Outcome, StatusCode: a.StatusCode, LatencyMS: a.LatencyMS, Error: a.Error, CreatedAt: a.CreatedAt})
	}
	return out, nil
}

// ReplayParams name what to send again: one event, or the events created
// in [since, until) that the endpoint subscribes to.
type ReplayParams struct {
	EventID opt.Value[string]    `json:"event_id"`
	Since   opt.Value[time.Time] `json:"since"`
	Until   opt.Value[time.Time] `json:"until"`
}

// MaxReplay bounds one replay call; replay a longer range in parts.
const MaxReplay = 10000

// Replay queues new deliveries of past events to an enabled endpoint (same
// event IDs, so receivers deduplicate them as before) and returns how many.
func (s *Service) Replay(ctx context.Context, projectID, endpointID string, in ReplayParams) (int, error) {
	one := in.EventID.Has()
	ranged := in.Since.Has() || in.Until.Has()
	if one == ranged {
		return 0, apierr.BadRequest("invalid_replay", "Set either event_id, or since (and optionally until), RFC 3339 times.")
	}
	if ranged && !in.Since.Has() {
		return 0, apierr.BadRequest("invalid_replay", "since is required with until.")
	}
	if in.Until.Has() && !in.Until.V.After(in.Since.V) {
		return 0, apierr.BadRequest("invalid_replay", "until must be after since.")
	}
	n := 0
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		ep, err := q.GetWebhookEndpointForUpdate(ctx, projectID, endpointID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound(endpointID)
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if !ep.Enabled {
			return apierr.BadRequest("webhook_endpoint_disabled", "The endpoint is disabled; enable it (Update Endpoint) before replaying.")
		}
		var evs []*store.Event
		if one {
			e, err := q.GetEvent(ctx, projectID, in.EventID.V)
			if errors.Is(err, store.ErrNotFound) {
				return apierr.NotFound("event_not_found", "Event "+apierr.Quote(in.EventID.V)+" was not found in this project.")
			}
			if err != nil {
				return apierr.Internal(err)
			}
			evs = []*store.Event{e}
		} else if evs, err = q.ListEvents(ctx, store.EventFilter{ProjectID: projectID, Since: in.Since.V, Until: in.Until.V, Limit: MaxReplay + 1}); err != nil {
			return apierr.Internal(err)
		}
		if len(evs) > MaxReplay {
			return apierr.BadRequest("replay_too_large", "The range holds more than 10000 events; replay it in shorter ranges.")
		}
		now := s.Now()
		var ds []*store.WebhookDelivery
		for _, e := range evs {
			if one || Subscribed(ep, e.Type) {
				ds = append(ds, newDelivery(s.IDs, ep, e, now))
			}
		}
		n = len(ds)
		if err := q.CreateWebhookDeliveries(ctx, ds); err != nil {
			return apierr.Internal(err)
		}
		return nil
	})
	return n, err
}
