package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/ratelimit"
)

// TestOutageLogIsBounded: an outage logs at most one line per
// outageLogEvery, and the next line counts the failures it did not log.
func TestOutageLogIsBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	o := &outageLog{limiter: ratelimit.NewMemory(func() time.Time { return now }, 0), log: log}
	ctx := context.WithValue(context.Background(), keyLogger, log)
	steps := []struct {
		advance   time.Duration
		reports   int
		lines     int
		notLogged string
	}{
		{0, 1000, 1, `"similar_failures_not_logged":0`},
		{outageLogEvery / 2, 1000, 1, ""},
		{outageLogEvery, 1, 2, `"similar_failures_not_logged":1999`},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		for range s.reports {
			o.report(ctx, context.DeadlineExceeded)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != s.lines {
			t.Fatalf("step %d: %d log lines, want %d", i, len(lines), s.lines)
		}
		if s.notLogged != "" && !strings.Contains(lines[len(lines)-1], s.notLogged) {
			t.Fatalf("step %d: %s lacks %s", i, lines[len(lines)-1], s.notLogged)
		}
	}
}
