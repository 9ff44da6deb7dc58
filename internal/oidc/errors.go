package oidc

import (
	"errors"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// Reason is the machine-readable cause of an OIDC failure. It is stable, safe
// to store with a login attempt, and maps to a Stytch error_type through
// ErrorType. A Reason is itself an error so callers can write
// errors.Is(err, oidc.ReasonIDTokenExpired).
type Reason string

// The reasons this package produces, plus the few (unsolicited, request
// expired) that only the caller can detect but that belong to the same
// vocabulary. doc.go lists the error_type each one maps to.
const (
	ReasonDiscoveryFailed          Reason = "discovery_failed"
	ReasonDiscoveryInvalidDocument Reason = "discovery_invalid_document"
	ReasonDiscoveryIssuerMismatch  Reason = "discovery_issuer_mismatch"

	ReasonConfigInvalid   Reason = "config_invalid"
	ReasonInvalidArgument Reason = "invalid_argument"
	ReasonInvalidScope    Reason = "invalid_scope"

	ReasonAuthorizationError Reason = "authorization_error"
	ReasonCallbackInvalid    Reason = "callback_invalid"
	ReasonStateMissing       Reason = "state_missing"
	ReasonStateMismatch      Reason = "state_mismatch"
	ReasonUnsolicited        Reason = "unsolicited_response"
	ReasonRequestExpired     Reason = "request_expired"

	ReasonTokenExchangeFailed Reason = "token_exchange_failed"
	ReasonInvalidClient       Reason = "token_exchange_invalid_client"
	ReasonInvalidGrant        Reason = "invalid_grant"

	ReasonIDTokenMissing          Reason = "id_token_missing"
	ReasonIDTokenMalformed        Reason = "id_token_malformed"
	ReasonIDTokenAlgNotAllowed    Reason = "id_token_alg_not_allowed"
	ReasonIDTokenUnknownKey       Reason = "id_token_unknown_key"
	ReasonIDTokenInvalidSignature Reason = "id_token_invalid_signature"
	ReasonJWKSFetchFailed         Reason = "jwks_fetch_failed"
	ReasonIDTokenWrongIssuer      Reason = "id_token_wrong_issuer"
	ReasonIDTokenWrongAudience    Reason = "id_token_wrong_audience"
	ReasonIDTokenExpired          Reason = "id_token_expired"
	ReasonIDTokenNotYetValid      Reason = "id_token_not_yet_valid"
	ReasonIDTokenNonceMismatch    Reason = "id_token_nonce_mismatch"
	ReasonIDTokenSubjectMissing   Reason = "id_token_subject_missing"

	ReasonUserInfoFailed          Reason = "userinfo_failed"
	ReasonUserInfoSubjectMismatch Reason = "userinfo_subject_mismatch"
)

// reasonInfo is the error_type and a client-safe sentence for each reason.
type reasonInfo struct {
	errorType string
	message   string
}

// reasonTable is read-only after compilation; it is a function so that no
// package-level mutable map exists.
func reasonTable(r Reason) (reasonInfo, bool) {
	switch r {
	case ReasonDiscoveryFailed:
		return reasonInfo{"oidc_discovery_failed", "The OpenID Provider's discovery document could not be retrieved."}, true
	case ReasonDiscoveryInvalidDocument:
		return reasonInfo{"oidc_discovery_invalid_document", "The OpenID Provider's discovery document is invalid."}, true
	case ReasonDiscoveryIssuerMismatch:
		return reasonInfo{"oidc_discovery_issuer_mismatch", "The discovery document's issuer does not match the configured issuer."}, true
	case ReasonConfigInvalid:
		return reasonInfo{"oidc_invalid_configuration", "The OIDC connection is not fully or validly configured."}, true
	case ReasonInvalidArgument:
		return reasonInfo{"invalid_argument", "An OIDC request parameter is invalid."}, true
	case ReasonInvalidScope:
		return reasonInfo{"oidc_invalid_scope", "The requested OIDC scopes are invalid."}, true
	case ReasonAuthorizationError:
		return reasonInfo{"oidc_auth_code_error", "The OpenID Provider returned an error instead of an authorization code."}, true
	case ReasonCallbackInvalid:
		return reasonInfo{"oidc_invalid_callback_request", "The OIDC callback request is invalid."}, true
	case ReasonStateMissing:
		return reasonInfo{"missing_oidc_state_param", "The OIDC callback has no state parameter."}, true
	case ReasonStateMismatch:
		return reasonInfo{"oidc_state_mismatch", "The OIDC callback state does not match the login request."}, true
	case ReasonUnsolicited:
		return reasonInfo{"unsolicited_oidc_response", "The OIDC response does not belong to a login request started here."}, true
	case ReasonRequestExpired:
		return reasonInfo{"expired_oidc_response", "The OIDC login request has expired."}, true
	case ReasonTokenExchangeFailed:
		return reasonInfo{"oidc_token_exchange_failed", "The authorization code could not be exchanged at the token endpoint."}, true
	case ReasonInvalidClient:
		return reasonInfo{"oidc_token_exchange_invalid_client", "The OpenID Provider rejected the client credentials."}, true
	case ReasonInvalidGrant:
		return reasonInfo{"oidc_invalid_grant", "The authorization code is invalid, expired, or was already used."}, true
	case ReasonIDTokenMissing:
		return reasonInfo{"id_token_invalid", "The token response contains no ID token."}, true
	case ReasonIDTokenMalformed:
		return reasonInfo{"id_token_invalid", "The ID token is malformed."}, true
	case ReasonIDTokenAlgNotAllowed:
		return reasonInfo{"oidc_id_token_alg_not_allowed", "The ID token is signed with an algorithm that is not allowed."}, true
	case ReasonIDTokenUnknownKey:
		return reasonInfo{"oidc_id_token_unknown_key", "The ID token is signed with a key that the OpenID Provider does not publish."}, true
	case ReasonIDTokenInvalidSignature:
		return reasonInfo{"oidc_id_token_invalid_signature", "The ID token signature is invalid."}, true
	case ReasonJWKSFetchFailed:
		return reasonInfo{"oidc_jwks_fetch_failed", "The OpenID Provider's signing keys could not be retrieved."}, true
	case ReasonIDTokenWrongIssuer:
		return reasonInfo{"oidc_id_token_invalid_issuer", "The ID token was issued by a different issuer."}, true
	case ReasonIDTokenWrongAudience:
		return reasonInfo{"id_token_incorrect_audience", "The ID token was issued for a different client."}, true
	case ReasonIDTokenExpired:
		return reasonInfo{"id_token_expired", "The ID token has expired."}, true
	case ReasonIDTokenNotYetValid:
		return reasonInfo{"oidc_id_token_not_yet_valid", "The ID token is not valid yet."}, true
	case ReasonIDTokenNonceMismatch:
		return reasonInfo{"id_token_nonce_invalid", "The ID token nonce does not match the login request."}, true
	case ReasonIDTokenSubjectMissing:
		return reasonInfo{"oidc_response_subject_missing", "The ID token has no subject."}, true
	case ReasonUserInfoFailed:
		return reasonInfo{"oidc_invalid_userinfo", "The OpenID Provider's userinfo response could not be used."}, true
	case ReasonUserInfoSubjectMismatch:
		return reasonInfo{"oidc_response_subject_mismatch", "The userinfo subject does not match the ID token subject."}, true
	}
	return reasonInfo{}, false
}

// Reasons lists every Reason this package defines, in documentation order.
func Reasons() []Reason {
	return []Reason{
		ReasonDiscoveryFailed, ReasonDiscoveryInvalidDocument, ReasonDiscoveryIssuerMismatch,
		ReasonConfigInvalid, ReasonInvalidArgument, ReasonInvalidScope,
		ReasonAuthorizationError, ReasonCallbackInvalid, ReasonStateMissing, ReasonStateMismatch,
		ReasonUnsolicited, ReasonRequestExpired,
		ReasonTokenExchangeFailed, ReasonInvalidClient, ReasonInvalidGrant,
		ReasonIDTokenMissing, ReasonIDTokenMalformed, ReasonIDTokenAlgNotAllowed, ReasonIDTokenUnknownKey,
		ReasonIDTokenInvalidSignature, ReasonJWKSFetchFailed, ReasonIDTokenWrongIssuer,
		ReasonIDTokenWrongAudience, ReasonIDTokenExpired, ReasonIDTokenNotYetValid,
		ReasonIDTokenNonceMismatch, ReasonIDTokenSubjectMissing,
		ReasonUserInfoFailed, ReasonUserInfoSubjectMismatch,
	}
}

// ErrorType is the Stytch error_type for r. Unknown reasons map to
// "oidc_unknown_error" rather than an empty string.
func (r Reason) ErrorType() string {
	if info, ok := reasonTable(r); ok {
		return info.errorType
	}
	return "oidc_unknown_error"
}

// Message is a client-safe sentence describing r.
func (r Reason) Message() string {
	if info, ok := reasonTable(r); ok {
		return info.message
	}
	return "The OIDC login failed."
}

// Error makes a Reason usable as an errors.Is target.
func (r Reason) Error() string { return "oidc: " + string(r) }

// Error is every failure returned by this package. Its fields never contain
// tokens, authorization codes, client secrets or PKCE verifiers.
type Error struct {
	Reason Reason
	// Detail is a short, sanitised explanation (e.g. the unexpected issuer).
	Detail string
	// OAuthError is the provider's OAuth `error` code (token endpoint or
	// authorization callback), sanitised; empty when there was none.
	OAuthError string
	// HTTPStatus is the status code the remote endpoint answered with, 0 when
	// no response was received.
	HTTPStatus int
	// Outbound is set when a provider URL (discovery, token, JWKS, userinfo)
	// gave no usable answer: the outbound failure kind, as named by
	// outbound.Kind ("timeout", "dns", "connect", "tls_handshake",
	// "tls_certificate", "refused_address", "refused_redirect",
	// "http_status", "too_large", ...). It is empty for protocol-level
	// answers such as an OAuth error response. Host is that URL's host and
	// RedirectHost the redirect target where the failure happened, if any.
	Outbound     string
	Host         string
	RedirectHost string
	// Err is the underlying cause for server-side logs.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oidc: ")
	b.WriteString(string(e.Reason))
	if e.OAuthError != "" {
		b.WriteString(" (error=")
		b.WriteString(e.OAuthError)
		b.WriteString(")")
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches a Reason target or another *Error with the same Reason.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Reason:
		return t == e.Reason
	case *Error:
		return t.Reason == e.Reason
	}
	return false
}

// ErrorType is the Stytch error_type of the failure.
func (e *Error) ErrorType() string { return e.Reason.ErrorType() }

// APIError converts e into the client-facing error. Every OIDC login failure
// is a 400: the request cannot succeed as made, whether the fault lies with
// the browser, the connection's configuration or the OpenID Provider.
func (e *Error) APIError() *apierr.Error {
	msg := e.Reason.Message()
	if e.OAuthError != "" {
		msg += " Provider error: " + e.OAuthError + "."
	}
	if e.Detail != "" {
		msg += " " + e.Detail
	}
	return apierr.Wrap(e, http.StatusBadRequest, e.Reason.ErrorType(), msg)
}

// ReasonOf returns the Reason carried by err, or "" when err did not come
// from this package.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	var r Reason
	if errors.As(err, &r) {
		return r
	}
	return ""
}

func newErr(r Reason, detail string) *Error { return &Error{Reason: r, Detail: detail} }

func wrapErr(r Reason, detail string, cause error) *Error {
	return &Error{Reason: r, Detail: detail, Err: cause}
}

// sanitize makes remote- or attacker-supplied text safe to put into an error
// message or log line: printable ASCII only, bounded length.
func sanitize(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if b.Len() >= max {
			b.WriteString("...")
			break
		}
		c := s[i]
		if c < 0x20 || c > 0x7e {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
