package login

import (
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the OIDC login requests' secrets (nonce, PKCE
// verifier) for master-key rotation.
func (s *Service) SealedColumns() []rekey.Column {
	return []rekey.Column{{Column: store.SealedLoginRequests,
		AAD: func(r store.SealedRow) []byte { return requestAAD(r.Key) }}}
}
