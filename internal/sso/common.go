package sso

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/store"
)

// identityProviderOf reads identity_provider from any kind's config.
func identityProviderOf(c *store.Connection) string {
	var v struct {
		IdentityProvider string `json:"identity_provider"`
	}
	_ = json.Unmarshal(c.Config, &v)
	return v.IdentityProvider
}
