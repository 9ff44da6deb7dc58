package sqlstore

import (
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
