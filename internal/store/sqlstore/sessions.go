package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const sessCols = `project_id, organization_id, member_id, id, token_hash, authentication_factors, custom_claims,
	attributes, started_at, last_accessed_at, expires_at, jwt, jwt_digest, jwt_issued_at`

func scanSession(row rowScanner) (*store.MemberSession, error) {
	s := &store.MemberSession{}
	err := row.Scan(&s.ProjectID, &s.OrganizationID, &s.MemberID, &s.ID, &s.TokenHash,
		jsonCol{&s.AuthenticationFactors, "[]"}, jsonCol{&s.CustomClaims, "{}"}, jsonCol{&s.Attributes, "{}"},
		timeCol{&s.StartedAt}, timeCol{&s.LastAccessedAt}, timeCol{&s.ExpiresAt},
		&s.SignedJWT.Token, &s.SignedJWT.Digest, &s.SignedJWT.IssuedAt)
	return s, err
}

func (q *queries) CreateSession(ctx context.Context, s *store.MemberSession) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO member_sessions (`+sessCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		s.ProjectID, s.OrganizationID, s.MemberID, s.ID, s.TokenHash, js(s.AuthenticationFactors, "[]"),
		js(s.CustomClaims, "{}"), js(s.Attributes, "{}"), ts(s.StartedAt), ts(s.LastAccessedAt), ts(s.ExpiresAt),
		s.SignedJWT.Token, s.SignedJWT.Digest, s.SignedJWT.IssuedAt)
	return q.mapErr(err)
}

func (q *queries) GetSession(ctx context.Context, projectID, id string) (*store.MemberSession, error) {
	s, err := scanSession(q.ex.QueryRowContext(ctx, `SELECT `+sessCols+` FROM member_sessions WHERE project_id = $1 AND id = $2`, projectID, id))
	return s, q.mapErr(err)
}

func (q *queries) GetSessionForUpdate(ctx context.Context, projectID, id string) (*store.MemberSession, error) {
	s, err := scanSession(q.ex.QueryRowContext(ctx, `SELECT `+sessCols+` FROM member_sessions WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, id))
	return s, q.mapErr(err)
}

func (q *queries) GetSessionByTokenHash(ctx context.Context, projectID string, hash []byte) (*store.MemberSession, error) {
	s, err := scanSession(q.ex.QueryRowContext(ctx, `SELECT `+sessCols+` FROM member_sessions WHERE token_hash = $1 AND project_id = $2`, hash, projectID))
	return s, q.mapErr(err)
}

// prefixed qualifies every column of a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// collector records the destinations a scan function passes, so that
// several record scanners can share one row.
type collector struct{ dest []any }

func (c *collector) Scan(dest ...any) error {
	c.dest = append(c.dest, dest...)
	return nil
}

var subjectSelect = `SELECT ` + prefixed("s", sessCols) + `, ` + prefixed("m", memberCols) + `, ` + prefixed("o", orgCols) + `
	FROM member_sessions s
	JOIN members m ON m.id = s.member_id AND m.project_id = s.project_id
	JOIN organizations o ON o.id = s.organization_id AND o.project_id = s.project_id
	WHERE s.project_id = $1 AND `

func (q *queries) GetSessionSubject(ctx context.Context, projectID, id string, tokenHash []byte) (*store.SessionSubject, error) {
	var row *sql.Row
	if id != "" {
		row = q.ex.QueryRowContext(ctx, subjectSelect+`s.id = $2`, projectID, id)
	} else {
		row = q.ex.QueryRowContext(ctx, subjectSelect+`s.token_hash = $2`, projectID, tokenHash)
	}
	var c collector
	sess, _ := scanSession(&c)
	m, _ := scanMember(&c)
	o, _ := scanOrg(&c)
	if err := row.Scan(c.dest...); err != nil {
		return nil, q.mapErr(err)
	}
	return &store.SessionSubject{Session: sess, Member: m, Organization: o}, nil
}

func (q *queries) UpdateSession(ctx context.Context, s *store.MemberSession) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE member_sessions SET authentication_factors = $3, custom_claims = $4,
		attributes = $5, last_accessed_at = $6, expires_at = $7, jwt = $8, jwt_digest = $9, jwt_issued_at = $10
		WHERE project_id = $1 AND id = $2`,
		s.ProjectID, s.ID, js(s.AuthenticationFactors, "[]"), js(s.CustomClaims, "{}"), js(s.Attributes, "{}"),
		ts(s.LastAccessedAt), ts(s.ExpiresAt), s.SignedJWT.Token, s.SignedJWT.Digest, s.SignedJWT.IssuedAt)
	return q.affectedOne(res, err)
}

func (q *queries) DeleteSession(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM member_sessions WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}

func (q *queries) DeleteMemberSessions(ctx context.Context, projectID, memberID string) (int, error) {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM member_sessions WHERE project_id = $1 AND member_id = $2`, projectID, memberID)
	return rowsAffected(res, q.mapErr(err))
}

func (q *queries) ListMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) ([]*store.MemberSession, error) {
	rows, err := q.ex.QueryContext(ctx, `SELECT `+sessCols+` FROM member_sessions
		WHERE member_id = $1 AND project_id = $2 AND expires_at > $3 ORDER BY started_at, id`, memberID, projectID, ts(now))
	if err != nil {
		return nil, q.mapErr(err)
	}
	defer rows.Close()
	var out []*store.MemberSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, q.mapErr(rows.Err())
}

func (q *queries) DeleteExpiredMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) (int, error) {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM member_sessions WHERE member_id = $1 AND project_id = $2 AND expires_at <= $3`,
		memberID, projectID, ts(now))
	return rowsAffected(res, q.mapErr(err))
}

func (q *queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM member_sessions WHERE expires_at <= $1`, ts(now))
	return rowsAffected(res, q.mapErr(err))
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const keyCols = `project_id, kid, generation, private_key, created_at`

func scanKey(row rowScanner) (*store.SessionSigningKey, error) {
	k := &store.SessionSigningKey{}
	err := row.Scan(&k.ProjectID, &k.KID, &k.Generation, &k.SealedPrivateKey, timeCol{&k.CreatedAt})
	return k, err
}

func (q *queries) CreateSessionSigningKey(ctx context.Context, k *store.SessionSigningKey) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO session_signing_keys (`+keyCols+`) VALUES ($1, $2, $3, $4, $5)`,
		k.ProjectID, k.KID, k.Generation, k.SealedPrivateKey, ts(k.CreatedAt))
	if _, ok := q.d.uniqueViolation(err); ok {
		return &store.ErrConflict{Field: "generation"}
	}
	return q.mapErr(err)
}

func (q *queries) ListSessionSigningKeys(ctx context.Context, projectID string) ([]*store.SessionSigningKey, error) {
	rows, err := q.ex.QueryContext(ctx, `SELECT `+keyCols+` FROM session_signing_keys WHERE project_id = $1 ORDER BY generation DESC`, projectID)
	if err != nil {
		return nil, q.mapErr(err)
	}
	defer rows.Close()
	var out []*store.SessionSigningKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, q.mapErr(rows.Err())
}

func (q *queries) GetSessionSigningKey(ctx context.Context, kid string) (*store.SessionSigningKey, error) {
	k, err := scanKey(q.ex.QueryRowContext(ctx, `SELECT `+keyCols+` FROM session_signing_keys WHERE kid = $1`, kid))
	return k, q.mapErr(err)
}

func (q *queries) DeleteSessionSigningKeys(ctx context.Context, projectID string, belowGeneration int) (int, error) {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM session_signing_keys WHERE project_id = $1 AND generation < $2`, projectID, belowGeneration)
	return rowsAffected(res, q.mapErr(err))
}
