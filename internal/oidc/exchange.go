package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Tokens is a successful token endpoint response (OIDC Core §3.1.3.3).
// Its String, GoString and LogValue methods redact every token.
type Tokens struct {
	AccessToken  string
	TokenType    string
	IDToken      string // raw JWS; verify with VerifyIDToken before use
	RefreshToken string
	// ExpiresIn is the access token lifetime; zero when the provider did not
	// say.
	ExpiresIn time.Duration
	Scope     string
}

func (t Tokens) String() string {
	return "oidc.Tokens{token_type=" + sanitize(t.TokenType, 32) + " expires_in=" + t.ExpiresIn.String() + " tokens=<redacted>}"
}

func (t Tokens) GoString() string { return t.String() }

func (t Tokens) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token_type", sanitize(t.TokenType, 32)),
		slog.Duration("expires_in", t.ExpiresIn),
		slog.Bool("has_id_token", t.IDToken != ""),
		slog.Bool("has_refresh_token", t.RefreshToken != ""),
	)
}

// tokenResponse is the wire shape; expires_in is kept raw because some
// providers send it as a string.
type tokenResponse struct {
	AccessToken  string          `json:"access_token"`
	TokenType    string          `json:"token_type"`
	IDToken      string          `json:"id_token"`
	RefreshToken string          `json:"refresh_token"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
	Scope        string          `json:"scope"`
}

type oauthErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Exchange redeems an authorization code at cfg.TokenURL (RFC 6749 §4.1.3,
// RFC 7636 §4.5), authenticating with client_secret_basic unless
// cfg.TokenAuthMethod is client_secret_post. The response must contain an
// access token and an ID token; the ID token is returned unverified.
func Exchange(ctx context.Context, hc *http.Client, cfg Config, code, codeVerifier string) (*Tokens, error) {
	if _, err := checkEndpointURL("token_url", cfg.TokenURL); err != nil {
		return nil, err
	}
	if _, err := checkEndpointURL("redirect_url", cfg.RedirectURL); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, newErr(ReasonConfigInvalid, "client_id and client_secret must be set")
	}
	if code == "" || len(code) > maxCodeLength {
		return nil, newErr(ReasonInvalidArgument, "the authorization code is empty or too long")
	}
	if !validVerifier(codeVerifier) {
		return nil, newErr(ReasonInvalidArgument, "the PKCE code verifier is not 43-128 unreserved characters")
	}

	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("redirect_uri", cfg.RedirectURL)
	form.Set("code_verifier", codeVerifier)
	basic := cfg.tokenAuthMethod() == AuthMethodClientSecretBasic
	if !basic {
		form.Set("client_id", cfg.ClientID)
		form.Set("client_secret", cfg.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, wrapErr(ReasonConfigInvalid, "cannot build the token request", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	}

	resp, err := doNoRedirect(hc, req)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, tooLargeError(ReasonTokenExchangeFailed, "the token response is too large", req, resp, err)
	case err != nil:
		// The cause may be a *url.Error naming the token URL; it never
		// contains the request body, so no secret or code leaks.
		return nil, fetchError(ReasonTokenExchangeFailed, "the token endpoint", req, err)
	case resp.status != http.StatusOK:
		return nil, tokenError(cfg, req, resp, code, codeVerifier)
	}
	return parseTokenResponse(resp.body)
}

// tokenError turns a non-200 token response into a typed error, keeping the
// OAuth error code and a scrubbed description. Without an OAuth error in the
// body it is an outbound http_status failure.
func tokenError(cfg Config, req *http.Request, resp *response, code, verifier string) error {
	e := statusError(ReasonTokenExchangeFailed, "the token endpoint", req, resp)
	if resp.status >= 300 && resp.status < 400 {
		e.Detail += " (a redirect, which is not followed for the token request)"
	}
	var oe oauthErrorResponse
	if json.Unmarshal(resp.body, &oe) != nil || oe.Error == "" {
		return e
	}
	// The provider answered in the protocol: not an outbound failure.
	e.Outbound, e.Host, e.RedirectHost = "", "", ""
	e.OAuthError = oauthErrorCode(oe.Error)
	switch e.OAuthError {
	case "invalid_grant":
		e.Reason = ReasonInvalidGrant
	case "invalid_client", "unauthorized_client":
		e.Reason = ReasonInvalidClient
	}
	if oe.ErrorDescription != "" {
		// A careless provider might echo what we sent; never let the
		// secret, code or verifier through.
		d := oe.ErrorDescription
		for _, s := range []string{cfg.ClientSecret, url.QueryEscape(cfg.ClientSecret), code, verifier} {
			if s != "" {
				d = strings.ReplaceAll(d, s, "<redacted>")
			}
		}
		e.Detail += ": " + sanitize(d, 200)
	}
	return e
}

// parseTokenResponse validates a 200 token response body.
func parseTokenResponse(body []byte) (*Tokens, error) {
	var tr tokenResponse
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&tr); err != nil {
		return nil, wrapErr(ReasonTokenExchangeFailed, "the token response is not a JSON object of the expected shape", err)
	}
	if dec.More() {
		return nil, newErr(ReasonTokenExchangeFailed, "trailing data after the token response")
	}
	if tr.AccessToken == "" {
		return nil, newErr(ReasonTokenExchangeFailed, "the token response has no access_token")
	}
	// OIDC Core §3.1.3.3: token_type must be Bearer (case-insensitive,
	// RFC 6749 §5.1); it is the only type UserInfo knows how to present.
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, newErr(ReasonTokenExchangeFailed, "unsupported token_type "+quote(sanitize(tr.TokenType, 32)))
	}
	if tr.IDToken == "" {
		return nil, newErr(ReasonIDTokenMissing, "")
	}
	exp, err := parseExpiresIn(tr.ExpiresIn)
	if err != nil {
		return nil, err
	}
	return &Tokens{
		AccessToken:  tr.AccessToken,
		TokenType:    tr.TokenType,
		IDToken:      tr.IDToken,
		RefreshToken: tr.RefreshToken,
		ExpiresIn:    exp,
		Scope:        tr.Scope,
	}, nil
}

// maxExpiresIn caps expires_in so the Duration cannot overflow.
const maxExpiresIn = 10 * 365 * 24 * 3600

// parseExpiresIn accepts a JSON number or a numeric string.
func parseExpiresIn(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := string(raw)
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, newErr(ReasonTokenExchangeFailed, "invalid expires_in")
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, newErr(ReasonTokenExchangeFailed, "invalid expires_in")
	}
	if f > maxExpiresIn {
		f = maxExpiresIn
	}
	return time.Duration(f) * time.Second, nil
}
