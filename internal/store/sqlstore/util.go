package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

func itoa(i int) string { return strconv.Itoa(i) }

// likeEscape escapes LIKE wildcards so user input matches literally.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// affectedOne maps "no row changed" to store.ErrNotFound.
func (q *queries) affectedOne(res sql.Result, err error) error {
	if err != nil {
		return q.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

type rowScanner interface{ Scan(...any) error }

// queryAll runs a query and scans every row (keysetPage below is its
// paginated sibling).
func queryAll[T any](ctx context.Context, q *queries, query string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := q.ex.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, q.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, q.mapErr(rows.Err())
}

// keysetPage counts the rows of table matching cond, then reads the page of
// at most limit rows after the (created_at, id) position, in that order.
// cond's placeholders are $1..$len(args).
func keysetPage[T any](ctx context.Context, q *queries, table, cols, cond string, args []any,
	page store.Keyset, scan func(rowScanner) (T, error)) ([]T, int, error) {
	after, afterID, limit := page.AfterCreated, page.AfterID, page.Limit
	var total int
	if err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, q.mapErr(err)
	}
	n := len(args) + 1
	if !after.IsZero() {
		cond += " AND (created_at > $" + itoa(n) + " OR (created_at = $" + itoa(n) + " AND id > $" + itoa(n+1) + "))"
		args = append(args, ts(after), afterID)
		n += 2
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.ex.QueryContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE `+cond+` ORDER BY created_at, id LIMIT $`+itoa(n),
		append(args, limit)...)
	if err != nil {
		return nil, 0, q.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, q.mapErr(rows.Err())
}
