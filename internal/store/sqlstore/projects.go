package sqlstore

import (
	"context"

	"github.com/seamsso/seam/internal/store"
)

const projectCols = `id, environment, name, secret_hash, public_token, redirect_urls, created_at`

func scanProject(row interface{ Scan(...any) error }) (*store.Project, error) {
	p := &store.Project{}
	err := row.Scan(&p.ID, &p.Environment, &p.Name, &p.SecretHash, &p.PublicToken,
		listCol{&p.RedirectURLs}, timeCol{&p.CreatedAt})
	return p, err
}

func (q *queries) CreateProject(ctx context.Context, p *store.Project) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO projects (`+projectCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.Environment, p.Name, p.SecretHash, p.PublicToken, jsonList(p.RedirectURLs), ts(p.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) GetProject(ctx context.Context, id string) (*store.Project, error) {
	p, err := scanProject(q.ex.QueryRowContext(ctx, `SELECT `+projectCols+` FROM projects WHERE id = $1`, id))
	return p, q.mapErr(err)
}

func (q *queries) GetProjectByPublicToken(ctx context.Context, token string) (*store.Project, error) {
	p, err := scanProject(q.ex.QueryRowContext(ctx, `SELECT `+projectCols+` FROM projects WHERE public_token = $1`, token))
	return p, q.mapErr(err)
}

func (q *queries) CountProjects(ctx context.Context) (int, error) {
	var n int
	err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects`).Scan(&n)
	return n, q.mapErr(err)
}
