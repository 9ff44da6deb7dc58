package apierr

import (
	"testing"
	"time"
)

func TestTooManyRequestsRetryAfter(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want int
	}{{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {time.Minute, 60}}
	for _, tt := range tests {
		e := TooManyRequests("x", tt.wait)
		if e.Status != 429 || e.Type != "too_many_requests" || RetryAfter(e) != tt.want {
			t.Fatalf("%v: %d %s retry %d, want %d", tt.wait, e.Status, e.Type, RetryAfter(e), tt.want)
		}
	}
	if RetryAfter(BadRequest("x", "y")) != 0 || RetryAfter(nil) != 0 {
		t.Fatal("RetryAfter of a non-429")
	}
}
