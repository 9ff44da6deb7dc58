package store

import (
	"context"
	"time"
)

// WebhookEndpoint is a URL a project's events are delivered to.
type WebhookEndpoint struct {
	ID                string
	ProjectID         string
	URL               string
	EventTypes        []string // empty: every event type
	Enabled           bool
	DisabledReason    string
	SecretSealed      string // the signing secret, sealed under the master key
	PreviousSealed    string // the secret before the last rotation, "" when none
	PreviousExpiresAt time.Time
	FailureStreak     int
	FailingSince      time.Time // zero while the streak is 0
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // given up after the last retry, or endpoint gone
)

// WebhookDelivery is one event to send to one endpoint.
type WebhookDelivery struct {
	ID            string
	ProjectID     string
	EndpointID    string
	EventID       string
	EventSeq      int64
	ObjectID      string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LockedUntil   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	ID         string
	ProjectID  string
	EndpointID string
	DeliveryID string
	EventID    string
	Attempt    int
	Outcome    string // "success", "http_error", "network_error", "refused"
	StatusCode int    // 0 without an HTTP answer
	LatencyMS  int64
	Error      string
	CreatedAt  time.Time
}

// WebhookQueries persist webhook endpoints and their deliveries.
type WebhookQueries interface {
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	GetWebhookEndpoint(ctx context.Context, projectID, id string) (*WebhookEndpoint, error)
	GetWebhookEndpointForUpdate(ctx context.Context, projectID, id string) (*WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, projectID string) ([]*WebhookEndpoint, error)
	// WebhookEndpointsByID returns the endpoints with these IDs (any project).
	WebhookEndpointsByID(ctx context.Context, ids []string) ([]*WebhookEndpoint, error)
	// EnabledWebhookEndpoints lists the enabled endpoints of the projects.
	EnabledWebhookEndpoints(ctx context.Context, projectIDs []string) ([]*WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	DeleteWebhookEndpoint(ctx context.Context, projectID, id string) error

	CreateWebhookDeliveries(ctx context.Context, ds []*WebhookDelivery) error
	// ClaimWebhookDeliveries leases up to limit pending deliveries due at
	// now and not leased, until leaseUntil, and returns them. A delivery
	// waits while an earlier pending delivery of the same object to the
	// same endpoint exists (per-object order). Replicas never claim the
	// same row: PostgreSQL skips rows another claim has locked, SQLite
	// serializes writers.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*WebhookDelivery, error)
	// FinishWebhookDelivery stores a delivery's new state and its attempt.
	FinishWebhookDelivery(ctx context.Context, d *WebhookDelivery, a *WebhookAttempt) error
	// DeliveredWebhookDeliveries marks the attempts' deliveries delivered
	// and stores the attempts, in two statements whatever their number
	// (the dispatcher's common case, one commit per batch).
	DeliveredWebhookDeliveries(ctx context.Context, as []*WebhookAttempt, now time.Time) error
	// FailPendingDeliveries gives up an endpoint's pending deliveries (the
	// endpoint was disabled) and returns how many.
	FailPendingDeliveries(ctx context.Context, endpointID string, now time.Time) (int, error)
	ListWebhookAttempts(ctx context.Context, projectID, endpointID string, limit int) ([]*WebhookAttempt, error)
}
