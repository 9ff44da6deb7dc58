package sqlstore

import (
	"context"

	"github.com/seamsso/seam/internal/store"
)

const testIdPCols = `project_id, kid, private_key, certificate, client_secret, created_at`

func (q *queries) CreateTestIdPKeys(ctx context.Context, k *store.TestIdPKeys) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO test_idp_keys (`+testIdPCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ProjectID, k.KID, k.SealedPrivateKey, k.Certificate, k.SealedClientSecret, ts(k.CreatedAt))
	if _, ok := q.d.uniqueViolation(err); ok {
		return &store.ErrConflict{Field: "project_id"}
	}
	return q.mapErr(err)
}

func (q *queries) GetTestIdPKeys(ctx context.Context, projectID string) (*store.TestIdPKeys, error) {
	k := &store.TestIdPKeys{}
	err := q.ex.QueryRowContext(ctx, `SELECT `+testIdPCols+` FROM test_idp_keys WHERE project_id = $1`, projectID).
		Scan(&k.ProjectID, &k.KID, &k.SealedPrivateKey, &k.Certificate, &k.SealedClientSecret, timeCol{&k.CreatedAt})
	if err != nil {
		return nil, q.mapErr(err)
	}
	return k, nil
}
