package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/url"
	"strings"
)

// randomBytes is the entropy in every state, nonce and PKCE verifier:
// 256 bits, 43 base64url characters.
const randomBytes = 32

// maxTokenParam bounds state, nonce and PKCE values we accept from callers.
const maxTokenParam = 512

// RandomToken returns 32 bytes from random, base64url-encoded without
// padding, for use as state or nonce. It returns "" if random fails; every
// function in this package that consumes such a value rejects "".
func RandomToken(random io.Reader) string {
	if random == nil {
		return ""
	}
	b := make([]byte, randomBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// PKCE returns an RFC 7636 code verifier (43 characters) and its S256
// challenge. Both are "" if random fails.
func PKCE(random io.Reader) (verifier, challenge string) {
	verifier = RandomToken(random)
	if verifier == "" {
		return "", ""
	}
	return verifier, S256Challenge(verifier)
}

// S256Challenge is BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier checks RFC 7636 §4.1: 43 to 128 unreserved characters.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// AuthCodeURL builds the authorization request (OIDC Core §3.1.2.1) for the
// code flow with PKCE S256. Query parameters already present in
// cfg.AuthorizationURL are kept (some providers put a policy or tenant
// there); the protocol parameters set here replace any of the same name.
func AuthCodeURL(cfg Config, state, nonce, codeChallenge string, extraScopes []string) (string, error) {
	u, err := checkEndpointURL("authorization_url", cfg.AuthorizationURL)
	if err != nil {
		return "", err
	}
	if cfg.ClientID == "" {
		return "", newErr(ReasonConfigInvalid, "client_id is not set")
	}
	if _, err := checkEndpointURL("redirect_url", cfg.RedirectURL); err != nil {
		return "", err
	}
	for _, p := range []struct{ name, value string }{{"state", state}, {"nonce", nonce}, {"code_challenge", codeChallenge}} {
		if p.value == "" || len(p.value) > maxTokenParam {
			return "", newErr(ReasonInvalidArgument, p.name+" must be 1 to 512 characters")
		}
	}
	// An S256 challenge is always 43 base64url characters.
	if len(codeChallenge) != 43 || !validVerifier(codeChallenge) {
		return "", newErr(ReasonInvalidArgument, "code_challenge is not an S256 challenge")
	}
	scopes, err := requestScopes(cfg, extraScopes)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", cfg.ClientID)
	q.Set("redirect_uri", cfg.RedirectURL)
	q.Set("scope", strings.Join(scopes, " "))
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", codeChallenge)
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Callback is what the provider sent to the redirect URL.
type Callback struct {
	Code  string
	State string
	// Issuer is the RFC 9207 "iss" parameter, when the provider sends one;
	// see CheckIssuer.
	Issuer string
}

// CheckIssuer implements RFC 9207 §2.4: when the provider identified itself
// in the callback, it must be the connection's issuer (a mix-up defence).
func (cb *Callback) CheckIssuer(cfg Config) error {
	if cb.Issuer != "" && cb.Issuer != cfg.Issuer {
		return newErr(ReasonCallbackInvalid, "the callback's iss is not the connection's issuer")
	}
	return nil
}

// maxCodeLength bounds an authorization code; real codes are far shorter.
const maxCodeLength = 4096

// ParseCallback reads the provider's redirect (OIDC Core §3.1.2.5/§3.1.2.6).
// An `error` parameter becomes ReasonAuthorizationError carrying the
// provider's error code; a missing state or code is rejected. The state
// still has to be matched against the stored request by the caller.
func ParseCallback(q url.Values) (*Callback, error) {
	state := q.Get("state")
	if e := q.Get("error"); e != "" {
		err := &Error{Reason: ReasonAuthorizationError, OAuthError: oauthErrorCode(e)}
		if d := q.Get("error_description"); d != "" {
			err.Detail = sanitize(d, 200)
		}
		return &Callback{State: boundParam(state)}, err
	}
	if state == "" {
		return nil, newErr(ReasonStateMissing, "")
	}
	if len(state) > maxTokenParam {
		return nil, newErr(ReasonCallbackInvalid, "state is too long")
	}
	if len(q["state"]) > 1 || len(q["code"]) > 1 {
		return nil, newErr(ReasonCallbackInvalid, "repeated state or code parameter")
	}
	code := q.Get("code")
	if code == "" {
		return nil, newErr(ReasonCallbackInvalid, "the callback has no code")
	}
	if len(code) > maxCodeLength {
		return nil, newErr(ReasonCallbackInvalid, "the code is too long")
	}
	iss := q.Get("iss")
	if len(q["iss"]) > 1 || len(iss) > maxURLLength {
		return nil, newErr(ReasonCallbackInvalid, "invalid iss parameter")
	}
	return &Callback{Code: code, State: state, Issuer: iss}, nil
}

func boundParam(s string) string {
	if len(s) > maxTokenParam {
		return ""
	}
	return s
}

// CheckState compares the state stored with the login request against the
// one in the callback, in constant time.
func CheckState(expected, got string) error {
	if got == "" {
		return newErr(ReasonStateMissing, "")
	}
	if expected == "" || subtle.ConstantTimeCompare([]byte(expected), []byte(got)) != 1 {
		return newErr(ReasonStateMismatch, "")
	}
	return nil
}

// oauthErrorCode keeps a provider-supplied OAuth error code only if it uses
// the RFC 6749 §5.2 character set, so it is safe to echo.
func oauthErrorCode(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 64 {
		return "invalid_error_code"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "invalid_error_code"
		}
	}
	return s
}
