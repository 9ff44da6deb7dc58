package app

import (
	"context"
	"log/slog"

	"github.com/seamsso/seam/internal/config"
)

// warnStartup logs what the configuration will make fail later, so that an
// operator reads it at start rather than in a user's failed login.
func (a *App) warnStartup(ctx context.Context) {
	if !config.SecureContext(a.Config.BaseURL) {
		a.Log.Warn("SEAM_BASE_URL is plain http on a host browsers do not treat as secure: SP-initiated SAML logins through an IdP "+
			"on another site will fail, because the login cookie cannot be SameSite=None; Secure and browsers drop it from the "+
			"IdP's cross-site POST to the ACS. Serve Seam over https (SEAM_BASE_URL=https://...), or for development use "+
			"http://localhost or http://127.0.0.1",
			slog.String("base_url", a.Config.BaseURL))
	}
}
