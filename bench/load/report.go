package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// report is the summary of a measured phase. Requests counts operations
// (one request each, or one whole login for the login scenarios); latencies
// are of successful operations, in milliseconds; Errors counts the others.
type report struct {
	Scenario    string           `json:"scenario"`
	Label       string           `json:"label,omitempty"`
	URL         string           `json:"url"`
	Concurrency int              `json:"concurrency"`
	Seconds     float64          `json:"seconds"`
	Requests    int64            `json:"requests"`
	Errors      int64            `json:"errors"`
	Statuses    map[string]int64 `json:"statuses"`
	RPS         float64          `json:"requests_per_second"`
	MeanMS      float64          `json:"mean_ms"`
	P50MS       float64          `json:"p50_ms"`
	P95MS       float64          `json:"p95_ms"`
	P99MS       float64          `json:"p99_ms"`
	MaxMS       float64          `json:"max_ms"`
	// With -server-pid: the server process's CPU time over the measured
	// phase, per request (all requests, successful or not) and as cores busy.
	ServerCPUMSPerRequest float64 `json:"server_cpu_ms_per_request,omitempty"`
	ServerCores           float64 `json:"server_cores,omitempty"`
	// ServerPeakRSSMiB is the server's VmHWM at the end of the measured
	// phase: its peak RSS since the warm-up ended (the peak is reset then),
	// or since it started when ServerPeakRSSSinceStart says the reset failed.
	ServerPeakRSSMiB        float64 `json:"server_peak_rss_mib,omitempty"`
	ServerPeakRSSSinceStart bool    `json:"server_peak_rss_since_start,omitempty"`
	// Check is "passed" when the scenario has a correctness check after the
	// run (sso-update: no lost update) and it passed; a failed check fails
	// the run.
	Check string `json:"check,omitempty"`
}

func (r *report) addServerCPU(cpu, elapsed time.Duration) {
	if r.Requests > 0 {
		r.ServerCPUMSPerRequest = math.Round(float64(cpu)/float64(time.Millisecond)/float64(r.Requests)*1000) / 1000
	}
	if elapsed > 0 {
		r.ServerCores = math.Round(cpu.Seconds()/elapsed.Seconds()*100) / 100
	}
}

func summarise(results []workerResult, elapsed time.Duration) *report {
	rep := &report{Statuses: map[string]int64{}, Seconds: elapsed.Seconds()}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		for s, n := range r.statuses {
			rep.Statuses[s] += n
			rep.Requests += n
		}
		rep.Errors += r.failures
	}
	// Requests per second counts successful operations only: a server that
	// answers 500 quickly is not fast.
	if elapsed > 0 {
		rep.RPS = float64(len(all)) / elapsed.Seconds()
	}
	slices.Sort(all)
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	if len(all) > 0 {
		rep.MeanMS = ms(sum / time.Duration(len(all)))
		rep.MaxMS = ms(all[len(all)-1])
	}
	rep.P50MS = ms(percentile(all, 50))
	rep.P95MS = ms(percentile(all, 95))
	rep.P99MS = ms(percentile(all, 99))
	return rep
}

// percentile is the nearest-rank percentile of sorted latencies: the
// smallest value with at least p% of the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
}

func (r *report) String() string {
	var b strings.Builder
	label := ""
	if r.Label != "" {
		label = " [" + r.Label + "]"
	}
	fmt.Fprintf(&b, "%s%s: %d workers, %.1fs, %d requests, %d errors\n", r.Scenario, label, r.Concurrency, r.Seconds, r.Requests, r.Errors)
	fmt.Fprintf(&b, "  %.1f req/s  mean %.2fms  p50 %.2fms  p95 %.2fms  p99 %.2fms  max %.2fms\n",
		r.RPS, r.MeanMS, r.P50MS, r.P95MS, r.P99MS, r.MaxMS)
	if r.ServerCores > 0 {
		fmt.Fprintf(&b, "  server CPU %.3fms per request, %.2f cores busy\n", r.ServerCPUMSPerRequest, r.ServerCores)
	}
	if r.ServerPeakRSSMiB > 0 {
		since := "the warm-up"
		if r.ServerPeakRSSSinceStart {
			since = "the server started"
		}
		fmt.Fprintf(&b, "  server peak RSS %.1f MiB since %s\n", r.ServerPeakRSSMiB, since)
	}
	var keys []string
	for k := range r.Statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, r.Statuses[k])
	}
	fmt.Fprintf(&b, "  statuses: %s\n", strings.Join(parts, ", "))
	return b.String()
}
