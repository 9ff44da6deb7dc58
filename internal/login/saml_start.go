package login

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/store"
)

// requestCookie names the cookie that binds an SP-initiated SAML login to the
// browser that started it; the suffix is the AuthnRequest ID, so parallel
// logins in one browser do not overwrite each other.
const requestCookiePrefix = "seam_sso_"

// startSAML signs an AuthnRequest (HTTP-Redirect binding) with the IdP-side
// connection's signing key and stores the request state.
func (s *Service) startSAML(ctx context.Context, rt *route, req *store.SSORequest) (*StartResult, error) {
	run, err := s.SSO.SAMLRuntime(rt.idp)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if req.ID, err = saml.NewRequestID(s.Rand); err != nil {
		return nil, apierr.Internal(err)
	}
	if rt.setupReturn != "" {
		raw, _ := json.Marshal(requestSecrets{SetupReturn: rt.setupReturn})
		if req.Secrets, err = s.Sealer.Seal(raw, requestAAD(req.ID)); err != nil {
			return nil, apierr.Internal(err)
		}
	}
	redirect, err := saml.RedirectURL(saml.AuthnRequestParams{
		ID: req.ID, IssueInstant: s.Now(), SPEntityID: run.SPEntityID, ACSURL: run.RequestACSURL,
		Destination: run.IDPSSOURL, NameIDFormat: run.NameIDFormat, SigningKey: run.SigningKey,
		Deflaters: &s.deflaters,
	})
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if err := s.Store.CreateSSORequest(ctx, req); err != nil {
		return nil, apierr.Internal(err)
	}
	return &StartResult{RedirectURL: redirect, Cookie: s.startCookie(rt, req.ID)}, nil
}

// requestCookie is scoped to the ACS path of the IdP-side connection and
// lives as long as the request. The IdP's POST back to the ACS is a
// cross-site request: only SameSite=None cookies travel with it, and
// browsers accept those only with Secure, which they honour in a secure
// context (https, or http on localhost / 127.0.0.1 / [::1]). Elsewhere the
// cookie is Lax: it still binds OIDC logins (a top-level GET) but not a
// cross-site SAML POST, and `seam serve` warns at start.
func (s *Service) requestCookie(idpConnID, requestID string) *http.Cookie {
	c := &http.Cookie{
		Name: requestCookiePrefix + requestID, Value: "1", Path: "/v1/b2b/sso/callback/" + idpConnID,
		MaxAge: int(requestTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if s.Secure {
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	return c
}

// missingCookieDetail explains a callback without the login cookie, naming
// the cause an operator can fix when there is one. crossSitePOST is true for
// the SAML ACS, which a Lax cookie cannot reach; an OIDC callback is a
// top-level GET that carries a Lax cookie.
func (s *Service) missingCookieDetail(what string, crossSitePOST bool) string {
	if crossSitePOST && !s.Secure {
		return "This browser did not send the login cookie with " + what + ". Seam's base URL (SEAM_BASE_URL) is plain http on a host " +
			"browsers do not treat as secure, so the cookie cannot be SameSite=None; Secure and browsers drop it from the IdP's " +
			"cross-site POST. Fix: serve Seam over https (SEAM_BASE_URL=https://...), or for development use http://localhost " +
			"or http://127.0.0.1. Starting the login again will fail the same way."
	}
	return "This browser did not send the login cookie with " + what + ": the login was started in another browser or profile, " +
		"more than 10 minutes ago, on a host other than Seam's base URL, or the browser blocks third-party-context cookies; " +
		"start the login again from the application in this browser."
}
