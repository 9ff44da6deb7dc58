package webhooks

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	want := []time.Duration{5 * time.Second, 30 * time.Second, 3 * time.Minute, 18 * time.Minute, 108 * time.Minute, 10 * time.Hour, 10 * time.Hour}
	var total time.Duration
	for i, w := range want {
		if got := retryDelay(i + 1); got != w {
			t.Errorf("retryDelay(%d) = %v, want %v", i+1, got, w)
		}
		total += w
	}
	if total < 20*time.Hour {
		t.Errorf("retries span %v, want hours", total)
	}
}

func TestJitterStaysWithinBounds(t *testing.T) {
	d := time.Hour
	for range 1000 {
		j := jittered(d, rand.Reader)
		if j < 48*time.Minute || j > 72*time.Minute {
			t.Fatalf("jittered %v", j)
		}
	}
	if jittered(d, bytes.NewReader(nil)) != d {
		t.Error("a failing randomness source must not change the delay")
	}
}
