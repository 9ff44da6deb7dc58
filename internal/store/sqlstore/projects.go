package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const projectCols = `id, environment, name, project_slug, environment_slug, created_at`

// projectRead is projectCols plus the project's RBAC policy document, which
// rows read for requests carry (see store.Project.RBACPolicy).
const projectRead = projectCols + `, rbac_policy`

func scanProject(row rowScanner) (*store.Project, error) {
	p := &store.Project{}
	var policy sql.NullString
	err := row.Scan(&p.ID, &p.Environment, &p.Name, &p.ProjectSlug, &p.EnvironmentSlug, timeCol{&p.CreatedAt}, &policy)
	if policy.Valid {
		p.RBACPolicy = []byte(policy.String)
	}
	return p, err
}

// CreateProject inserts the project row. The legacy public_token column
// (see migration 0005) receives the project ID.
func (q *queries) CreateProject(ctx context.Context, p *store.Project) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO projects (`+projectCols+`, public_token) VALUES ($1, $2, $3, $4, $5, $6, $1)`,
		p.ID, p.Environment, p.Name, p.ProjectSlug, p.EnvironmentSlug, ts(p.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) GetProject(ctx context.Context, id string) (*store.Project, error) {
	p, err := scanProject(q.ex.QueryRowContext(ctx, `SELECT `+projectRead+` FROM projects WHERE id = $1`, id))
	return p, q.mapErr(err)
}

func (q *queries) LockProject(ctx context.Context, id string) (*store.Project, error) {
	p, err := scanProject(q.ex.QueryRowContext(ctx, `SELECT `+projectRead+` FROM projects WHERE id = $1`+q.d.forUpdate(), id))
	return p, q.mapErr(err)
}

func (q *queries) GetProjectByPublicToken(ctx context.Context, token string) (*store.Project, error) {
	p, err := scanProject(q.ex.QueryRowContext(ctx, `SELECT `+projectRead+` FROM projects
		WHERE id = (SELECT project_id FROM project_public_tokens WHERE public_token = $1)`, token))
	return p, q.mapErr(err)
}

func (q *queries) ProjectRBACPolicy(ctx context.Context, id string) ([]byte, error) {
	var policy sql.NullString
	if err := q.ex.QueryRowContext(ctx, `SELECT rbac_policy FROM projects WHERE id = $1`, id).Scan(&policy); err != nil {
		return nil, q.mapErr(err)
	}
	if !policy.Valid {
		return nil, nil
	}
	return []byte(policy.String), nil
}

func (q *queries) SetProjectRBACPolicy(ctx context.Context, id string, doc []byte) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `UPDATE projects SET rbac_policy = $2 WHERE id = $1`, id, string(doc)))
}

func (q *queries) CountProjects(ctx context.Context) (int, error) {
	var n int
	err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects`).Scan(&n)
	return n, q.mapErr(err)
}

func (q *queries) ListProjects(ctx context.Context) ([]*store.Project, error) {
	return queryAll(ctx, q, `SELECT `+projectRead+` FROM projects ORDER BY created_at, id`, nil, scanProject)
}

func (q *queries) ListProjectsBySlug(ctx context.Context, slug string) ([]*store.Project, error) {
	return queryAll(ctx, q, `SELECT `+projectRead+` FROM projects WHERE project_slug = $1 ORDER BY created_at, id`,
		[]any{slug}, scanProject)
}

func (q *queries) CreateProjectSecret(ctx context.Context, s *store.ProjectSecret) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO project_secrets (id, project_id, secret_hash, last_four, created_at)
		VALUES ($1, $2, $3, $4, $5)`, s.ID, s.ProjectID, s.Hash, s.LastFour, ts(s.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) ListProjectSecrets(ctx context.Context, projectID string) ([]*store.ProjectSecret, error) {
	return queryAll(ctx, q, `SELECT id, project_id, secret_hash, last_four, created_at FROM project_secrets
		WHERE project_id = $1 ORDER BY created_at, id`, []any{projectID}, func(r rowScanner) (*store.ProjectSecret, error) {
		s := &store.ProjectSecret{}
		return s, r.Scan(&s.ID, &s.ProjectID, &s.Hash, &s.LastFour, timeCol{&s.CreatedAt})
	})
}

func (q *queries) DeleteProjectSecret(ctx context.Context, projectID, secretID string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM project_secrets WHERE project_id = $1 AND id = $2`, projectID, secretID))
}

func (q *queries) CreatePublicToken(ctx context.Context, t *store.PublicToken) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO project_public_tokens (public_token, project_id, created_at) VALUES ($1, $2, $3)`,
		t.Token, t.ProjectID, ts(t.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) ListPublicTokens(ctx context.Context, projectID string) ([]*store.PublicToken, error) {
	return queryAll(ctx, q, `SELECT public_token, project_id, created_at FROM project_public_tokens
		WHERE project_id = $1 ORDER BY created_at, public_token`, []any{projectID}, func(r rowScanner) (*store.PublicToken, error) {
		t := &store.PublicToken{}
		return t, r.Scan(&t.Token, &t.ProjectID, timeCol{&t.CreatedAt})
	})
}

func (q *queries) DeletePublicToken(ctx context.Context, projectID, token string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM project_public_tokens WHERE project_id = $1 AND public_token = $2`, projectID, token))
}

func (q *queries) ListRedirectURLs(ctx context.Context, projectID string) ([]*store.RedirectURL, error) {
	return queryAll(ctx, q, `SELECT project_id, url, valid_types, created_at FROM project_redirect_urls
		WHERE project_id = $1 ORDER BY created_at, url`, []any{projectID}, func(r rowScanner) (*store.RedirectURL, error) {
		u := &store.RedirectURL{}
		var raw json.RawMessage
		if err := r.Scan(&u.ProjectID, &u.URL, jsonCol{&raw, "[]"}, timeCol{&u.CreatedAt}); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &u.ValidTypes); err != nil {
			return nil, fmt.Errorf("sqlstore: redirect URL valid_types: %w", err)
		}
		return u, nil
	})
}

func (q *queries) PutRedirectURL(ctx context.Context, u *store.RedirectURL) error {
	types := u.ValidTypes
	if types == nil {
		types = []store.RedirectURLType{}
	}
	raw, err := json.Marshal(types)
	if err != nil {
		return err
	}
	_, err = q.ex.ExecContext(ctx, `INSERT INTO project_redirect_urls (project_id, url, valid_types, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, url) DO UPDATE SET valid_types = excluded.valid_types`,
		u.ProjectID, u.URL, string(raw), ts(u.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) DeleteRedirectURL(ctx context.Context, projectID, url string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM project_redirect_urls WHERE project_id = $1 AND url = $2`, projectID, url))
}

const workspaceKeyCols = `id, secret_hash, last_four, created_at, revoked_at`

func scanWorkspaceKey(r rowScanner) (*store.WorkspaceKey, error) {
	k := &store.WorkspaceKey{}
	return k, r.Scan(&k.ID, &k.SecretHash, &k.LastFour, timeCol{&k.CreatedAt}, timeCol{&k.RevokedAt})
}

func (q *queries) CreateWorkspaceKey(ctx context.Context, k *store.WorkspaceKey) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO workspace_keys (`+workspaceKeyCols+`) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.SecretHash, k.LastFour, ts(k.CreatedAt), nullTS(k.RevokedAt))
	return q.mapErr(err)
}

func (q *queries) GetWorkspaceKey(ctx context.Context, id string) (*store.WorkspaceKey, error) {
	k, err := scanWorkspaceKey(q.ex.QueryRowContext(ctx, `SELECT `+workspaceKeyCols+` FROM workspace_keys WHERE id = $1`, id))
	return k, q.mapErr(err)
}

func (q *queries) ListWorkspaceKeys(ctx context.Context) ([]*store.WorkspaceKey, error) {
	return queryAll(ctx, q, `SELECT `+workspaceKeyCols+` FROM workspace_keys ORDER BY created_at, id`, nil, scanWorkspaceKey)
}

func (q *queries) RevokeWorkspaceKey(ctx context.Context, id string, at time.Time) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `UPDATE workspace_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, ts(at)))
}
