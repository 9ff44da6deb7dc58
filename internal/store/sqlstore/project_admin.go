package sqlstore

import "context"

func (q *queries) RenameProject(ctx context.Context, id, name string) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE projects SET name = $2 WHERE id = $1`, id, name)
	return q.affectedOne(res, err)
}

func (q *queries) DeleteProject(ctx context.Context, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM projects WHERE id = $1`, id)
	return q.affectedOne(res, err)
}

func (q *queries) CountProjectContents(ctx context.Context, id string) (int, int, error) {
	var orgs, members int
	err := q.ex.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organizations WHERE project_id = $1),
		(SELECT COUNT(*) FROM members WHERE project_id = $1)`, id).Scan(&orgs, &members)
	return orgs, members, q.mapErr(err)
}
