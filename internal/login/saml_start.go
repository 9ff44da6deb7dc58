package login

import (
	"context"
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
	redirect, err := saml.RedirectURL(saml.AuthnRequestParams{
		ID: req.ID, IssueInstant: s.Now(), SPEntityID: run.SPEntityID, ACSURL: run.RequestACSURL,
		Destination: run.IDPSSOURL, NameIDFormat: run.NameIDFormat, SigningKey: run.SigningKey,
	})
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if err := s.Store.CreateSSORequest(ctx, req); err != nil {
		return nil, apierr.Internal(err)
	}
	return &StartResult{RedirectURL: redirect, Cookie: s.requestCookie(rt.idp.ID, req.ID)}, nil
}

// requestCookie is scoped to the ACS path of the IdP-side connection and
// lives as long as the request.
func (s *Service) requestCookie(idpConnID, requestID string) *http.Cookie {
	c := &http.Cookie{
		Name: requestCookiePrefix + requestID, Value: "1", Path: "/v1/b2b/sso/callback/" + idpConnID,
		MaxAge: int(requestTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if s.Secure {
		// The IdP's POST back to the ACS is a cross-site request: only
		// SameSite=None cookies travel with it, and those must be Secure.
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	return c
}
