package sqlstore

import (
	"context"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

func (q *queries) CountMembers(ctx context.Context, f store.MemberFilter) (int, error) {
	cond, args, err := memberWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE `+cond, args...).Scan(&n)
	return n, q.mapErr(err)
}

const retiredCols = `project_id, organization_id, member_id, id, email, created_at`

func scanRetired(row rowScanner) (*store.RetiredEmail, error) {
	r := &store.RetiredEmail{}
	err := row.Scan(&r.ProjectID, &r.OrganizationID, &r.MemberID, &r.ID, &r.Email, timeCol{&r.CreatedAt})
	return r, err
}

func (q *queries) CreateRetiredEmail(ctx context.Context, r *store.RetiredEmail) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO member_retired_emails (`+retiredCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ProjectID, r.OrganizationID, r.MemberID, r.ID, strings.ToLower(r.Email), ts(r.CreatedAt))
	if text, ok := q.d.uniqueViolation(err); ok && (strings.HasPrefix(text, "member_retired_emails_email_key") ||
		strings.Contains(text, "member_retired_emails.email")) {
		return &store.ErrConflict{Field: "email_address"}
	}
	return q.mapErr(err)
}

func (q *queries) ListRetiredEmails(ctx context.Context, projectID string, memberIDs ...string) ([]*store.RetiredEmail, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	set, args := q.d.inSet("member_id", 2, memberIDs)
	rows, err := q.ex.QueryContext(ctx, `SELECT `+retiredCols+` FROM member_retired_emails
		WHERE project_id = $1 AND `+set+` ORDER BY created_at, id`, append([]any{projectID}, args...)...)
	if err != nil {
		return nil, q.mapErr(err)
	}
	defer rows.Close()
	var out []*store.RetiredEmail
	for rows.Next() {
		r, err := scanRetired(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, q.mapErr(rows.Err())
}

func (q *queries) GetRetiredEmailByAddress(ctx context.Context, projectID, organizationID, email string) (*store.RetiredEmail, error) {
	r, err := scanRetired(q.ex.QueryRowContext(ctx, `SELECT `+retiredCols+` FROM member_retired_emails
		WHERE project_id = $1 AND organization_id = $2 AND email = $3`, projectID, organizationID, strings.ToLower(email)))
	return r, q.mapErr(err)
}

func (q *queries) DeleteRetiredEmail(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM member_retired_emails WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}
