// Package apierr defines the typed API error that every layer of Seam returns.
//
// An *Error carries the Stytch error_type and HTTP status from the place where
// the problem is detected, so the HTTP layer never has to infer them from
// message strings.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Error is a client-visible failure with a Stytch error_type.
type Error struct {
	Status  int    // HTTP status code, 4xx or 5xx
	Type    string // Stytch error_type, e.g. "organization_not_found"
	Message string // human-readable, never contains secrets
	// Details is optional structured context returned as error_details.
	Details map[string]any
	// Cause is an internal error kept for logs; it is never sent to clients.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Type, e.Message, e.Cause)
	}
	return e.Type + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Is reports equality by error_type so callers can write
// errors.Is(err, apierr.New(404, "organization_not_found", "")).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type
}

// New returns an error with the given status, type and message.
func New(status int, typ, msg string) *Error {
	return &Error{Status: status, Type: typ, Message: msg}
}

// Wrap returns an error with the given status, type and message that keeps
// cause for server-side logging.
func Wrap(cause error, status int, typ, msg string) *Error {
	return &Error{Status: status, Type: typ, Message: msg, Cause: cause}
}

// BadRequest is a 400 with the given type.
func BadRequest(typ, msg string) *Error { return New(http.StatusBadRequest, typ, msg) }

// NotFound is a 404 with the given type.
func NotFound(typ, msg string) *Error { return New(http.StatusNotFound, typ, msg) }

// Forbidden is a 403 with the given type.
func Forbidden(typ, msg string) *Error { return New(http.StatusForbidden, typ, msg) }

// Unauthorized is a 401 with the given type.
func Unauthorized(typ, msg string) *Error { return New(http.StatusUnauthorized, typ, msg) }

// Internal wraps an unexpected failure; its cause is logged, not returned.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Type: "internal_server_error",
		Message: "An internal error occurred; see the server log for the request ID.", Cause: cause}
}

// As extracts an *Error from err, converting anything else into an internal error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// TypeOf returns the error_type of err, or "" when err is not an *Error.
func TypeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}

// Quote renders client input inside an error message: at most 80 bytes
// (cut on a rune boundary), quoted and escaped so that control characters,
// quotes and invalid UTF-8 cannot shape the message.
func Quote(s string) string {
	if len(s) > 80 {
		cut := 80
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.QuoteToASCII(s)
}

// CheckBodyID is the rule for an ID that a request names both in its path
// and in its body (Stytch's Go SDK repeats path parameters in the body): an
// absent body value, or one equal to the path's (or to one of also, other
// spellings of the same object such as the organization's ID for a slug in
// the path), is fine; anything else is invalid_request_value.
func CheckBodyID(field, inPath, inBody string, also ...string) error {
	if inBody == "" || inBody == inPath {
		return nil
	}
	for _, a := range also {
		if inBody == a {
			return nil
		}
	}
	return BadRequest("invalid_request_value", field+" in the request body does not match the URL path.")
}
