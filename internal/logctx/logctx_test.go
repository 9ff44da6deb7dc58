package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestHandlerAddsRequestIDOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil), HandlerOptions{}))
	ctx, _ := Start(context.Background(), "request-id-test-1")
	log.InfoContext(ctx, "domain line")
	log.With("request_id", "request-id-test-1").InfoContext(ctx, "request logger line")
	log.Info("no request")
	got := lines(t, &buf)
	if got[0]["request_id"] != "request-id-test-1" || strings.Count(buf.String(), `"request_id"`) != 2 || got[2]["request_id"] != nil {
		t.Fatalf("request_id: %s", buf.String())
	}
}

func TestRepeatedErrorsAreRateLimited(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil), HandlerOptions{Window: 10 * time.Second, Now: clock.Now}))
	outage := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	for _, step := range []struct {
		advance time.Duration
		level   slog.Level
		msg     string
		err     error
	}{
		{0, slog.LevelError, "request failed", outage},                    // written
		{time.Second, slog.LevelError, "request failed", outage},          // suppressed
		{time.Second, slog.LevelError, "request failed", outage},          // suppressed
		{0, slog.LevelError, "request failed", errors.New("other cause")}, // another line: written
		{0, slog.LevelWarn, "request failed", outage},                     // below ERROR: written
		{9 * time.Second, slog.LevelError, "request failed", outage},      // window over: written, suppressed=2
		{time.Second, slog.LevelError, "request failed", outage},          // suppressed again
	} {
		clock.t = clock.t.Add(step.advance)
		log.With("request_id", "r").Log(context.Background(), step.level, step.msg, "error", step.err.Error())
	}
	got := lines(t, &buf)
	if len(got) != 4 {
		t.Fatalf("%d lines written, want 4:\n%s", len(got), buf.String())
	}
	if got[3]["suppressed"] != float64(2) || got[0]["suppressed"] != nil {
		t.Fatalf("suppressed counts: %s", buf.String())
	}
}

func TestNoteKeepsTheFirstErrorType(t *testing.T) {
	ctx, f := Start(context.Background(), "r")
	Note(ctx, What{OrganizationID: "organization-test-1"})
	Note(ctx, What{ErrorType: "expired_saml_response", Reason: "expired", ConnectionID: "saml-connection-test-1"})
	Note(ctx, What{ErrorType: "internal_server_error"})
	Note(context.Background(), What{ErrorType: "ignored"})
	got := map[string]string{}
	for _, a := range f.Attrs() {
		got[a.Key] = a.Value.String()
	}
	want := map[string]string{"error_type": "expired_saml_response", "reason": "expired",
		"organization_id": "organization-test-1", "connection_id": "saml-connection-test-1"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
