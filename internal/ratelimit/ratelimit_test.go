package ratelimit

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestMemoryFixedWindow(t *testing.T) {
	rule := Rule{Limit: 3, Window: time.Minute}
	tests := []struct {
		name     string
		advance  time.Duration
		key      string
		allowed  bool
		retryMin time.Duration
	}{
		{"first", 0, "a", true, 0},
		{"second", 10 * time.Second, "a", true, 0},
		{"third", 0, "a", true, 0},
		{"fourth refused", 0, "a", false, 50 * time.Second},
		{"other key unaffected", 0, "b", true, 0},
		{"still refused", 49 * time.Second, "a", false, time.Second},
		{"new window", time.Second, "a", true, 0},
	}
	c := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	m := NewMemory(c.now, 0)
	for _, tt := range tests {
		c.t = c.t.Add(tt.advance)
		d := m.Take(tt.key, rule)
		if d.Allowed != tt.allowed {
			t.Fatalf("%s: allowed %v, want %v", tt.name, d.Allowed, tt.allowed)
		}
		if !d.Allowed && d.RetryAfter != tt.retryMin {
			t.Fatalf("%s: retry after %v, want %v", tt.name, d.RetryAfter, tt.retryMin)
		}
	}
}

func TestMemoryDisabledAndPeek(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	m := NewMemory(c.now, 0)
	for i := 0; i < 100; i++ {
		if !m.Take("k", Rule{}).Allowed {
			t.Fatal("a disabled rule refused")
		}
	}
	if m.Len() != 0 {
		t.Fatal("a disabled rule stored a key")
	}
	rule := Rule{Limit: 2, Window: time.Minute}
	if !m.Peek("k", rule).Allowed || m.Len() != 0 {
		t.Fatal("peek on an unknown key refused or stored it")
	}
	m.Take("k", rule)
	m.Take("k", rule)
	if m.Peek("k", rule).Allowed {
		t.Fatal("peek allowed a key at its limit")
	}
	if got := m.Count("k", rule); got != 2 {
		t.Fatalf("count %d, want 2", got)
	}
}

func TestMemoryBoundedKeys(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	m := NewMemory(c.now, 10)
	rule := Rule{Limit: 1, Window: time.Minute}
	for i := 0; i < 50; i++ {
		m.Take(string(rune('a'+i)), rule)
	}
	if m.Len() != 10 {
		t.Fatalf("held %d keys, want the bound 10", m.Len())
	}
	c.t = c.t.Add(time.Minute)
	m.Take("new", rule)
	if m.Len() != 1 {
		t.Fatalf("expired windows not pruned: %d keys", m.Len())
	}
}
