package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const sourceCols = `connection_id, project_id, organization_id, metadata_url, next_refresh_at, created_at, updated_at`

func scanSource(row rowScanner) (*store.MetadataSource, error) {
	s := &store.MetadataSource{}
	err := row.Scan(&s.ConnectionID, &s.ProjectID, &s.OrganizationID, &s.MetadataURL,
		timeCol{&s.NextRefreshAt}, timeCol{&s.CreatedAt}, timeCol{&s.UpdatedAt})
	return s, err
}

func (q *queries) PutMetadataSource(ctx context.Context, s *store.MetadataSource) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO saml_metadata_sources (`+sourceCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (connection_id) DO UPDATE SET metadata_url = excluded.metadata_url,
			next_refresh_at = excluded.next_refresh_at, updated_at = excluded.updated_at`,
		s.ConnectionID, s.ProjectID, s.OrganizationID, s.MetadataURL, ts(s.NextRefreshAt), ts(s.CreatedAt), ts(s.UpdatedAt))
	return q.mapErr(err)
}

func (q *queries) GetMetadataSource(ctx context.Context, projectID, connectionID string) (*store.MetadataSource, error) {
	s, err := scanSource(q.ex.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM saml_metadata_sources
		WHERE project_id = $1 AND connection_id = $2`, projectID, connectionID))
	return s, q.mapErr(err)
}

func (q *queries) ClaimDueMetadataSources(ctx context.Context, now, next time.Time, limit int) ([]*store.MetadataSource, error) {
	// PostgreSQL: rows another replica is claiming right now are skipped,
	// not waited for; a row whose claim committed no longer matches the
	// re-checked condition. SQLite: one UPDATE holds the write lock for its
	// whole run, so the select and the update cannot interleave with another.
	lock := ""
	if q.d.name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	return queryAll(ctx, q, `UPDATE saml_metadata_sources SET next_refresh_at = $2
		WHERE next_refresh_at <= $1 AND connection_id IN (
			SELECT connection_id FROM saml_metadata_sources WHERE next_refresh_at <= $1
			ORDER BY next_refresh_at, connection_id LIMIT $3`+lock+`)
		RETURNING `+sourceCols, []any{ts(now), ts(next), limit}, scanSource)
}

func (q *queries) SetMetadataSourceNext(ctx context.Context, connectionID string, next time.Time) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE saml_metadata_sources SET next_refresh_at = $2 WHERE connection_id = $1`,
		connectionID, ts(next))
	return q.affectedOne(res, err)
}

const refreshCols = `id, project_id, connection_id, metadata_url, attempted_at, outcome, error_type, message, added, removed`

func scanRefresh(row rowScanner) (*store.MetadataRefresh, error) {
	r := &store.MetadataRefresh{}
	var added, removed string
	if err := row.Scan(&r.ID, &r.ProjectID, &r.ConnectionID, &r.MetadataURL, timeCol{&r.AttemptedAt},
		&r.Outcome, &r.ErrorType, &r.Message, &added, &removed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(added), &r.Added); err != nil {
		return nil, err
	}
	return r, json.Unmarshal([]byte(removed), &r.Removed)
}

func idList(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids) // a []string always marshals
	return string(b)
}

func (q *queries) RecordMetadataRefresh(ctx context.Context, r *store.MetadataRefresh, keep int) error {
	if _, err := q.ex.ExecContext(ctx, `INSERT INTO saml_metadata_refreshes (`+refreshCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.ProjectID, r.ConnectionID, r.MetadataURL, ts(r.AttemptedAt), r.Outcome, r.ErrorType, r.Message,
		idList(r.Added), idList(r.Removed)); err != nil {
		return q.mapErr(err)
	}
	_, err := q.ex.ExecContext(ctx, `DELETE FROM saml_metadata_refreshes WHERE connection_id = $1 AND id NOT IN (
		SELECT id FROM saml_metadata_refreshes WHERE connection_id = $1 ORDER BY attempted_at DESC, id DESC LIMIT $2)`,
		r.ConnectionID, keep)
	return q.mapErr(err)
}

func (q *queries) ListMetadataRefreshes(ctx context.Context, projectID, connectionID string, limit int) ([]*store.MetadataRefresh, error) {
	return queryAll(ctx, q, `SELECT `+refreshCols+` FROM saml_metadata_refreshes WHERE project_id = $1 AND connection_id = $2
		ORDER BY attempted_at DESC, id DESC LIMIT $3`, []any{projectID, connectionID, limit}, scanRefresh)
}

func (q *queries) ListAllConnections(ctx context.Context, kind, afterID string, limit int) ([]*store.Connection, error) {
	return queryAll(ctx, q, `SELECT `+connCols+` FROM sso_connections WHERE ($1 = '' OR kind = $1) AND id > $2
		ORDER BY id LIMIT $3`, []any{kind, afterID, limit}, scanConn)
}
