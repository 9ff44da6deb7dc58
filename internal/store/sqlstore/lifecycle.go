package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/store"
)

// ArchiveMember stores m as JSON: a deleted member is only ever read whole
// (reactivation, dangerously_get with include_deleted), never searched.
func (q *queries) ArchiveMember(ctx context.Context, m *store.Member, at time.Time) error {
	// Times are kept as the members table keeps them (see ts), so that a
	// reactivated member reads back as it was.
	c := *m
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond), c.UpdatedAt.UTC().Truncate(time.Microsecond)
	rec, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	_, err = q.ex.ExecContext(ctx, `INSERT INTO deleted_members (id, project_id, organization_id, member, deleted_at)
		VALUES ($1, $2, $3, $4, $5)`, m.ID, m.ProjectID, m.OrganizationID, string(rec), ts(at))
	return q.mapErr(err)
}

func (q *queries) scanDeletedMember(row rowScanner) (*store.DeletedMember, error) {
	var rec json.RawMessage
	d := &store.DeletedMember{}
	if err := row.Scan(jsonCol{&rec, "{}"}, timeCol{&d.DeletedAt}); err != nil {
		return nil, q.mapErr(err)
	}
	if err := json.Unmarshal(rec, &d.Member); err != nil {
		return nil, err
	}
	return d, nil
}

func (q *queries) GetDeletedMember(ctx context.Context, projectID, id string) (*store.DeletedMember, error) {
	return q.scanDeletedMember(q.ex.QueryRowContext(ctx, `SELECT member, deleted_at FROM deleted_members
		WHERE project_id = $1 AND id = $2`, projectID, id))
}

func (q *queries) GetDeletedMemberForUpdate(ctx context.Context, projectID, id string) (*store.DeletedMember, error) {
	return q.scanDeletedMember(q.ex.QueryRowContext(ctx, `SELECT member, deleted_at FROM deleted_members
		WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, id))
}

func (q *queries) ForgetDeletedMember(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM deleted_members WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}

func (q *queries) CountMembers(ctx context.Context, projectID, organizationID string) (int, error) {
	var n int
	err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE project_id = $1 AND organization_id = $2`,
		projectID, organizationID).Scan(&n)
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
