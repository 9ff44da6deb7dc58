package sqlstore

import (
	"context"

	"github.com/seamsso/seam/internal/store"
)

const connCols = `project_id, organization_id, id, kind, status, display_name, source_id, config, created_at, updated_at, callback_url`

func scanConn(row rowScanner) (*store.Connection, error) {
	c := &store.Connection{}
	err := row.Scan(&c.ProjectID, &c.OrganizationID, &c.ID, &c.Kind, &c.Status, &c.DisplayName,
		strCol{&c.SourceID}, jsonCol{&c.Config, "{}"}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.CallbackURL)
	return c, err
}

func (q *queries) CreateConnection(ctx context.Context, c *store.Connection) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO sso_connections (`+connCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ProjectID, c.OrganizationID, c.ID, c.Kind, c.Status, c.DisplayName, nullStr(c.SourceID),
		js(c.Config, "{}"), ts(c.CreatedAt), ts(c.UpdatedAt), c.CallbackURL)
	return q.mapErr(err)
}

// callbackPath is the path of every connection's callback URL.
const callbackPath = "/v1/b2b/sso/callback/"

func (q *queries) PinCallbackURLs(ctx context.Context, baseURL string) (int, error) {
	res, err := q.ex.ExecContext(ctx, `UPDATE sso_connections SET callback_url = $1 || id WHERE callback_url = '' AND kind <> 'external'`, baseURL+callbackPath)
	if err != nil {
		return 0, q.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (q *queries) CountCallbackURLsOffBase(ctx context.Context, baseURL string) (int, error) {
	var n int
	err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_connections WHERE kind <> 'external' AND callback_url <> $1 || id`, baseURL+callbackPath).Scan(&n)
	return n, q.mapErr(err)
}

func (q *queries) GetConnection(ctx context.Context, projectID, id string) (*store.Connection, error) {
	c, err := scanConn(q.ex.QueryRowContext(ctx, `SELECT `+connCols+` FROM sso_connections WHERE project_id = $1 AND id = $2`, projectID, id))
	return c, q.mapErr(err)
}

func (q *queries) GetConnectionByID(ctx context.Context, id string) (*store.Connection, error) {
	c, err := scanConn(q.ex.QueryRowContext(ctx, `SELECT `+connCols+` FROM sso_connections WHERE id = $1`, id))
	return c, q.mapErr(err)
}

func (q *queries) GetConnectionForUpdate(ctx context.Context, projectID, id string) (*store.Connection, error) {
	c, err := scanConn(q.ex.QueryRowContext(ctx, `SELECT `+connCols+` FROM sso_connections WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, id))
	return c, q.mapErr(err)
}

func (q *queries) UpdateConnection(ctx context.Context, c *store.Connection, ev *store.Event) error {
	return q.writeOne(ctx, ev, `UPDATE sso_connections SET status = $3, display_name = $4, source_id = $5,
		config = $6, updated_at = $7 WHERE project_id = $1 AND id = $2`,
		c.ProjectID, c.ID, c.Status, c.DisplayName, nullStr(c.SourceID), js(c.Config, "{}"), ts(c.UpdatedAt))
}

func (q *queries) DeleteConnection(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM sso_connections WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}

func (q *queries) listConns(ctx context.Context, where string, args ...any) ([]*store.Connection, error) {
	return queryAll(ctx, q, `SELECT `+connCols+` FROM sso_connections WHERE `+where+` ORDER BY created_at, id`, args, scanConn)
}

func (q *queries) ListConnections(ctx context.Context, projectID, organizationID string) ([]*store.Connection, error) {
	return q.listConns(ctx, `project_id = $1 AND organization_id = $2`, projectID, organizationID)
}

func (q *queries) ListConnectionsOfOrganizations(ctx context.Context, projectID string, organizationIDs ...string) ([]*store.Connection, error) {
	if len(organizationIDs) == 0 {
		return nil, nil
	}
	set, args := q.d.inSet("organization_id", 2, organizationIDs)
	return q.listConns(ctx, `project_id = $1 AND `+set, append([]any{projectID}, args...)...)
}

func (q *queries) GetConnections(ctx context.Context, projectID string, ids ...string) ([]*store.Connection, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	set, args := q.d.inSet("id", 2, ids)
	return q.listConns(ctx, `project_id = $1 AND `+set, append([]any{projectID}, args...)...)
}

func (q *queries) CountConnections(ctx context.Context, projectID, organizationID string) (int, error) {
	var n int
	err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_connections WHERE project_id = $1 AND organization_id = $2`,
		projectID, organizationID).Scan(&n)
	return n, q.mapErr(err)
}

func (q *queries) ListConnectionsBySource(ctx context.Context, projectID, sourceID string) ([]*store.Connection, error) {
	return q.listConns(ctx, `project_id = $1 AND source_id = $2`, projectID, sourceID)
}
