package health

import (
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the master-key check value for rotation. Once it
// is re-sealed under the new key, a replica that still has only the old key
// fails its readiness check (master_key_mismatch) and refuses to start.
func (c *Checker) SealedColumns() []rekey.Column {
	return []rekey.Column{{Column: store.SealedMasterKeyCheck,
		AAD: func(store.SealedRow) []byte { return []byte(keyCheckAAD) }}}
}
