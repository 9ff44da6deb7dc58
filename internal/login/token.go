package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/store"
)

// issueToken applies the identity-linking rule (refusing the login there
// and then when the rule refuses it), stores the verified identity under a
// fresh one-time token and returns the redirect to the application: the
// login URL when the identity resolves to an existing member of the target
// organization, else the signup URL. The rule runs again, in a transaction,
// at authenticate.
func (s *Service) issueToken(ctx context.Context, q store.Queries, idpConn *store.Connection, req *store.SSORequest, id *identity) (*CallbackResult, *linkFacts, *Failure) {
	orgID, connID := idpConn.OrganizationID, idpConn.ID
	challenge := ""
	if req != nil {
		orgID, connID, challenge = req.OrganizationID, req.ConnectionID, req.PKCECodeChallenge
		id.LoginRedirectURL, id.SignupRedirectURL = req.LoginRedirectURL, req.SignupRedirectURL
	} else {
		project, err := q.GetProject(ctx, idpConn.ProjectID)
		if err != nil {
			return nil, nil, internalFailure("the project could not be loaded", err)
		}
		login, signup, err := s.redirectTargets(ctx, q, project, "", "")
		if err != nil {
			return nil, nil, asFailure(err)
		}
		id.LoginRedirectURL, id.SignupRedirectURL = login, signup
	}
	id.ConnectionID = connID
	lf, exists, f := s.resolve(ctx, q, idpConn, orgID, id)
	if f != nil {
		return nil, lf, f
	}
	target := id.SignupRedirectURL
	if exists {
		target = id.LoginRedirectURL
	}
	token := s.IDs.Token(ids.SSOToken, connEnv(idpConn))
	raw, _ := json.Marshal(id)
	err := q.CreateSSOToken(ctx, &store.SSOToken{
		TokenHash: bearer.Hash(token), ProjectID: idpConn.ProjectID, OrganizationID: orgID, ConnectionID: connID,
		PKCECodeChallenge: challenge, Identity: raw, CreatedAt: s.Now(), ExpiresAt: s.Now().Add(tokenTTL),
	})
	if err != nil {
		return nil, lf, internalFailure("the SSO token could not be stored", err)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, lf, internalFailure("the redirect URL is invalid", err)
	}
	query := u.Query()
	query.Set("stytch_token_type", "sso")
	query.Set("token", token)
	u.RawQuery = query.Encode()
	res := &CallbackResult{RedirectURL: u.String()}
	if req != nil {
		res.ClearCookie = &http.Cookie{Name: requestCookiePrefix + req.ID, Path: "/v1/b2b/sso/callback/" + idpConn.ID, MaxAge: -1}
	}
	return res, lf, nil
}

// resolve runs the identity-linking rule for the callback: it reports
// whether the identity resolves to an existing member, or the refusal.
func (s *Service) resolve(ctx context.Context, q store.Queries, idpConn *store.Connection, orgID string, id *identity) (*linkFacts, bool, *Failure) {
	policy, err := s.SSO.LinkPolicy(idpConn)
	if err != nil {
		return nil, false, internalFailure("the connection's identity-linking policy could not be read", err)
	}
	org, err := q.GetOrganization(ctx, idpConn.ProjectID, orgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, &Failure{Status: http.StatusNotFound, ErrorType: "organization_not_found", Reason: "organization_not_found",
			Detail: "The organization of this login no longer exists."}
	}
	if err != nil {
		return nil, false, internalFailure("the organization could not be loaded", err)
	}
	res, err := s.Members.ResolveSSO(ctx, q, org, id.member(policy), jitAllowed(org, id.ConnectionID))
	if err != nil {
		return nil, false, asFailure(err)
	}
	lf := newLinkFacts(id, policy, res)
	if r := res.Refusal; r != nil {
		return lf, false, &Failure{Status: http.StatusForbidden, ErrorType: r.ErrorType, Reason: r.Reason, Detail: r.Message}
	}
	return lf, res.Member != nil, nil
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
	SignatureMethod        string              `json:"signature_method,omitempty"`
	Audiences              []string            `json:"audiences,omitempty"`
	Attributes             map[string][]string `json:"attributes,omitempty"`
	IdentityLink           *linkFacts          `json:"identity_link,omitempty"`
	// TestLogin marks a test login from a setup page; TestIdentity is what
	// it would have logged in as (no member or session was made).
	TestLogin    bool          `json:"test_login,omitempty"`
	TestIdentity *testIdentity `json:"test_identity,omitempty"`
}

func factsView(f *saml.Facts) factsJSON {
	return factsJSON{Issuer: f.Issuer, Destination: f.Destination, Recipient: f.Recipient, InResponseTo: f.InResponseTo,
		AssertionID: f.AssertionID, CertificateFingerprint: f.CertificateFingerprint, SignatureMethod: f.SignatureMethod,
		Audiences: f.Audiences, Attributes: f.Attributes}
}
