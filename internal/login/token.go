package login

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/store"
)

// issueToken stores the verified identity under a fresh one-time token and
// returns the redirect to the application: the login URL when the member
// already exists in the target organization, else the signup URL.
func (s *Service) issueToken(ctx context.Context, idpConn *store.Connection, req *store.SSORequest, id *identity) (*CallbackResult, *Failure) {
	orgID, connID := idpConn.OrganizationID, idpConn.ID
	challenge := ""
	if req != nil {
		orgID, connID, challenge = req.OrganizationID, req.ConnectionID, req.PKCECodeChallenge
		id.LoginRedirectURL, id.SignupRedirectURL = req.LoginRedirectURL, req.SignupRedirectURL
	} else {
		project, err := s.Store.GetProject(ctx, idpConn.ProjectID)
		if err != nil {
			return nil, internalFailure("the project could not be loaded", err)
		}
		login, signup, err := redirectTargets(project, "", "")
		if err != nil {
			return nil, asFailure(err)
		}
		id.LoginRedirectURL, id.SignupRedirectURL = login, signup
	}
	id.ConnectionID = connID
	exists, err := s.memberExists(ctx, idpConn.ProjectID, orgID, connID, id.Subject, id.Email)
	if err != nil {
		return nil, internalFailure("the member lookup failed", err)
	}
	target := id.SignupRedirectURL
	if exists {
		target = id.LoginRedirectURL
	}
	token := s.IDs.Token(ids.SSOToken, connEnv(idpConn))
	raw, _ := json.Marshal(id)
	err = s.Store.CreateSSOToken(ctx, &store.SSOToken{
		TokenHash: bearer.Hash(token), ProjectID: idpConn.ProjectID, OrganizationID: orgID, ConnectionID: connID,
		PKCECodeChallenge: challenge, Identity: raw, CreatedAt: s.Now(), ExpiresAt: s.Now().Add(tokenTTL),
	})
	if err != nil {
		return nil, internalFailure("the SSO token could not be stored", err)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, internalFailure("the redirect URL is invalid", err)
	}
	q := u.Query()
	q.Set("stytch_token_type", "sso")
	q.Set("token", token)
	u.RawQuery = q.Encode()
	res := &CallbackResult{RedirectURL: u.String()}
	if req != nil {
		res.ClearCookie = &http.Cookie{Name: requestCookiePrefix + req.ID, Path: "/v1/b2b/sso/callback/" + idpConn.ID, MaxAge: -1}
	}
	return res, nil
}

func internalFailure(what string, cause error) *Failure {
	return &Failure{Status: http.StatusInternalServerError, ErrorType: "internal_server_error", Reason: "internal",
		Detail: "Seam could not finish the login: " + what + ".", Cause: cause}
}

// connEnv is the environment (test or live) embedded in a connection's ID.
func connEnv(c *store.Connection) ids.Environment {
	prefix := map[string]string{store.KindSAML: ids.SAMLConnection, store.KindOIDC: ids.OIDCConnection, store.KindExternal: ids.ExternalConnection}[c.Kind]
	if e := ids.EnvOf(c.ID, prefix); e != "" {
		return e
	}
	return ids.Test
}

// factsJSON is the stored, API-visible form of diagnostics.
type factsJSON struct {
	Issuer                 string              `json:"issuer,omitempty"`
	Destination            string              `json:"destination,omitempty"`
	Recipient              string              `json:"recipient,omitempty"`
	InResponseTo           string              `json:"in_response_to,omitempty"`
	AssertionID            string              `json:"assertion_id,omitempty"`
	CertificateFingerprint string              `json:"certificate_fingerprint,omitempty"`
	Audiences              []string            `json:"audiences,omitempty"`
	Attributes             map[string][]string `json:"attributes,omitempty"`
}

func factsView(f *saml.Facts) factsJSON {
	return factsJSON{Issuer: f.Issuer, Destination: f.Destination, Recipient: f.Recipient, InResponseTo: f.InResponseTo,
		AssertionID: f.AssertionID, CertificateFingerprint: f.CertificateFingerprint, Audiences: f.Audiences, Attributes: f.Attributes}
}
