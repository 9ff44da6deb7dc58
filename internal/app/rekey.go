package app

import (
	"fmt"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/rekey"
)

// withPreviousKey lets the sealer open values sealed under
// SEAM_SECRET_KEY_PREVIOUS while `seam keys rotate` re-seals them.
func (a *App) withPreviousKey() error {
	prev, err := keys.ParseMasterKey(a.Config.SecretKeyPrevious)
	if err != nil {
		return fmt.Errorf("SEAM_SECRET_KEY_PREVIOUS: %w", err)
	}
	if a.Sealer, err = a.Sealer.WithPrevious(prev); err != nil {
		return fmt.Errorf("SEAM_SECRET_KEY_PREVIOUS: %w", err)
	}
	a.Log.Info("SEAM_SECRET_KEY_PREVIOUS is set: values sealed under it stay readable; run `seam keys rotate`, then remove it (docs/deploy.md#master-key-rotation)")
	return nil
}

// Rotator re-seals every sealed column under the current master key; each
// service declares its own columns.
func (a *App) Rotator(batch int) *rekey.Rotator {
	var cols []rekey.Column
	cols = append(cols, a.SSO.SealedColumns()...)
	cols = append(cols, a.Sessions.SealedColumns()...)
	cols = append(cols, a.TestIdP.SealedColumns()...)
	cols = append(cols, a.Login.SealedColumns()...)
	cols = append(cols, a.Health.SealedColumns()...)
	cols = append(cols, a.Webhooks.SealedColumns()...)
	return &rekey.Rotator{Store: a.Store, Sealer: a.Sealer, Columns: cols, Batch: batch}
}
