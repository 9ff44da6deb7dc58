package scim

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// ErrorSchema is the schema URN of a SCIM error response.
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// RFC 7644 section 3.12 scimType values Seam uses.
const (
	TypeInvalidFilter = "invalidFilter"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
	TypeMutability    = "mutability"
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidPath   = "invalidPath"
	TypeNoTarget      = "noTarget"
	TypeInvalidValue  = "invalidValue"
)

// Error is a SCIM protocol error: an HTTP status, an optional scimType and
// a detail an IdP administrator can read.
type Error struct {
	Status   int
	ScimType string
	Detail   string
	cause    error
}

func (e *Error) Error() string {
	return "scim: " + strconv.Itoa(e.Status) + " " + e.ScimType + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.cause }

// Body is the RFC 7644 error response; status is a string there.
func (e *Error) Body() ErrorBody {
	return ErrorBody{Schemas: []string{ErrorSchema}, Status: strconv.Itoa(e.Status), ScimType: e.ScimType, Detail: e.Detail}
}

// ErrorBody is the JSON form of an Error.
type ErrorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

func badRequest(scimType, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Detail: detail}
}

func notFound(detail string) *Error { return &Error{Status: http.StatusNotFound, Detail: detail} }

func conflict(detail string) *Error {
	return &Error{Status: http.StatusConflict, ScimType: TypeUniqueness, Detail: detail}
}

// Unauthorized is the answer to a missing or wrong bearer token, whatever
// the reason, so that a caller learns nothing about which connections exist.
func Unauthorized() *Error {
	return &Error{Status: http.StatusUnauthorized, Detail: "Missing or invalid bearer token for this SCIM base URL."}
}

// AsError turns any error of a SCIM request into a SCIM error: member rule
// violations keep their message as an invalidValue, internal errors become
// a 500 whose detail names nothing internal.
func AsError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	if ae := apierr.As(err); ae != nil && ae.Status == http.StatusTooManyRequests {
		// An abuse limit: no scimType (tooMany means too many results);
		// the HTTP layer sends Retry-After, which Okta and Entra honour.
		return &Error{Status: ae.Status, Detail: ae.Message, cause: err}
	}
	if ae := apierr.As(err); ae != nil && ae.Status < 500 {
		st := ae.Status
		scimType := TypeInvalidValue
		if strings.HasPrefix(ae.Type, "duplicate_") {
			st = http.StatusConflict // e.g. a new email address another member has
		}
		if st == http.StatusConflict {
			scimType = TypeUniqueness
		}
		return &Error{Status: st, ScimType: scimType, Detail: ae.Message, cause: err}
	}
	if ae := apierr.As(err); ae != nil && ae.Status == http.StatusServiceUnavailable {
		return &Error{Status: ae.Status, Detail: "Temporarily unavailable; retry.", cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "Internal error.", cause: err}
}
