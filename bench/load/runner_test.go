package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestPacedPhaseKeepsToItsRate: with a rate, the workers together never
// start more operations than the schedule holds, however fast the
// operation; without one they run as fast as it returns.
func TestPacedPhaseKeepsToItsRate(t *testing.T) {
	instant := func(context.Context, *http.Client, uint64) (string, bool) { return "200", true }
	count := func(rs []workerResult) int {
		n := 0
		for _, r := range rs {
			n += len(r.latencies)
		}
		return n
	}
	var seq atomic.Uint64
	d := 300 * time.Millisecond
	paced, _ := phase(context.Background(), nil, 8, 100, d, instant, &seq)
	// 100/s over 300 ms: start times 0, 10, ... 290 ms.
	if n := count(paced); n > 30 || n < 1 {
		t.Errorf("paced at 100/s for %v: %d operations, want at most 30", d, n)
	}
	free, _ := phase(context.Background(), nil, 8, 0, d, instant, &seq)
	if n := count(free); n <= 30 {
		t.Errorf("unpaced: only %d operations in %v", n, d)
	}
}
