package webhooks

import (
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the endpoints' signing secrets (the current one
// and, during a rotation's overlap, the previous one) for master-key
// rotation. Both are bound to their endpoint's ID.
func (s *Service) SealedColumns() []rekey.Column {
	aad := func(r store.SealedRow) []byte { return sealAAD(r.Key) }
	return []rekey.Column{{Column: store.SealedWebhookSecrets, AAD: aad}, {Column: store.SealedWebhookPrevious, AAD: aad}}
}
