package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestReasonsHaveErrorTypes(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons() {
		if seen[r] {
			t.Errorf("duplicate reason %s", r)
		}
		seen[r] = true
		et := r.ErrorType()
		if et == "" || et == "oidc_unknown_error" {
			t.Errorf("%s has no error type", r)
		}
		if et != strings.ToLower(et) || strings.ContainsAny(et, " -") {
			t.Errorf("%s: error type %q is not snake_case", r, et)
		}
		if r.Message() == "The OIDC login failed." {
			t.Errorf("%s has no message", r)
		}
	}
	if Reason("nope").ErrorType() != "oidc_unknown_error" {
		t.Error("unknown reason must map to oidc_unknown_error")
	}
}

func TestErrorWrapping(t *testing.T) {
	cause := errors.New("dial tcp: refused")
	err := fmt.Errorf("login: %w", &Error{Reason: ReasonTokenExchangeFailed, OAuthError: "server_error", Detail: "HTTP 500", Err: cause})
	if !errors.Is(err, ReasonTokenExchangeFailed) || errors.Is(err, ReasonInvalidGrant) {
		t.Fatal("errors.Is by Reason")
	}
	if !errors.Is(err, cause) {
		t.Fatal("cause not unwrapped")
	}
	if ReasonOf(err) != ReasonTokenExchangeFailed || ReasonOf(errors.New("x")) != "" || ReasonOf(ReasonStateMissing) != ReasonStateMissing {
		t.Fatal("ReasonOf")
	}
	var e *Error
	errors.As(err, &e)
	api := e.APIError()
	if api.Status != http.StatusBadRequest || api.Type != "oidc_token_exchange_failed" ||
		!strings.Contains(api.Message, "server_error") || apierr.TypeOf(api) != "oidc_token_exchange_failed" {
		t.Fatalf("api error = %+v", api)
	}
	if strings.Contains(api.Message, "dial tcp") {
		t.Fatal("internal cause leaked into the client message")
	}
	if !errors.Is(api, cause) {
		t.Fatal("api error must keep the cause for logs")
	}
}

func TestSanitize(t *testing.T) {
	if got := sanitize("a\nb\x00c\u00e9", 100); got != "a?b?c??" {
		t.Fatalf("got %q", got)
	}
	if got := sanitize(strings.Repeat("x", 10), 4); got != "xxxx..." {
		t.Fatalf("got %q", got)
	}
}
