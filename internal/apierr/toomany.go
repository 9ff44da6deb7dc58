package apierr

import (
	"net/http"
	"strconv"
	"time"
)

// RetryAfterKey is the error_details key of a 429's wait in whole seconds;
// the HTTP layer sends it as the Retry-After header too.
const RetryAfterKey = "retry_after_seconds"

// TooManyRequests is Stytch's 429 too_many_requests; retryAfter is rounded
// up to whole seconds (at least 1).
func TooManyRequests(what string, retryAfter time.Duration) *Error {
	n := int((retryAfter + time.Second - 1) / time.Second)
	if n < 1 {
		n = 1
	}
	e := New(http.StatusTooManyRequests, "too_many_requests", what+"; retry after "+strconv.Itoa(n)+" s (Retry-After).")
	e.Details = map[string]any{RetryAfterKey: n}
	return e
}

// RetryAfter returns the whole seconds a 429 asks the caller to wait, or 0.
func RetryAfter(e *Error) int {
	if e == nil || e.Status != http.StatusTooManyRequests {
		return 0
	}
	n, _ := e.Details[RetryAfterKey].(int)
	return n
}
