package testidp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/seamsso/seam/internal/apierr"
)

// Authorization codes and access tokens are sealed, not stored: the IdP
// needs no table for them and every replica can read them. A sealed code can
// be redeemed more than once within its minute; Seam's own callback state is
// single-use, which is what the login's security rests on. This is a test IdP.
const (
	codeLifetime  = time.Minute
	tokenLifetime = 10 * time.Minute
)

func codeAAD(projectID string) []byte   { return []byte("seam/test-idp/code/" + projectID) }
func accessAAD(projectID string) []byte { return []byte("seam/test-idp/access-token/" + projectID) }

// AuthorizeRequest is a validated OIDC authorization request.
type AuthorizeRequest struct {
	ClientID, RedirectURI, State, Nonce, CodeChallenge string
}

// ParseAuthorize validates an authorization request's parameters.
func (s *Service) ParseAuthorize(q url.Values) (*AuthorizeRequest, error) {
	r := &AuthorizeRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), CodeChallenge: q.Get("code_challenge"),
	}
	if r.ClientID != ClientID {
		return nil, badRequest("client_id must be " + ClientID + ".")
	}
	if err := s.checkReturnURL("redirect_uri", r.RedirectURI); err != nil {
		return nil, err
	}
	if q.Get("response_type") != "code" {
		return nil, badRequest("response_type must be code.")
	}
	if !containsWord(q.Get("scope"), "openid") {
		return nil, badRequest("scope must include openid.")
	}
	if m := q.Get("code_challenge_method"); r.CodeChallenge != "" && m != "S256" {
		return nil, badRequest("code_challenge_method must be S256.")
	}
	for _, v := range []string{r.State, r.Nonce, r.CodeChallenge} {
		if len(v) > 512 {
			return nil, badRequest("state, nonce and code_challenge are limited to 512 characters.")
		}
	}
	return r, nil
}

func containsWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

type grant struct {
	User        string `json:"u"`
	Mode        Mode   `json:"m"`
	RedirectURI string `json:"r,omitempty"`
	Nonce       string `json:"n,omitempty"`
	Challenge   string `json:"c,omitempty"`
	Expires     int64  `json:"e"`
}

// Authorize approves req as user and returns the URL to send the browser to
// (the redirect URI with code, state and iss).
func (s *Service) Authorize(idp *IdP, req *AuthorizeRequest, user User, mode Mode) (string, error) {
	if !validMode(mode, OIDCModes()) {
		return "", badRequest("Unknown response mode.")
	}
	g := grant{User: user.ID, Mode: mode, RedirectURI: req.RedirectURI, Nonce: req.Nonce, Challenge: req.CodeChallenge,
		Expires: s.Now().Add(codeLifetime).Unix()}
	code, err := s.seal(g, codeAAD(idp.Project.ID))
	if err != nil {
		return "", err
	}
	u, err := url.Parse(req.RedirectURI)
	if err != nil {
		return "", badRequest("redirect_uri is not a URL.")
	}
	q := u.Query()
	q.Set("code", code)
	q.Set("state", req.State)
	q.Set("iss", idp.Issuer())
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (s *Service) seal(v any, aad []byte) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", apierr.Internal(err)
	}
	out, err := s.Sealer.Seal(b, aad)
	if err != nil {
		return "", apierr.Internal(err)
	}
	return out, nil
}

func (s *Service) open(sealed string, aad []byte) (*grant, bool) {
	if len(sealed) > 4096 {
		return nil, false
	}
	b, err := s.Sealer.Open(sealed, aad)
	if err != nil {
		return nil, false
	}
	var g grant
	if json.Unmarshal(b, &g) != nil || s.Now().Unix() >= g.Expires {
		return nil, false
	}
	return &g, true
}

// TokenError is an OAuth error answer of the token or userinfo endpoint.
type TokenError struct {
	Status int
	Code   string // "invalid_grant", "invalid_client", ...
	Desc   string
}

func (e *TokenError) Error() string { return e.Code + ": " + e.Desc }

// TokenRequest is a token endpoint call: the form and the client
// credentials from Basic auth or the form.
type TokenRequest struct {
	Form                 url.Values
	BasicID, BasicSecret string
	HasBasic             bool
}

// TokenResponse is the token endpoint's JSON answer.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope"`
}

// Token redeems an authorization code.
func (s *Service) Token(idp *IdP, tr TokenRequest) (*TokenResponse, error) {
	id, secret := tr.Form.Get("client_id"), tr.Form.Get("client_secret")
	if tr.HasBasic {
		id, secret = tr.BasicID, tr.BasicSecret
	}
	if id != ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(idp.ClientSecret)) != 1 {
		return nil, &TokenError{401, "invalid_client", "Unknown client or wrong client secret."}
	}
	if tr.Form.Get("grant_type") != "authorization_code" {
		return nil, &TokenError{400, "unsupported_grant_type", "Only authorization_code is supported."}
	}
	g, ok := s.open(tr.Form.Get("code"), codeAAD(idp.Project.ID))
	if !ok {
		return nil, &TokenError{400, "invalid_grant", "The code is unknown or expired."}
	}
	if tr.Form.Get("redirect_uri") != g.RedirectURI {
		return nil, &TokenError{400, "invalid_grant", "redirect_uri does not match the authorization request."}
	}
	if g.Challenge != "" {
		sum := sha256.Sum256([]byte(tr.Form.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.Challenge {
			return nil, &TokenError{400, "invalid_grant", "code_verifier does not match the code_challenge."}
		}
	}
	user, ok := UserByID(g.User)
	if !ok {
		return nil, &TokenError{400, "invalid_grant", "Unknown user."}
	}
	idToken, err := s.idToken(idp, user, g)
	if err != nil {
		return nil, err
	}
	access, err := s.seal(grant{User: user.ID, Mode: Valid, Expires: s.Now().Add(tokenLifetime).Unix()}, accessAAD(idp.Project.ID))
	if err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(tokenLifetime.Seconds()),
		IDToken: idToken, Scope: "openid email profile"}, nil
}

// Claims are the user's claims for the ID token and userinfo.
func Claims(u User) map[string]any {
	c := map[string]any{
		"sub": u.Subject(), "email": u.Email, "email_verified": true, "name": u.Name(),
		"given_name": u.GivenName, "family_name": u.FamilyName,
	}
	if len(u.Groups) > 0 {
		c["groups"] = u.Groups
	}
	return c
}

func (s *Service) idToken(idp *IdP, user User, g *grant) (string, error) {
	now := s.Now()
	claims := Claims(user)
	claims["iss"] = idp.Issuer()
	claims["aud"] = ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(tokenLifetime).Unix()
	claims["auth_time"] = now.Unix()
	if g.Nonce != "" {
		claims["nonce"] = g.Nonce
	}
	key := idp.Key
	switch g.Mode {
	case WrongAudience:
		claims["aud"] = "some-other-client"
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["auth_time"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case WrongSigningKey:
		k, _, err := s.throwawayKey()
		if err != nil {
			return "", apierr.Internal(err)
		}
		key = k
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: idp.KID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", apierr.Internal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", apierr.Internal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", apierr.Internal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return "", apierr.Internal(err)
	}
	return out, nil
}

// Userinfo answers the userinfo endpoint for a bearer access token.
func (s *Service) Userinfo(idp *IdP, bearer string) (map[string]any, error) {
	g, ok := s.open(bearer, accessAAD(idp.Project.ID))
	if !ok {
		return nil, &TokenError{401, "invalid_token", "The access token is unknown or expired."}
	}
	u, ok := UserByID(g.User)
	if !ok {
		return nil, &TokenError{401, "invalid_token", "Unknown user."}
	}
	return Claims(u), nil
}

// JWKS is the IdP's public key set.
func JWKS(idp *IdP) jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &idp.Key.PublicKey, KeyID: idp.KID, Algorithm: string(jose.RS256), Use: "sig"}}}
}

// Discovery is the OpenID provider configuration document.
func Discovery(idp *IdP) map[string]any {
	iss := idp.Issuer()
	return map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name", "given_name", "family_name", "groups"},
	}
}
