package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestUserInfo(t *testing.T) {
	ctx := context.Background()
	// obtain returns a working access token and the verified subject.
	obtain := func(t *testing.T, op *testOP) string {
		t.Helper()
		cfg := op.config()
		cb, _, _, verifier := op.login(t, cfg)
		tok, err := Exchange(ctx, op.srv.Client(), cfg, cb.Code, verifier)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}

	t.Run("subject mismatch", func(t *testing.T) {
		op := newTestOP(t)
		at := obtain(t, op)
		op.set(func(op *testOP) { op.infoSub = "someone-else" })
		info, err := UserInfo(ctx, op.srv.Client(), op.config(), at)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckUserInfoSubject("user-42", info); ReasonOf(err) != ReasonUserInfoSubjectMismatch {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("rejected access token", func(t *testing.T) {
		op := newTestOP(t)
		_, err := UserInfo(ctx, op.srv.Client(), op.config(), "not-a-token")
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonUserInfoFailed || e.HTTPStatus != 401 {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "not-a-token") {
			t.Fatal("access token leaked into the error")
		}
	})

	t.Run("oversized", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.oversize["/userinfo"] = true })
		_, err := UserInfo(ctx, op.srv.Client(), op.config(), "t")
		if ReasonOf(err) != ReasonUserInfoFailed || !errors.Is(err, errBodyTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("not an object", func(t *testing.T) {
		op := newTestOP(t)
		op.set(func(op *testOP) { op.rawBody["/userinfo"] = `["sub"]` })
		if _, err := UserInfo(ctx, op.srv.Client(), op.config(), "t"); ReasonOf(err) != ReasonUserInfoFailed {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("header injection refused", func(t *testing.T) {
		op := newTestOP(t)
		if _, err := UserInfo(ctx, op.srv.Client(), op.config(), "t\r\nX-Evil: 1"); ReasonOf(err) != ReasonInvalidArgument {
			t.Fatalf("err = %v", err)
		}
		if op.hitCount("/userinfo") != 0 {
			t.Fatal("request was sent")
		}
	})

	t.Run("signed userinfo refused", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/jwt")
			_, _ = w.Write([]byte("eyJhbGciOiJSUzI1NiJ9.e30.sig"))
		}))
		defer srv.Close()
		cfg := Config{UserinfoURL: srv.URL + "/userinfo"}
		if _, err := UserInfo(ctx, srv.Client(), cfg, "t"); ReasonOf(err) != ReasonUserInfoFailed {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("no userinfo url", func(t *testing.T) {
		cfg := Config{}
		if _, err := UserInfo(ctx, nil, cfg, "t"); ReasonOf(err) != ReasonConfigInvalid {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCheckUserInfoSubject(t *testing.T) {
	for _, tc := range []struct {
		sub  string
		info string
		ok   bool
	}{
		{"u1", `{"sub":"u1"}`, true},
		{"u1", `{"sub":"u2"}`, false},
		{"u1", `{"sub":"u1 "}`, false},
		{"u1", `{}`, false},
		{"u1", `{"sub":1}`, false},
		{"", `{"sub":""}`, false},
	} {
		info, err := decodeObject([]byte(tc.info))
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckUserInfoSubject(tc.sub, info); (err == nil) != tc.ok {
			t.Errorf("%q vs %s: %v", tc.sub, tc.info, err)
		}
	}
}

func TestUserInfoNumbersKeepPrecision(t *testing.T) {
	info, err := decodeObject([]byte(`{"sub":"u","employee_id":12345678901234567890}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(info)
	if !strings.Contains(string(out), "12345678901234567890") {
		t.Fatalf("number lost precision: %s", out)
	}
}
