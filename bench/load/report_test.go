package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample", ms(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p95 of 1..100", hundred, 95, 95 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, time.Millisecond},
		{"nearest rank rounds up", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p99 of a short run is its max", ms(1, 2, 3, 4, 5), 99, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v) = %v; want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	results := []workerResult{
		{latencies: []time.Duration{3 * time.Millisecond, time.Millisecond}, statuses: map[string]int64{"200": 2, "500": 1}, failures: 1},
		{latencies: []time.Duration{2 * time.Millisecond}, statuses: map[string]int64{"201": 1, "transport error": 2}, failures: 2},
	}
	rep := summarise(results, 2*time.Second)
	if rep.Requests != 6 || rep.Errors != 3 {
		t.Errorf("requests %d errors %d; want 6 and 3", rep.Requests, rep.Errors)
	}
	if rep.RPS != 1.5 {
		t.Errorf("rps = %v; want 1.5 (successes only)", rep.RPS)
	}
	if rep.P50MS != 2 || rep.MaxMS != 3 || rep.MeanMS != 2 {
		t.Errorf("p50 %v max %v mean %v; want 2, 3, 2", rep.P50MS, rep.MaxMS, rep.MeanMS)
	}
	if rep.Statuses["200"] != 2 || rep.Statuses["transport error"] != 2 {
		t.Errorf("statuses = %v", rep.Statuses)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"defaults", nil, true},
		{"zero concurrency", []string{"-concurrency", "0"}, false},
		{"negative duration", []string{"-duration", "-1s"}, false},
		{"negative warmup", []string{"-warmup", "-1s"}, false},
		{"unknown flag", []string{"-nope"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args, testWriter{t})
			if (err == nil) != tt.ok {
				t.Errorf("err = %v; want ok=%v", err, tt.ok)
			}
		})
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		line string
		want time.Duration
		ok   bool
	}{
		{"plain", "1234 (seam) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 8 0 100 0 0", 3250 * time.Millisecond, true},
		{"name with spaces and parens", "99 (a b) c) R 1 2 3 4 5 6 7 8 9 10 7 3 0", 100 * time.Millisecond, true},
		{"no parens", "1234 seam S 1", 0, false},
		{"short", "1234 (seam) S 1 2", 0, false},
		{"not numbers", "1 (x) S 1 2 3 4 5 6 7 8 9 10 a b", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.line)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseStat = %v, %v; want %v, ok=%v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"plain", "Name:\tseam\nVmPeak:\t  900 kB\nVmHWM:\t   41234 kB\nVmRSS:\t 40000 kB\n", 41234 * 1024, true},
		{"missing", "Name:\tseam\nVmRSS:\t 40000 kB\n", 0, false},
		{"other unit", "VmHWM:\t 12 MB\n", 0, false},
		{"not a number", "VmHWM:\t x kB\n", 0, false},
		{"negative", "VmHWM:\t -5 kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM(tt.status)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseVmHWM = %v, %v; want %v, ok=%v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestLastWrites(t *testing.T) {
	tests := []struct {
		name, display, entity string
		ok                    bool
	}{
		{"both last", "bench w4-9", "https://idp.bench.example/w7-9", true},
		{"display stale", "bench w4-8", "https://idp.bench.example/w7-9", false},
		{"entity from the load phase", "bench w4-9", "https://idp.bench.example/s123", false},
		{"display written by an entity writer", "bench w5-9", "https://idp.bench.example/w7-9", false},
		{"writer out of range", "bench w40-9", "https://idp.bench.example/w7-9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := lastWrites(tt.display, tt.entity); (err == nil) != tt.ok {
				t.Errorf("lastWrites(%q, %q) = %v, want ok=%v", tt.display, tt.entity, err, tt.ok)
			}
		})
	}
}
