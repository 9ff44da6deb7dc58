package sqlstore

import (
	"context"
	"fmt"

	"github.com/seamsso/seam/internal/store"
)

// sealedColumn is where a store.SealedColumn lives.
type sealedColumn struct {
	table, key, project, value string
	json                       bool // a JSON document column (compared as JSONB on PostgreSQL)
}

func sealedColumnOf(col store.SealedColumn) (sealedColumn, error) {
	switch col {
	case store.SealedConnectionConfigs:
		return sealedColumn{"sso_connections", "id", "project_id", "config", true}, nil
	case store.SealedSessionSigningKeys:
		return sealedColumn{"session_signing_keys", "kid", "project_id", "private_key", false}, nil
	case store.SealedTestIdPKeys:
		return sealedColumn{"test_idp_keys", "project_id", "project_id", "private_key", false}, nil
	case store.SealedTestIdPSecrets:
		return sealedColumn{"test_idp_keys", "project_id", "project_id", "client_secret", false}, nil
	case store.SealedLoginRequests:
		return sealedColumn{"sso_requests", "id", "project_id", "secrets", false}, nil
	case store.SealedWebhookSecrets:
		return sealedColumn{"webhook_endpoints", "id", "project_id", "secret_sealed", false}, nil
	case store.SealedWebhookPrevious:
		return sealedColumn{"webhook_endpoints", "id", "project_id", "previous_sealed", false}, nil
	case store.SealedMasterKeyCheck:
		return sealedColumn{"master_key_check", "CAST(id AS TEXT)", "''", "sealed", false}, nil
	}
	return sealedColumn{}, fmt.Errorf("sqlstore: unknown sealed column %q", col)
}

func (q *queries) ListSealed(ctx context.Context, col store.SealedColumn, afterKey string, limit int) ([]store.SealedRow, error) {
	c, err := sealedColumnOf(col)
	if err != nil {
		return nil, err
	}
	value := c.value
	if c.json && q.d.name() == "postgres" {
		value = c.value + "::text"
	}
	return queryAll(ctx, q, `SELECT `+c.key+`, `+c.project+`, `+value+` FROM `+c.table+`
		WHERE `+c.key+` > $1 AND `+value+` <> '' ORDER BY `+c.key+` LIMIT $2`, []any{afterKey, limit},
		func(row rowScanner) (store.SealedRow, error) {
			var r store.SealedRow
			return r, row.Scan(&r.Key, &r.ProjectID, &r.Value)
		})
}

func (q *queries) ReplaceSealed(ctx context.Context, col store.SealedColumn, key, old, value string) (bool, error) {
	c, err := sealedColumnOf(col)
	if err != nil {
		return false, err
	}
	cur := c.value
	if c.json && q.d.name() == "postgres" {
		cur = c.value + "::text"
	}
	res, err := q.ex.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.value+` = $3 WHERE `+c.key+` = $1 AND `+cur+` = $2`, key, old, value)
	if err != nil {
		return false, q.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
