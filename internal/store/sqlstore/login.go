package sqlstore

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/store"
)

const reqCols = `id, project_id, connection_id, organization_id, login_redirect_url, signup_redirect_url,
	pkce_code_challenge, secrets, created_at, expires_at, setup_link_id`

func (q *queries) CreateSSORequest(ctx context.Context, r *store.SSORequest) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO sso_requests (`+reqCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.ProjectID, r.ConnectionID, r.OrganizationID, r.LoginRedirectURL, r.SignupRedirectURL,
		r.PKCECodeChallenge, r.Secrets, ts(r.CreatedAt), ts(r.ExpiresAt), r.SetupLinkID)
	return q.mapErr(err)
}

func (q *queries) ConsumeSSORequest(ctx context.Context, projectID, id string, now time.Time) (*store.SSORequest, error) {
	r := &store.SSORequest{}
	err := q.ex.QueryRowContext(ctx, `DELETE FROM sso_requests WHERE project_id = $1 AND id = $2 AND expires_at > $3
		RETURNING `+reqCols, projectID, id, ts(now)).Scan(&r.ID, &r.ProjectID, &r.ConnectionID, &r.OrganizationID,
		&r.LoginRedirectURL, &r.SignupRedirectURL, &r.PKCECodeChallenge, &r.Secrets, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt}, &r.SetupLinkID)
	if err != nil {
		return nil, q.mapErr(err)
	}
	return r, nil
}

func (q *queries) RecordAssertion(ctx context.Context, connectionID, assertionID string, expiresAt, now time.Time) error {
	// One statement, which inside a transaction does not abort it on a
	// replay: the ID is inserted, or an entry past its expiry (which no
	// longer protects anything) takes the new expiry; an unexpired entry
	// is left alone and no row changes.
	res, err := q.ex.ExecContext(ctx, `INSERT INTO saml_assertions_seen (connection_id, assertion_id, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (connection_id, assertion_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE saml_assertions_seen.expires_at <= $4`, connectionID, assertionID, ts(expiresAt), ts(now))
	if err != nil {
		return q.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return q.mapErr(err)
	}
	if n == 0 {
		return &store.ErrConflict{Field: "assertion_id"}
	}
	return nil
}

const tokCols = `token_hash, project_id, organization_id, connection_id, pkce_code_challenge, identity, created_at, expires_at`

func (q *queries) CreateSSOToken(ctx context.Context, t *store.SSOToken) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO sso_tokens (`+tokCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.TokenHash, t.ProjectID, t.OrganizationID, t.ConnectionID, t.PKCECodeChallenge, js(t.Identity, "{}"),
		ts(t.CreatedAt), ts(t.ExpiresAt))
	return q.mapErr(err)
}

func (q *queries) ConsumeSSOToken(ctx context.Context, projectID string, hash []byte, now time.Time) (*store.SSOToken, error) {
	t := &store.SSOToken{}
	err := q.ex.QueryRowContext(ctx, `DELETE FROM sso_tokens WHERE token_hash = $1 AND project_id = $2 AND expires_at > $3
		RETURNING `+tokCols, hash, projectID, ts(now)).Scan(&t.TokenHash, &t.ProjectID, &t.OrganizationID, &t.ConnectionID,
		&t.PKCECodeChallenge, jsonCol{&t.Identity, "{}"}, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt})
	if err != nil {
		return nil, q.mapErr(err)
	}
	return t, nil
}

const attemptCols = `id, project_id, organization_id, connection_id, request_id, outcome, error_type, detail, facts, created_at`

func (q *queries) CreateLoginAttempt(ctx context.Context, a *store.LoginAttempt) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO sso_login_attempts (`+attemptCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.ProjectID, a.OrganizationID, a.ConnectionID, a.RequestID, a.Outcome, a.ErrorType, a.Detail,
		js(a.Facts, "{}"), ts(a.CreatedAt))
	return q.mapErr(err)
}

func (q *queries) TrimLoginAttempts(ctx context.Context, projectID, connectionID string, keep int) error {
	_, err := q.ex.ExecContext(ctx, `DELETE FROM sso_login_attempts WHERE project_id = $1 AND connection_id = $2 AND id IN (
		SELECT id FROM sso_login_attempts WHERE project_id = $1 AND connection_id = $2
		ORDER BY created_at DESC, id DESC LIMIT 1000000000 OFFSET $3)`, projectID, connectionID, keep)
	return q.mapErr(err)
}

func (q *queries) ListLoginAttempts(ctx context.Context, projectID, connectionID string, limit int) ([]*store.LoginAttempt, error) {
	return queryAll(ctx, q, `SELECT `+attemptCols+` FROM sso_login_attempts
		WHERE project_id = $1 AND connection_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, []any{projectID, connectionID, limit},
		func(rows rowScanner) (*store.LoginAttempt, error) {
			a := &store.LoginAttempt{}
			err := rows.Scan(&a.ID, &a.ProjectID, &a.OrganizationID, &a.ConnectionID, &a.RequestID, &a.Outcome,
				&a.ErrorType, &a.Detail, jsonCol{&a.Facts, "{}"}, timeCol{&a.CreatedAt})
			return a, err
		})
}

func (q *queries) PurgeExpiredLoginState(ctx context.Context, now, attemptsBefore time.Time) error {
	for _, stmt := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM sso_requests WHERE expires_at <= $1`, now},
		{`DELETE FROM sso_tokens WHERE expires_at <= $1`, now},
		{`DELETE FROM saml_assertions_seen WHERE expires_at <= $1`, now},
		{`DELETE FROM sso_login_attempts WHERE created_at < $1`, attemptsBefore},
	} {
		if _, err := q.ex.ExecContext(ctx, stmt.sql, ts(stmt.at)); err != nil {
			return q.mapErr(err)
		}
	}
	return nil
}
