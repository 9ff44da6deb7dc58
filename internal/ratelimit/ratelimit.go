// Package ratelimit counts events per key in fixed windows, for Seam's
// abuse limits. The clock is injected. The in-memory implementation is
// per process: with R replicas behind a load balancer a client can make up
// to R times a limit (documented in docs/reliability.md).
package ratelimit

import (
	"sync"
	"time"
)

// Rule is at most Limit events per Window. A Limit of 0 or less disables
// the rule: every event is allowed.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Enabled reports whether the rule limits anything.
func (r Rule) Enabled() bool { return r.Limit > 0 && r.Window > 0 }

// Decision is the answer for one event.
type Decision struct {
	Allowed bool
	// RetryAfter is the time until the key's window ends; set when the
	// event is refused.
	RetryAfter time.Duration
}

// window is one key's counter.
type window struct {
	start time.Time
	n     int
}

// Memory is a fixed-window counter table held in memory. It holds at most
// MaxKeys keys; when full, expired windows are dropped, and if it is still
// full a new key is allowed without being counted (fail open: the table's
// memory stays bounded whatever keys clients invent).
type Memory struct {
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	windows map[string]*window
}

// DefaultMaxKeys bounds a Memory table built with maxKeys <= 0.
const DefaultMaxKeys = 100_000

// NewMemory returns an empty table using the clock now.
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: now, maxKeys: maxKeys, windows: map[string]*window{}}
}

// Take counts one event for key under rule and reports whether it is
// within the limit.
func (m *Memory) Take(key string, rule Rule) Decision {
	return m.add(key, rule, 1)
}

// Peek reports whether one more event for key would be within the limit,
// without counting it.
func (m *Memory) Peek(key string, rule Rule) Decision {
	return m.add(key, rule, 0)
}

// Count reports the events counted for key in its current window.
func (m *Memory) Count(key string, rule Rule) int {
	if !rule.Enabled() {
		return 0
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.windows[key]
	if w == nil || !now.Before(w.start.Add(rule.Window)) {
		return 0
	}
	return w.n
}

func (m *Memory) add(key string, rule Rule, n int) Decision {
	if !rule.Enabled() {
		return Decision{Allowed: true}
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.windows[key]
	if w != nil && !now.Before(w.start.Add(rule.Window)) {
		w.start, w.n = now, 0 // the window ended: start a new one
	}
	if w == nil {
		if n == 0 {
			return Decision{Allowed: true}
		}
		if len(m.windows) >= m.maxKeys {
			m.pruneLocked(now, rule.Window)
		}
		if len(m.windows) >= m.maxKeys {
			return Decision{Allowed: true}
		}
		w = &window{start: now}
		m.windows[key] = w
	}
	if w.n+n > rule.Limit || (n == 0 && w.n >= rule.Limit) {
		return Decision{RetryAfter: w.start.Add(rule.Window).Sub(now)}
	}
	w.n += n
	return Decision{Allowed: true}
}

// pruneLocked drops windows older than window (the longest rule is the
// caller's; a key of a longer rule that is dropped early only restarts its
// count).
func (m *Memory) pruneLocked(now time.Time, window time.Duration) {
	for k, w := range m.windows {
		if !now.Before(w.start.Add(window)) {
			delete(m.windows, k)
		}
	}
}

// Len is the number of keys held (for tests and metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.windows)
}
