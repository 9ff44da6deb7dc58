package sqlstore

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const setupLinkCols = `id, project_id, organization_id, token_hash, connection_kind, created_at, expires_at, revoked_at`

func scanSetupLink(r rowScanner) (*store.SetupLink, error) {
	l := &store.SetupLink{}
	return l, r.Scan(&l.ID, &l.ProjectID, &l.OrganizationID, &l.TokenHash, &l.ConnectionKind,
		timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}, timeCol{&l.RevokedAt})
}

func (q *queries) CreateSetupLink(ctx context.Context, l *store.SetupLink) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO setup_links (`+setupLinkCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.ID, l.ProjectID, l.OrganizationID, l.TokenHash, l.ConnectionKind, ts(l.CreatedAt), ts(l.ExpiresAt), nullTS(l.RevokedAt))
	return q.mapErr(err)
}

func (q *queries) GetSetupLinkByTokenHash(ctx context.Context, hash []byte) (*store.SetupLink, error) {
	l, err := scanSetupLink(q.ex.QueryRowContext(ctx, `SELECT `+setupLinkCols+` FROM setup_links WHERE token_hash = $1`, hash))
	return l, q.mapErr(err)
}

func (q *queries) ListSetupLinks(ctx context.Context, projectID, organizationID string) ([]*store.SetupLink, error) {
	return queryAll(ctx, q, `SELECT `+setupLinkCols+` FROM setup_links WHERE project_id = $1 AND organization_id = $2
		ORDER BY created_at DESC, id DESC`, []any{projectID, organizationID}, scanSetupLink)
}

func (q *queries) RevokeSetupLink(ctx context.Context, projectID, organizationID, id string, at time.Time) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `UPDATE setup_links SET revoked_at = $4
		WHERE project_id = $1 AND organization_id = $2 AND id = $3 AND revoked_at IS NULL`, projectID, organizationID, id, ts(at)))
}
