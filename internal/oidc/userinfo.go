package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
)

// maxAccessTokenBytes bounds the access token we present.
const maxAccessTokenBytes = 64 << 10

// UserInfo fetches the userinfo claims (OIDC Core §5.3) with the access
// token as a Bearer credential. Only JSON responses are accepted; signed or
// encrypted userinfo (application/jwt) is refused. The caller must then
// call CheckUserInfoSubject with the verified ID token's subject, because
// userinfo is not signed and must not be trusted for another user.
func UserInfo(ctx context.Context, hc *http.Client, cfg Config, accessToken string) (map[string]any, error) {
	if _, err := checkEndpointURL("userinfo_url", cfg.UserinfoURL); err != nil {
		return nil, err
	}
	if accessToken == "" || len(accessToken) > maxAccessTokenBytes || !validHeaderValue(accessToken) {
		return nil, newErr(ReasonInvalidArgument, "the access token is empty, too long or not header-safe")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.UserinfoURL, nil)
	if err != nil {
		return nil, wrapErr(ReasonConfigInvalid, "cannot build the userinfo request", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := do(hc, req)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, tooLargeError(ReasonUserInfoFailed, "the userinfo response is too large", req, resp, err)
	case err != nil:
		return nil, fetchError(ReasonUserInfoFailed, "the userinfo endpoint", req, err)
	case resp.status != http.StatusOK:
		return nil, statusError(ReasonUserInfoFailed, "the userinfo endpoint", req, resp)
	case resp.contentType == "application/jwt":
		return nil, newErr(ReasonUserInfoFailed, "signed or encrypted userinfo responses are not supported")
	}
	claims, err := decodeObject(resp.body)
	if err != nil {
		return nil, wrapErr(ReasonUserInfoFailed, "the userinfo response is not a JSON object", err)
	}
	return claims, nil
}

// CheckUserInfoSubject enforces OIDC Core §5.3.2: the userinfo sub must
// equal the ID token's sub, or the userinfo response must not be used.
func CheckUserInfoSubject(idTokenSubject string, userinfo map[string]any) error {
	sub, _ := userinfo["sub"].(string)
	if idTokenSubject == "" || sub == "" ||
		subtle.ConstantTimeCompare([]byte(sub), []byte(idTokenSubject)) != 1 {
		return newErr(ReasonUserInfoSubjectMismatch, "")
	}
	return nil
}

// validHeaderValue rejects bytes that would corrupt an HTTP header.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
