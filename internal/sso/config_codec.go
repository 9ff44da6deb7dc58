package sso

import (
	"encoding/json"
	"fmt"

	"github.com/seamsso/seam/internal/store"
)

// decodeConfig reads a connection's stored Config as its kind's type: one
// codec for the three kinds (samlConfig, oidcConfig, externalConfig).
func decodeConfig[T any](c *store.Connection) (*T, error) {
	cfg := new(T)
	if err := json.Unmarshal(c.Config, cfg); err != nil {
		return nil, fmt.Errorf("sso: stored %s configuration of %s: %w", c.Kind, c.ID, err)
	}
	return cfg, nil
}

// encodeConfig is the stored form of a configuration. The config types are
// plain structs of strings, slices, maps and times, so encoding cannot fail;
// a failure is a programming error.
func encodeConfig(cfg any) json.RawMessage {
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(fmt.Sprintf("sso: connection configuration does not encode: %v", err))
	}
	return b
}
