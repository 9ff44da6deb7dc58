package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

const memberCols = `project_id, organization_id, id, email, external_id, name, status, roles, trusted_metadata,
	untrusted_metadata, is_breakglass, mfa_enrolled, mfa_phone_number, default_mfa_method, email_verified,
	created_at, updated_at`

func scanMember(row rowScanner) (*store.Member, error) {
	m := &store.Member{}
	err := row.Scan(&m.ProjectID, &m.OrganizationID, &m.ID, &m.Email, strCol{&m.ExternalID}, &m.Name, &m.Status,
		listCol{&m.Roles}, jsonCol{&m.TrustedMetadata, "{}"}, jsonCol{&m.UntrustedMetadata, "{}"}, &m.IsBreakglass,
		&m.MFAEnrolled, &m.MFAPhoneNumber, &m.DefaultMFAMethod, &m.EmailVerified, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt})
	return m, err
}

// memberConflict names the unique field a member write violated. It matches
// constraint names (PostgreSQL) or column lists (SQLite) exactly rather than
// searching the whole message, which also contains the offending values.
func (q *queries) memberConflict(err error) error {
	if text, ok := q.d.uniqueViolation(err); ok {
		switch {
		case strings.HasPrefix(text, "members_email_key"), strings.Contains(text, "members.email"):
			return &store.ErrConflict{Field: "email_address"}
		case strings.HasPrefix(text, "members_external_id_key"), strings.Contains(text, "members.external_id"):
			return &store.ErrConflict{Field: "external_id"}
		case strings.HasPrefix(text, "sso_registrations_external_id_key"), strings.Contains(text, "sso_registrations.external_id"):
			return &store.ErrConflict{Field: "external_id"}
		case strings.HasPrefix(text, "sso_registrations_member_connection_key"), strings.Contains(text, "sso_registrations.member_id"):
			return &store.ErrConflict{Field: "connection_id"}
		}
		return &store.ErrConflict{Field: "id"}
	}
	return q.mapErr(err)
}

func (q *queries) CreateMember(ctx context.Context, m *store.Member) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO members (`+memberCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		m.ProjectID, m.OrganizationID, m.ID, strings.ToLower(m.Email), nullStr(m.ExternalID), m.Name, m.Status,
		jsonList(m.Roles), js(m.TrustedMetadata, "{}"), js(m.UntrustedMetadata, "{}"), m.IsBreakglass, m.MFAEnrolled,
		m.MFAPhoneNumber, m.DefaultMFAMethod, m.EmailVerified, ts(m.CreatedAt), ts(m.UpdatedAt))
	if err != nil {
		return q.memberConflict(err)
	}
	return nil
}

func (q *queries) GetMember(ctx context.Context, projectID, id string) (*store.Member, error) {
	m, err := scanMember(q.ex.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE project_id = $1 AND id = $2`, projectID, id))
	return m, q.mapErr(err)
}

// memberByRef matches a member ID or external ID within an organization; an
// ID match wins so an external ID can never shadow another member's ID.
const memberByRef = `SELECT ` + memberCols + ` FROM members WHERE project_id = $1 AND organization_id = $2
	AND (id = $3 OR external_id = $3) ORDER BY CASE WHEN id = $3 THEN 0 ELSE 1 END LIMIT 1`

func (q *queries) GetOrgMember(ctx context.Context, projectID, organizationID, ref string) (*store.Member, error) {
	m, err := scanMember(q.ex.QueryRowContext(ctx, memberByRef, projectID, organizationID, ref))
	return m, q.mapErr(err)
}

func (q *queries) GetOrgMemberForUpdate(ctx context.Context, projectID, organizationID, ref string) (*store.Member, error) {
	// A member ID is the usual ref, and a match on id wins over one on
	// external_id (memberByRef's order): one locking read settles it.
	m, err := scanMember(q.ex.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE project_id = $1 AND organization_id = $2 AND id = $3`+
		q.d.forUpdate(), projectID, organizationID, ref))
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return m, q.mapErr(err)
	}
	if m, err = q.GetOrgMember(ctx, projectID, organizationID, ref); err != nil {
		return nil, err
	}
	m, err = scanMember(q.ex.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, m.ID))
	return m, q.mapErr(err)
}

const memberByEmail = `SELECT ` + memberCols + ` FROM members WHERE project_id = $1 AND organization_id = $2 AND email = $3`

func (q *queries) GetMemberByEmail(ctx context.Context, projectID, organizationID, email string) (*store.Member, error) {
	m, err := scanMember(q.ex.QueryRowContext(ctx, memberByEmail, projectID, organizationID, strings.ToLower(email)))
	return m, q.mapErr(err)
}

// GetMemberByEmailForUpdate locks the row it finds: the email is unique in
// the organization, so no ORDER BY or LIMIT is needed and PostgreSQL's
// re-check of a concurrently updated row simply finds nothing when the
// address moved.
func (q *queries) GetMemberByEmailForUpdate(ctx context.Context, projectID, organizationID, email string) (*store.Member, error) {
	m, err := scanMember(q.ex.QueryRowContext(ctx, memberByEmail+q.d.forUpdate(), projectID, organizationID, strings.ToLower(email)))
	return m, q.mapErr(err)
}

func (q *queries) UpdateMember(ctx context.Context, m *store.Member) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE members SET email = $3, external_id = $4, name = $5, status = $6, roles = $7,
		trusted_metadata = $8, untrusted_metadata = $9, is_breakglass = $10, mfa_enrolled = $11, mfa_phone_number = $12,
		default_mfa_method = $13, email_verified = $14, updated_at = $15 WHERE project_id = $1 AND id = $2`,
		m.ProjectID, m.ID, strings.ToLower(m.Email), nullStr(m.ExternalID), m.Name, m.Status, jsonList(m.Roles),
		js(m.TrustedMetadata, "{}"), js(m.UntrustedMetadata, "{}"), m.IsBreakglass, m.MFAEnrolled, m.MFAPhoneNumber,
		m.DefaultMFAMethod, m.EmailVerified, ts(m.UpdatedAt))
	if err != nil {
		return q.memberConflict(err)
	}
	return q.affectedOne(res, nil)
}

// memberWhere builds the WHERE clause of a member search; n is the next
// placeholder index.
func memberWhere(f store.MemberFilter) (string, []any, error) {
	if len(f.OrganizationIDs) == 0 {
		return "", nil, errors.New("sqlstore: member search needs organization IDs")
	}
	args := []any{f.ProjectID}
	n := 2
	list := func(vals []string) string {
		var ph string
		ph, n = placeholders(n, len(vals))
		for _, v := range vals {
			args = append(args, v)
		}
		return ph
	}
	where := []string{"project_id = $1", "organization_id IN (" + list(f.OrganizationIDs) + ")"}
	if len(f.ExcludeStatuses) > 0 {
		where = append(where, "status NOT IN ("+list(f.ExcludeStatuses)+")")
	}
	var conds []string
	for _, c := range f.Conditions {
		switch c.Kind {
		case store.MemberByIDs:
			conds = append(conds, "id IN ("+list(c.Values)+")")
		case store.MemberByEmails:
			lower := make([]string, len(c.Values))
			for i, v := range c.Values {
				lower[i] = strings.ToLower(v)
			}
			conds = append(conds, "email IN ("+list(lower)+")")
		case store.MemberByExternalIDs:
			conds = append(conds, "external_id IN ("+list(c.Values)+")")
		case store.MemberByStatuses:
			conds = append(conds, "status IN ("+list(c.Values)+")")
		case store.MemberByPhones:
			conds = append(conds, "mfa_phone_number IN ("+list(c.Values)+")")
		case store.MemberByEmailFuzzy, store.MemberByPhoneFuzzy:
			col := "email"
			if c.Kind == store.MemberByPhoneFuzzy {
				col = "mfa_phone_number"
			}
			conds = append(conds, col+" LIKE $"+itoa(n)+" ESCAPE '\\'")
			args = append(args, "%"+likeEscape(strings.ToLower(first(c.Values)))+"%")
			n++
		case store.MemberByBreakglass:
			conds = append(conds, "is_breakglass = $"+itoa(n))
			args = append(args, c.Bool)
			n++
		case store.MemberByRoles:
			// roles is a JSON array of strings; match each role's exact JSON
			// string token, quotes included, so "a" never matches "ab".
			var ors []string
			for _, r := range c.Values {
				tok, _ := json.Marshal(r)
				ors = append(ors, "CAST(roles AS TEXT) LIKE $"+itoa(n)+" ESCAPE '\\'")
				args = append(args, "%"+likeEscape(string(tok))+"%")
				n++
			}
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		default:
			return "", nil, errors.New("sqlstore: unknown member search condition " + c.Kind)
		}
	}
	if len(conds) > 0 {
		op := " AND "
		if f.Any {
			op = " OR "
		}
		where = append(where, "("+strings.Join(conds, op)+")")
	}
	return strings.Join(where, " AND "), args, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (q *queries) SearchMembers(ctx context.Context, f store.MemberFilter) ([]*store.Member, int, error) {
	cond, args, err := memberWhere(f)
	if err != nil {
		return nil, 0, err
	}
	return keysetPage(ctx, q, "members", memberCols, cond, args, f.Keyset,
		func(r rowScanner) (*store.Member, error) { return scanMember(r) })
}

const regCols = `project_id, member_id, id, connection_id, external_id, sso_attributes, created_at, updated_at`

func scanReg(row rowScanner) (*store.SSORegistration, error) {
	r := &store.SSORegistration{}
	err := row.Scan(&r.ProjectID, &r.MemberID, &r.ID, &r.ConnectionID, &r.ExternalID, jsonCol{&r.Attributes, "{}"},
		timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt})
	return r, err
}

func (q *queries) CreateSSORegistration(ctx context.Context, r *store.SSORegistration) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO sso_registrations (`+regCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ProjectID, r.MemberID, r.ID, r.ConnectionID, r.ExternalID, js(r.Attributes, "{}"), ts(r.CreatedAt), ts(r.UpdatedAt))
	if err != nil {
		return q.memberConflict(err)
	}
	return nil
}

func (q *queries) UpdateSSORegistration(ctx context.Context, r *store.SSORegistration) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE sso_registrations SET external_id = $3, sso_attributes = $4, updated_at = $5
		WHERE project_id = $1 AND id = $2`, r.ProjectID, r.ID, r.ExternalID, js(r.Attributes, "{}"), ts(r.UpdatedAt))
	if err != nil {
		return q.memberConflict(err)
	}
	return q.affectedOne(res, nil)
}

func (q *queries) GetSSORegistration(ctx context.Context, projectID, connectionID, externalID string) (*store.SSORegistration, error) {
	r, err := scanReg(q.ex.QueryRowContext(ctx, `SELECT `+regCols+` FROM sso_registrations
		WHERE project_id = $1 AND connection_id = $2 AND external_id = $3`, projectID, connectionID, externalID))
	return r, q.mapErr(err)
}

func (q *queries) GetMemberSSORegistration(ctx context.Context, projectID, memberID, connectionID string) (*store.SSORegistration, error) {
	r, err := scanReg(q.ex.QueryRowContext(ctx, `SELECT `+regCols+` FROM sso_registrations
		WHERE project_id = $1 AND member_id = $2 AND connection_id = $3`, projectID, memberID, connectionID))
	return r, q.mapErr(err)
}

func (q *queries) ListSSORegistrations(ctx context.Context, projectID string, memberIDs ...string) ([]*store.SSORegistration, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	set, args := q.d.inSet("member_id", 2, memberIDs)
	rows, err := q.ex.QueryContext(ctx, `SELECT `+regCols+` FROM sso_registrations
		WHERE project_id = $1 AND `+set+` ORDER BY created_at, id`, append([]any{projectID}, args...)...)
	if err != nil {
		return nil, q.mapErr(err)
	}
	defer rows.Close()
	var out []*store.SSORegistration
	for rows.Next() {
		r, err := scanReg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, q.mapErr(rows.Err())
}
