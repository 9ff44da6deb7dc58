package logctx

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler wraps a slog.Handler: a record logged with a request's context
// gets its request_id (unless the logger already carries one), and ERROR
// records identical to one logged within the last Window (same message and
// same "error" attribute: a database outage fails every request the same
// way) are dropped; the next one that passes reports how many were
// ("suppressed").
type Handler struct {
	next   slog.Handler
	hasRID bool
	lim    *limiter
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// Window is how long an identical ERROR line is suppressed after one is
	// written; 0 disables the limit.
	Window time.Duration
	// Now is the clock (injected).
	Now func() time.Time
}

// NewHandler wraps next.
func NewHandler(next slog.Handler, o HandlerOptions) *Handler {
	h := &Handler{next: next}
	if o.Window > 0 {
		if o.Now == nil {
			o.Now = time.Now
		}
		h.lim = &limiter{window: o.Window, now: o.Now, seen: map[string]*seenLine{}}
	}
	return h
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && h.lim != nil {
		var errText string
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" {
				errText = a.Value.String()
				return false
			}
			return true
		})
		pass, suppressed := h.lim.allow(r.Message + "\x00" + errText)
		if !pass {
			return nil
		}
		if suppressed > 0 {
			r = r.Clone()
			r.AddAttrs(slog.Int("suppressed", suppressed))
		}
	}
	if !h.hasRID {
		if id := RequestID(ctx); id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		if a.Key == "request_id" {
			c.hasRID = true
		}
	}
	c.next = h.next.WithAttrs(attrs)
	return &c
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}

// limiter remembers recent ERROR lines; it is shared by the handlers
// derived with WithAttrs and WithGroup.
type limiter struct {
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[string]*seenLine
}

type seenLine struct {
	at         time.Time
	suppressed int
}

// maxSeen bounds the memory of distinct lines; past it, old ones are
// forgotten (a forgotten line is simply written again).
const maxSeen = 1024

func (l *limiter) allow(key string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if s, ok := l.seen[key]; ok && now.Sub(s.at) < l.window {
		s.suppressed++
		return false, 0
	}
	n := 0
	if s, ok := l.seen[key]; ok {
		n = s.suppressed
	}
	if len(l.seen) >= maxSeen {
		for k, s := range l.seen {
			if now.Sub(s.at) >= l.window {
				delete(l.seen, k)
			}
		}
		if len(l.seen) >= maxSeen {
			l.seen = map[string]*seenLine{}
		}
	}
	l.seen[key] = &seenLine{at: now}
	return true, n
}
