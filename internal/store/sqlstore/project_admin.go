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

func (q *queries) CountProjectContents(ctx context.Context, id string, excludeMemberStatuses []string) (int, int, error) {
	args := []any{id}
	members := `SELECT COUNT(*) FROM members WHERE project_id = $1`
	if len(excludeMemberStatuses) > 0 {
		ph, _ := placeholders(2, len(excludeMemberStatuses))
		members += ` AND status NOT IN (` + ph + `)`
		for _, st := range excludeMemberStatuses {
			args = append(args, st)
		}
	}
	var orgs, n int
	err := q.ex.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organizations WHERE project_id = $1), (`+members+`)`,
		args...).Scan(&orgs, &n)
	return orgs, n, q.mapErr(err)
}
