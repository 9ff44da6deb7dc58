package sessions

import (
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the session-JWT signing keys for master-key
// rotation.
func (s *Service) SealedColumns() []rekey.Column {
	return []rekey.Column{{Column: store.SealedSessionSigningKeys,
		AAD: func(r store.SealedRow) []byte { return sealAAD(r.ProjectID, r.Key) }}}
}
