package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/seamsso/seam/internal/config"
)

// StartupChecks pins the callback URLs of connections from before they were
// stored, and logs what the configuration will make fail later, so that an
// operator reads it at start rather than in a user's failed login.
func (a *App) StartupChecks(ctx context.Context) error {
	if !config.SecureContext(a.Config.BaseURL) {
		a.Log.Warn("SEAM_BASE_URL is plain http on a host browsers do not treat as secure: SP-initiated SAML logins through an IdP "+
			"on another site will fail, because the login cookie cannot be SameSite=None; Secure and browsers drop it from the "+
			"IdP's cross-site POST to the ACS. Serve Seam over https (SEAM_BASE_URL=https://...), or for development use "+
			"http://localhost or http://127.0.0.1",
			slog.String("base_url", a.Config.BaseURL))
	}
	// A connection's ACS URL, audience and OIDC redirect URL are what its
	// IdP was told: rows from before they were stored are pinned to this
	// start's base URL once, and never move afterwards.
	pinned, err := a.Store.PinCallbackURLs(ctx, a.Config.BaseURL)
	if err != nil {
		return fmt.Errorf("pin connection callback URLs: %w", err)
	}
	if pinned > 0 {
		a.Log.Info("stored the ACS URL, audience and OIDC redirect URL of connections created before they were stored",
			slog.Int("connections", pinned), slog.String("base_url", a.Config.BaseURL))
	}
	off, err := a.Store.CountCallbackURLsOffBase(ctx, a.Config.BaseURL)
	if err != nil {
		return fmt.Errorf("count connection callback URLs: %w", err)
	}
	if off > 0 {
		a.Log.Warn("some SSO connections keep an ACS URL, audience and OIDC redirect URL under another base URL than SEAM_BASE_URL "+
			"(it changed since they were created): their IdPs still use the old URLs, so Seam must stay reachable there. To move a "+
			"SAML connection, set alternative_acs_url and alternative_audience_uri to the new URLs and update the IdP; or create "+
			"a new connection (see docs/sso-connections.md, \"Changing SEAM_BASE_URL\")",
			slog.Int("connections", off), slog.String("base_url", a.Config.BaseURL))
	}
	return nil
}
