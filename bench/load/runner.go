package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// workerResult is one worker's record of a phase; workers share nothing but
// the sequence counter while the phase runs.
type workerResult struct {
	latencies []time.Duration // successful operations only
	statuses  map[string]int64
	failures  int64
}

// operation is one unit of load: usually one request (requestOp), for the
// login scenarios a whole login of several requests. It returns a label for
// the statuses table (the final HTTP status, or what went wrong) and whether
// it succeeded; only successful operations have their latency recorded.
type operation func(ctx context.Context, client *http.Client, seq uint64) (label string, ok bool)

// requestOp turns a one-request scenario into an operation: it succeeds on
// any 2xx answer, read to the end.
func requestOp(req requestFunc) operation {
	return func(ctx context.Context, client *http.Client, seq uint64) (string, bool) {
		r, err := req(ctx, seq)
		if err != nil {
			return "build error", false
		}
		resp, err := client.Do(r)
		if err != nil {
			return "transport error", false
		}
		// Read the whole answer: it is part of the work, and the
		// connection can only be reused once the body is drained.
		_, copyErr := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if copyErr != nil {
			return "transport error", false
		}
		return strconv.Itoa(resp.StatusCode), resp.StatusCode/100 == 2
	}
}

// runLoad runs the warm-up, then the measured phase, and summarises the
// measured phase.
func runLoad(ctx context.Context, client *http.Client, c *config, op operation) (*report, error) {
	var seq atomic.Uint64 // request 0 was the first request in prepare
	if c.warmup > 0 {
		phase(ctx, client, c.concurrency, c.rate, c.warmup, op, &seq)
	}
	if ctx.Err() != nil {
		return nil, errors.New("interrupted")
	}
	var cpu0 time.Duration
	var peakReset bool
	if c.serverPID > 0 {
		peakReset = resetPeakRSS(c.serverPID)
		var err error
		if cpu0, err = processCPU(c.serverPID); err != nil {
			return nil, fmt.Errorf("server CPU time: %w", err)
		}
	}
	results, elapsed := phase(ctx, client, c.concurrency, c.rate, c.duration, op, &seq)
	if ctx.Err() != nil {
		return nil, errors.New("interrupted")
	}
	rep := summarise(results, elapsed)
	rep.Scenario, rep.Label, rep.URL, rep.Concurrency = c.scenario, c.label, c.url, c.concurrency
	if c.serverPID > 0 {
		cpu1, err := processCPU(c.serverPID)
		if err != nil {
			return nil, fmt.Errorf("server CPU time: %w", err)
		}
		rep.addServerCPU(cpu1-cpu0, elapsed)
		hwm, err := peakRSS(c.serverPID)
		if err != nil {
			return nil, fmt.Errorf("server peak RSS: %w", err)
		}
		rep.ServerPeakRSSMiB = math.Round(float64(hwm)/(1<<20)*10) / 10
		rep.ServerPeakRSSSinceStart = !peakReset
	}
	return rep, nil
}

// phase runs concurrency workers in a closed loop until d has passed; a
// request in flight at the deadline is finished and counted, and the phase
// lasts until the last one returns. With a rate above 0 the workers take
// start times from one schedule, rate per second from the phase's start:
// a worker sleeps until its operation's time, or starts at once when the
// server is behind it. Two builds run at the same rate below either's
// capacity do the same work per second, so their CPU per operation compares
// without the difference in throughput changing it.
func phase(ctx context.Context, client *http.Client, concurrency int, rate float64, d time.Duration, op operation, seq *atomic.Uint64) ([]workerResult, time.Duration) {
	start := time.Now()
	deadline := start.Add(d)
	var sched *schedule
	if rate > 0 {
		sched = &schedule{start: start, every: time.Duration(float64(time.Second) / rate)}
	}
	results := make([]workerResult, concurrency)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			results[i] = worker(ctx, client, deadline, sched, op, seq)
		})
	}
	wg.Wait()
	return results, time.Since(start)
}

// schedule hands out the start times of a paced phase, one per operation.
type schedule struct {
	start time.Time
	every time.Duration
	next  atomic.Int64
}

// wait sleeps until the next operation's start time; it reports false when
// that time is past the deadline or ctx ended.
func (s *schedule) wait(ctx context.Context, deadline time.Time) bool {
	at := s.start.Add(time.Duration(s.next.Add(1)-1) * s.every)
	if !at.Before(deadline) {
		return false
	}
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

func worker(ctx context.Context, client *http.Client, deadline time.Time, sched *schedule, op operation, seq *atomic.Uint64) workerResult {
	res := workerResult{statuses: map[string]int64{}}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if sched != nil && !sched.wait(ctx, deadline) {
			break
		}
		t0 := time.Now()
		label, ok := op(ctx, client, seq.Add(1))
		lat := time.Since(t0)
		res.statuses[label]++
		if ok {
			res.latencies = append(res.latencies, lat)
		} else {
			res.failures++
		}
	}
	return res
}
