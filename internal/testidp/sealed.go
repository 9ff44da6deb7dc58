package testidp

import (
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the test IdP's private keys and client secrets
// for master-key rotation. (Its authorization codes and tokens are sealed
// too but never stored: they live minutes, and SEAM_SECRET_KEY_PREVIOUS
// keeps them readable until they expire.)
func (s *Service) SealedColumns() []rekey.Column {
	return []rekey.Column{
		{Column: store.SealedTestIdPKeys, AAD: func(r store.SealedRow) []byte { return keyAAD(r.Key) }},
		{Column: store.SealedTestIdPSecrets, AAD: func(r store.SealedRow) []byte { return secretAAD(r.Key) }},
	}
}
