package sso

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/rekey"
	"github.com/seamsso/seam/internal/store"
)

// SealedColumns declares the sealed values of connection configurations
// for master-key rotation: SAML signing and encryption private keys and the
// OIDC client secret. External connections hold none.
func (s *Service) SealedColumns() []rekey.Column {
	return []rekey.Column{{Column: store.SealedConnectionConfigs, Rewrite: resealConfig}}
}

func resealConfig(row store.SealedRow, reseal rekey.Func) (string, bool, error) {
	id := row.Key
	c := &store.Connection{ID: id, Config: json.RawMessage(row.Value)}
	dirty := false
	one := func(sealed *string, keyID string) error {
		if *sealed == "" {
			return nil
		}
		out, changed, err := reseal(*sealed, sealAAD(id, keyID))
		if err != nil {
			return err
		}
		if changed {
			*sealed, dirty = out, true
		}
		return nil
	}
	switch {
	case ids.Has(id, ids.SAMLConnection):
		c.Kind = store.KindSAML
		cfg, err := decodeSAML(c)
		if err != nil {
			return "", false, err
		}
		for i := range cfg.Signing {
			if err := one(&cfg.Signing[i].SealedKey, cfg.Signing[i].ID); err != nil {
				return "", false, err
			}
		}
		for i := range cfg.Encryption {
			if err := one(&cfg.Encryption[i].SealedKey, cfg.Encryption[i].ID); err != nil {
				return "", false, err
			}
		}
		if dirty {
			return string(cfg.encode()), true, nil
		}
	case ids.Has(id, ids.OIDCConnection):
		c.Kind = store.KindOIDC
		cfg, err := decodeOIDC(c)
		if err != nil {
			return "", false, err
		}
		if err := one(&cfg.SealedClientSecret, "client_secret"); err != nil {
			return "", false, err
		}
		if dirty {
			return string(cfg.encode()), true, nil
		}
	}
	return row.Value, false, nil
}
