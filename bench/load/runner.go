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
	latencies []time.Duration // successful (2xx) requests only
	statuses  map[string]int64
}

// runLoad runs the warm-up, then the measured phase, and summarises the
// measured phase.
func runLoad(ctx context.Context, client *http.Client, c *config, req requestFunc) (*report, error) {
	var seq atomic.Uint64 // request 0 was the first request in prepare
	if c.warmup > 0 {
		phase(ctx, client, c.concurrency, c.warmup, req, &seq)
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
	results, elapsed := phase(ctx, client, c.concurrency, c.duration, req, &seq)
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
// lasts until the last one returns.
func phase(ctx context.Context, client *http.Client, concurrency int, d time.Duration, req requestFunc, seq *atomic.Uint64) ([]workerResult, time.Duration) {
	start := time.Now()
	deadline := start.Add(d)
	results := make([]workerResult, concurrency)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			results[i] = worker(ctx, client, deadline, req, seq)
		})
	}
	wg.Wait()
	return results, time.Since(start)
}

func worker(ctx context.Context, client *http.Client, deadline time.Time, req requestFunc, seq *atomic.Uint64) workerResult {
	res := workerResult{statuses: map[string]int64{}}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		r, err := req(ctx, seq.Add(1))
		if err != nil {
			res.statuses["build error"]++
			continue
		}
		t0 := time.Now()
		resp, err := client.Do(r)
		if err != nil {
			res.statuses["transport error"]++
			continue
		}
		// Read the whole answer: it is part of the work, and the
		// connection can only be reused once the body is drained.
		_, copyErr := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		lat := time.Since(t0)
		if copyErr != nil {
			res.statuses["transport error"]++
			continue
		}
		res.statuses[strconv.Itoa(resp.StatusCode)]++
		if resp.StatusCode/100 == 2 {
			res.latencies = append(res.latencies, lat)
		}
	}
	return res
}
