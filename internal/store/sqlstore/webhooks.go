package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const endpointCols = `id, project_id, url, event_types, enabled, disabled_reason, secret_sealed, previous_sealed,
	previous_expires_at, failure_streak, failing_since, created_at, updated_at`

func scanEndpoint(rows rowScanner) (*store.WebhookEndpoint, error) {
	e := &store.WebhookEndpoint{}
	err := rows.Scan(&e.ID, &e.ProjectID, &e.URL, listCol{&e.EventTypes}, &e.Enabled, &e.DisabledReason, &e.SecretSealed,
		&e.PreviousSealed, timeCol{&e.PreviousExpiresAt}, &e.FailureStreak, timeCol{&e.FailingSince},
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt})
	return e, err
}

func (q *queries) CreateWebhookEndpoint(ctx context.Context, e *store.WebhookEndpoint) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+endpointCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.ID, e.ProjectID, e.URL, jsonList(e.EventTypes), e.Enabled, e.DisabledReason, e.SecretSealed, e.PreviousSealed,
		nullTS(e.PreviousExpiresAt), e.FailureStreak, nullTS(e.FailingSince), ts(e.CreatedAt), ts(e.UpdatedAt))
	return q.mapErr(err)
}

func (q *queries) getEndpoint(ctx context.Context, projectID, id, lock string) (*store.WebhookEndpoint, error) {
	e, err := scanEndpoint(q.ex.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE project_id = $1 AND id = $2`+lock, projectID, id))
	if err != nil {
		return nil, q.mapErr(err)
	}
	return e, nil
}

func (q *queries) GetWebhookEndpoint(ctx context.Context, projectID, id string) (*store.WebhookEndpoint, error) {
	return q.getEndpoint(ctx, projectID, id, "")
}

func (q *queries) GetWebhookEndpointForUpdate(ctx context.Context, projectID, id string) (*store.WebhookEndpoint, error) {
	return q.getEndpoint(ctx, projectID, id, q.d.forUpdate())
}

func (q *queries) ListWebhookEndpoints(ctx context.Context, projectID string) ([]*store.WebhookEndpoint, error) {
	return queryAll(ctx, q, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE project_id = $1 ORDER BY created_at, id`,
		[]any{projectID}, scanEndpoint)
}

func (q *queries) EnabledWebhookEndpoints(ctx context.Context, projectIDs []string) ([]*store.WebhookEndpoint, error) {
	if len(projectIDs) == 0 {
		return nil, nil
	}
	cond, args := q.d.inSet("project_id", 2, projectIDs)
	return queryAll(ctx, q, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE enabled = $1 AND `+cond+` ORDER BY created_at, id`,
		append([]any{true}, args...), scanEndpoint)
}

func (q *queries) UpdateWebhookEndpoint(ctx context.Context, e *store.WebhookEndpoint) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $3, event_types = $4, enabled = $5,
		disabled_reason = $6, secret_sealed = $7, previous_sealed = $8, previous_expires_at = $9, failure_streak = $10,
		failing_since = $11, updated_at = $12 WHERE project_id = $1 AND id = $2`,
		e.ProjectID, e.ID, e.URL, jsonList(e.EventTypes), e.Enabled, e.DisabledReason, e.SecretSealed, e.PreviousSealed,
		nullTS(e.PreviousExpiresAt), e.FailureStreak, nullTS(e.FailingSince), ts(e.UpdatedAt))
	return q.affectedOne(res, err)
}

func (q *queries) DeleteWebhookEndpoint(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}

const deliveryCols = `id, project_id, endpoint_id, event_id, event_seq, object_id, status, attempts, next_attempt_at,
	locked_until, created_at, updated_at`

func scanDelivery(rows rowScanner) (*store.WebhookDelivery, error) {
	d := &store.WebhookDelivery{}
	err := rows.Scan(&d.ID, &d.ProjectID, &d.EndpointID, &d.EventID, &d.EventSeq, &d.ObjectID, &d.Status, &d.Attempts,
		timeCol{&d.NextAttemptAt}, timeCol{&d.LockedUntil}, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, err
}

func (q *queries) CreateWebhookDeliveries(ctx context.Context, ds []*store.WebhookDelivery) error {
	// One multi-row INSERT per batch of 50 (13 parameters a row stays well
	// under either engine's parameter limit).
	for start := 0; start < len(ds); start += 50 {
		batch := ds[start:min(start+50, len(ds))]
		var rows []string
		var args []any
		for _, d := range batch {
			n := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12))
			args = append(args, d.ID, d.ProjectID, d.EndpointID, d.EventID, d.EventSeq, d.ObjectID, d.Status, d.Attempts,
				ts(d.NextAttemptAt), ts(d.LockedUntil), ts(d.CreatedAt), ts(d.UpdatedAt))
		}
		if _, err := q.ex.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+deliveryCols+`) VALUES `+strings.Join(rows, ", "), args...); err != nil {
			return q.mapErr(err)
		}
	}
	return nil
}

func (q *queries) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*store.WebhookDelivery, error) {
	// The NOT EXISTS keeps per-object order: a later event of an object
	// waits while an earlier one to the same endpoint is still pending
	// (retrying or leased), so receivers see an object's changes in order.
	return queryAll(ctx, q, `UPDATE webhook_deliveries SET locked_until = $3, updated_at = $1 WHERE id IN (
		SELECT d.id FROM webhook_deliveries d
		WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.locked_until <= $1
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id
			AND e.object_id = d.object_id AND e.status = 'pending' AND e.event_seq < d.event_seq)
		ORDER BY d.next_attempt_at, d.event_seq LIMIT $2`+q.skipLocked()+`)
		RETURNING `+deliveryCols, []any{ts(now), limit, ts(leaseUntil)}, scanDelivery)
}

func (q *queries) FinishWebhookDelivery(ctx context.Context, d *store.WebhookDelivery, a *store.WebhookAttempt) error {
	if _, err := q.ex.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
		locked_until = $5, updated_at = $6 WHERE id = $1`,
		d.ID, d.Status, d.Attempts, ts(d.NextAttemptAt), ts(d.LockedUntil), ts(d.UpdatedAt)); err != nil {
		return q.mapErr(err)
	}
	if a == nil {
		return nil
	}
	_, err := q.ex.ExecContext(ctx, `INSERT INTO webhook_attempts (`+attemptRowCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.ProjectID, a.EndpointID, a.DeliveryID, a.EventID, a.Attempt, a.Outcome, a.StatusCode, a.LatencyMS, a.Error, ts(a.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) DeliveredWebhookDeliveries(ctx context.Context, as []*store.WebhookAttempt, now time.Time) error {
	for start := 0; start < len(as); start += 50 {
		batch := as[start:min(start+50, len(as))]
		ids := make([]string, len(batch))
		for i, a := range batch {
			ids[i] = a.DeliveryID
		}
		cond, args := q.d.inSet("id", 4, ids)
		if _, err := q.ex.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1,
			locked_until = $2, updated_at = $2, next_attempt_at = $2 WHERE status = $3 AND `+cond,
			append([]any{store.DeliveryDelivered, ts(now), store.DeliveryPending}, args...)...); err != nil {
			return q.mapErr(err)
		}
		var rows []string
		args = nil
		for _, a := range batch {
			n := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11))
			args = append(args, a.ID, a.ProjectID, a.EndpointID, a.DeliveryID, a.EventID, a.Attempt, a.Outcome, a.StatusCode,
				a.LatencyMS, a.Error, ts(a.CreatedAt))
		}
		if _, err := q.ex.ExecContext(ctx, `INSERT INTO webhook_attempts (`+attemptRowCols+`) VALUES `+strings.Join(rows, ", "), args...); err != nil {
			return q.mapErr(err)
		}
	}
	return nil
}

const attemptRowCols = `id, project_id, endpoint_id, delivery_id, event_id, attempt, outcome, status_code, latency_ms, error, created_at`

func (q *queries) ListWebhookAttempts(ctx context.Context, projectID, endpointID string, limit int) ([]*store.WebhookAttempt, error) {
	return queryAll(ctx, q, `SELECT `+attemptRowCols+` FROM webhook_attempts WHERE project_id = $1 AND endpoint_id = $2
		ORDER BY created_at DESC, id DESC LIMIT $3`, []any{projectID, endpointID, limit},
		func(rows rowScanner) (*store.WebhookAttempt, error) {
			a := &store.WebhookAttempt{}
			err := rows.Scan(&a.ID, &a.ProjectID, &a.EndpointID, &a.DeliveryID, &a.EventID, &a.Attempt, &a.Outcome,
				&a.StatusCode, &a.LatencyMS, &a.Error, timeCol{&a.CreatedAt})
			return a, err
		})
}

func (q *queries) WebhookEndpointsByID(ctx context.Context, ids []string) ([]*store.WebhookEndpoint, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cond, args := q.d.inSet("id", 1, ids)
	return queryAll(ctx, q, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE `+cond, args, scanEndpoint)
}

func (q *queries) FailPendingDeliveries(ctx context.Context, endpointID string, now time.Time) (int, error) {
	res, err := q.ex.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2, locked_until = $3, updated_at = $3
		WHERE endpoint_id = $1 AND status = $4`, endpointID, store.DeliveryFailed, ts(now), store.DeliveryPending)
	if err != nil {
		return 0, q.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), q.mapErr(err)
}
