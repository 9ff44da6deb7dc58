package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// requestSecrets are the secrets of a login, sealed in the stored request:
// for OIDC the nonce bound into the ID token and the PKCE verifier Seam
// itself uses at the provider's token endpoint; for a test login from a
// setup page (either protocol) the page path that shows its outcome, which
// holds the setup link's secret.
type requestSecrets struct {
	Nonce       string `json:"nonce,omitempty"`
	Verifier    string `json:"verifier,omitempty"`
	SetupReturn string `json:"setup_return,omitempty"`
}

func requestAAD(requestID string) []byte { return []byte("seam/sso-request/" + requestID) }

// startOIDC sends the browser to the provider's authorization endpoint with
// state, nonce and PKCE (S256).
func (s *Service) startOIDC(ctx context.Context, rt *route, req *store.SSORequest, customScopes string) (*StartResult, error) {
	run, err := s.SSO.OIDCRuntime(rt.idp)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	extra, err := oidc.ParseScopes(customScopes)
	if err != nil {
		return nil, apierr.BadRequest("invalid_custom_scopes", "custom_scopes must be space-separated OAuth scope names.")
	}
	req.ID = oidc.RandomToken(s.Rand)
	sec := requestSecrets{Nonce: oidc.RandomToken(s.Rand), SetupReturn: rt.setupReturn}
	var challenge string
	sec.Verifier, challenge = oidc.PKCE(s.Rand)
	raw, _ := json.Marshal(sec)
	if req.Secrets, err = s.Sealer.Seal(raw, requestAAD(req.ID)); err != nil {
		return nil, apierr.Internal(err)
	}
	redirect, err := oidc.AuthCodeURL(run.Config, req.ID, sec.Nonce, challenge, extra)
	if err != nil {
		return nil, oidcAPIError(err)
	}
	if err := s.Store.CreateSSORequest(ctx, req); err != nil {
		return nil, apierr.Internal(err)
	}
	return &StartResult{RedirectURL: redirect, Cookie: s.startCookie(rt, req.ID)}, nil
}

func oidcAPIError(err error) error {
	var e *oidc.Error
	if errors.As(err, &e) {
		return e.APIError()
	}
	return apierr.Internal(err)
}

// OIDCCallback is the provider's redirect to the callback URL.
type OIDCCallback struct {
	ConnectionID string
	Query        url.Values
	Cookies      []*http.Cookie
	RequestID    string
}

// HandleOIDC finishes an OIDC login: state, code exchange, ID token and
// userinfo checks. Every outcome past the cheap refusals is recorded as a
// login attempt.
func (s *Service) HandleOIDC(ctx context.Context, cb OIDCCallback) (*CallbackResult, error) {
	var conn *store.Connection
	err := store.ErrNotFound
	if sso.IsConnectionID(store.KindOIDC, cb.ConnectionID) {
		conn, err = s.Store.GetConnectionByID(ctx, cb.ConnectionID)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && conn.Kind != store.KindOIDC) {
		return nil, &Failure{Status: http.StatusNotFound, ErrorType: "oidc_connection_not_found", Reason: "unknown_connection",
			Detail: "No OIDC connection has this callback URL."}
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	// Cheap refusals write nothing: a pending connection, and a callback
	// without a usable state and code (a provider's error answer is kept:
	// it is what an IT admin needs to see).
	if f := s.refuseInactive(conn); f != nil {
		return nil, s.unrecorded(conn, f)
	}
	if _, err := oidc.ParseCallback(cb.Query); err != nil && oidc.ReasonOf(err) != oidc.ReasonAuthorizationError {
		return nil, s.unrecorded(conn, oidcFailure(err))
	}
	var matched *store.SSORequest
	res, facts, ferr := s.verifyOIDC(ctx, conn, cb, &matched)
	if test := s.testRequest(ctx, s.Store, conn, matched, "", cb.Cookies); test != nil {
		if facts == nil {
			facts = &oidcFacts{}
		}
		facts.TestLogin, facts.TestIdentity = true, testIdentityOf(res)
		return s.finishTest(test, conn, s.recordAttempt(ctx, s.Store, conn, cb.RequestID, ferr, facts))
	}
	s.recordAttempt(ctx, s.Store, conn, cb.RequestID, ferr, facts)
	if ferr != nil {
		return nil, ferr
	}
	return res, nil
}

// oidcFacts are the diagnostics stored with an OIDC login attempt.
type oidcFacts struct {
	Issuer   string         `json:"issuer,omitempty"`
	Subject  string         `json:"subject,omitempty"`
	Audience []string       `json:"audiences,omitempty"`
	Claims   map[string]any `json:"claims,omitempty"`
	// IdentityLink is what the identity-linking rule decided.
	IdentityLink *linkFacts `json:"identity_link,omitempty"`
	// Outbound is how a request to the provider failed, when one did.
	Outbound *oidcOutbound `json:"outbound,omitempty"`
	// TestLogin marks a test login from a setup page; TestIdentity is what
	// it would have logged in as (no member or session was made).
	TestLogin    bool          `json:"test_login,omitempty"`
	TestIdentity *testIdentity `json:"test_identity,omitempty"`
}

// oidcOutbound is how a request to the provider (token, JWKS or userinfo
// endpoint) failed: the outbound kind (docs/login.md lists them), the
// endpoint's host, the redirect target where it failed, and the HTTP status.
type oidcOutbound struct {
	Kind         string `json:"kind"`
	Host         string `json:"host,omitempty"`
	RedirectHost string `json:"redirect_host,omitempty"`
	Status       int    `json:"status,omitempty"`
}

// withOutbound returns facts (new when nil) with err's outbound failure, or
// facts unchanged when err did not come from a request to the provider.
func withOutbound(facts *oidcFacts, err error) *oidcFacts {
	var e *oidc.Error
	if !errors.As(err, &e) || e.Outbound == "" {
		return facts
	}
	if facts == nil {
		facts = &oidcFacts{}
	}
	facts.Outbound = &oidcOutbound{Kind: e.Outbound, Host: e.Host, RedirectHost: e.RedirectHost, Status: e.HTTPStatus}
	return facts
}

func oidcFailure(err error) *Failure {
	var e *oidc.Error
	if errors.As(err, &e) {
		ae := e.APIError()
		return &Failure{Status: ae.Status, ErrorType: ae.Type, Reason: string(e.Reason), Detail: ae.Message}
	}
	return internalFailure("the OpenID Provider's answer could not be processed", err)
}

func (s *Service) verifyOIDC(ctx context.Context, conn *store.Connection, cb OIDCCallback, matched **store.SSORequest) (*CallbackResult, *oidcFacts, *Failure) {
	if conn.Status != "active" {
		return nil, nil, &Failure{Status: http.StatusBadRequest, ErrorType: "requires_active_sso_connection", Reason: "connection_not_active",
			Detail: "The OIDC connection is not active yet: " + s.missingText(conn)}
	}
	params, err := oidc.ParseCallback(cb.Query)
	if oidc.ReasonOf(err) == oidc.ReasonAuthorizationError {
		return nil, nil, s.providerError(ctx, conn, cb, params.State, err, matched)
	}
	if err != nil {
		return nil, nil, oidcFailure(err)
	}
	// The cookie is checked first so that a callback opened in another
	// browser does not use up the pending login.
	if !hasCookie(cb.Cookies, requestCookiePrefix+params.State) {
		return nil, nil, &Failure{Status: http.StatusBadRequest, ErrorType: "oidc_csrf_cookie_missing", Reason: "missing_request_cookie",
			Detail: s.missingCookieDetail("the OIDC callback", false)}
	}
	req, err := s.Store.ConsumeSSORequest(ctx, conn.ProjectID, params.State, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, oidcFailure(&oidc.Error{Reason: oidc.ReasonStateMismatch, Detail: "The state does not match a pending login (unknown, expired or already used)."})
	}
	if err != nil {
		return nil, nil, internalFailure("the login request could not be loaded", err)
	}
	if !s.sentBy(ctx, s.Store, conn, req) {
		return nil, nil, oidcFailure(&oidc.Error{Reason: oidc.ReasonStateMismatch, Detail: "The state belongs to a login of another connection."})
	}
	*matched = req
	run, err := s.SSO.OIDCRuntime(conn)
	if err != nil {
		return nil, nil, internalFailure("the connection's client secret could not be loaded", err)
	}
	// RFC 9207: an iss parameter in the callback must name this provider,
	// which defeats mix-up attacks between providers.
	if err := params.CheckIssuer(run.Config); err != nil {
		return nil, nil, oidcFailure(err)
	}
	plain, err := s.Sealer.Open(req.Secrets, requestAAD(req.ID))
	if err != nil {
		return nil, nil, internalFailure("the login request's secrets could not be opened", err)
	}
	var sec requestSecrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, nil, internalFailure("the login request's secrets are corrupt", err)
	}
	run.Config.ClockSkew = s.ClockSkew
	hc := s.HTTPClient
	tokens, err := oidc.Exchange(outbound.WithPurpose(ctx, outbound.PurposeOIDCToken), hc, run.Config, params.Code, sec.Verifier)
	if err != nil {
		return nil, withOutbound(nil, err), oidcFailure(err)
	}
	tok, err := oidc.VerifyIDToken(outbound.WithPurpose(ctx, outbound.PurposeOIDCJWKS), hc, s.Keys, run.Config, tokens.IDToken, sec.Nonce, s.Now())
	if err != nil {
		return nil, withOutbound(nil, err), oidcFailure(err)
	}
	facts := &oidcFacts{Issuer: cleanText(tok.Issuer), Subject: cleanText(tok.Subject), Audience: tok.Audience}
	claims := tok.Claims
	if run.Config.UserinfoURL != "" {
		info, err := oidc.UserInfo(outbound.WithPurpose(ctx, outbound.PurposeOIDCUserinfo), hc, run.Config, tokens.AccessToken)
		if err != nil {
			return nil, withOutbound(facts, err), oidcFailure(err)
		}
		if err := oidc.CheckUserInfoSubject(tok.Subject, info); err != nil {
			return nil, facts, oidcFailure(err)
		}
		merged := make(map[string]any, len(claims)+len(info))
		for k, v := range claims {
			merged[k] = v
		}
		for k, v := range info {
			merged[k] = v
		}
		claims = merged
	}
	facts.Claims = safeClaims(cleanClaims(claims))
	id, ferr := mapOIDCIdentity(run.ConnectionID, run.AttributeMapping, tok.Subject, claims)
	if ferr != nil {
		return nil, facts, ferr
	}
	if req.SetupLinkID != "" {
		return &CallbackResult{tested: id}, facts, nil // a test login: no token, member or session
	}
	res, link, ferr := s.issueToken(ctx, s.Store, conn, req, id)
	facts.IdentityLink = link
	return res, facts, ferr
}

// providerError reports an error the provider sent instead of a code. Its
// error and error_description are text anyone can put in a link to Seam's
// callback, so they are shown (and stored in the diagnostics) only when the
// callback answers a pending login of this connection that this browser
// started; that login is used up. Otherwise the page says only what Seam
// verified.
func (s *Service) providerError(ctx context.Context, conn *store.Connection, cb OIDCCallback, state string, err error, matched **store.SSORequest) *Failure {
	if state != "" && hasCookie(cb.Cookies, requestCookiePrefix+state) {
		req, cerr := s.Store.ConsumeSSORequest(ctx, conn.ProjectID, state, s.Now())
		if cerr == nil && s.sentBy(ctx, s.Store, conn, req) {
			*matched = req
			return oidcFailure(err)
		}
	}
	return &Failure{Status: http.StatusBadRequest, ErrorType: oidc.ReasonAuthorizationError.ErrorType(), Reason: string(oidc.ReasonAuthorizationError),
		Detail: "The identity provider answered with an error for a login this browser did not start, or that has expired or was already finished. Start the login again from the application."}
}

// mapOIDCIdentity reads email and name from the claims, through the
// connection's attribute_mapping when it names a claim.
func mapOIDCIdentity(connID string, mapping map[string]string, subject string, claims map[string]any) (*identity, *Failure) {
	claim := func(key, def string) string {
		name := mapping[key]
		if name == "" {
			name = def
		}
		if v, ok := claims[name].(string); ok {
			return strings.TrimSpace(v)
		}
		return ""
	}
	if f := refuseUnstorableKeys(mapping, subject, claims); f != nil {
		return nil, f
	}
	claims = cleanClaims(claims)
	id := &identity{Kind: "oidc", VerifiedBy: connID, Subject: subject, Attributes: map[string][]string{}}
	id.Email = strings.ToLower(claim("email", "email"))
	if id.Email == "" || !strings.Contains(id.Email, "@") || len(id.Email) > 320 {
		return nil, &Failure{Status: http.StatusBadRequest, ErrorType: "oidc_missing_email", Reason: "missing_email_attribute",
			Detail: "The ID token and userinfo have no usable email claim."}
	}
	id.EmailTrust = emailTrust(mapping, claims)
	id.Name = claim("full_name", "name")
	if id.Name == "" {
		id.Name = strings.TrimSpace(claim("first_name", "given_name") + " " + claim("last_name", "family_name"))
	}
	for k, v := range claims {
		if sv, ok := v.(string); ok && len(sv) <= 1024 {
			id.Attributes[k] = []string{sv}
		}
	}
	return id, nil
}

// emailTrust reads what the provider said about the address in the email
// claim: email_verified (a boolean, or the string forms some providers
// send), else Microsoft Entra ID's xms_edov ("email domain owner
// verified"), else nothing. A value that is neither true nor "true" counts
// as unverified: an unreadable statement is not a yes. email_verified
// speaks only of the email claim, so an email read from another claim
// through attribute_mapping is unstated.
func emailTrust(mapping map[string]string, claims map[string]any) linking.EmailTrust {
	if name := mapping["email"]; name != "" && name != "email" {
		return linking.EmailUnstated
	}
	for _, c := range []string{"email_verified", "xms_edov"} {
		v, ok := claims[c]
		if !ok {
			continue
		}
		if b, isBool := v.(bool); (isBool && b) || (!isBool && fmt.Sprint(v) == "true") {
			return linking.EmailVerified
		}
		return linking.EmailUnverified
	}
	return linking.EmailUnstated
}

// safeClaims keeps up to 64 short string and boolean claims for
// diagnostics; tokens never appear among them (the ID token's claims are
// identity facts).
func safeClaims(c map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		if len(out) == 64 || len(k) > 128 {
			break
		}
		switch x := v.(type) {
		case string:
			if len(x) <= 256 {
				out[k] = x
			}
		case bool:
			out[k] = x
		}
	}
	return out
}
