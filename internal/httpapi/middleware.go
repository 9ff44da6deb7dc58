package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/logctx"
)

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// envOfRequest guesses test/live for the request ID from the Basic-auth
// username, before the credential is checked; it only labels the ID.
func envOfRequest(r *http.Request) ids.Environment {
	if user, _, ok := r.BasicAuth(); ok && strings.HasPrefix(user, "project-live-") {
		return ids.Live
	}
	return ids.Test
}

// observe assigns the request ID, recovers panics, logs one line per request
// and records metrics. It wraps the whole mux.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		rid := s.ids.New(ids.RequestID, envOfRequest(r))
		log := s.log.With(slog.String("request_id", rid))
		ctx, fields := logctx.Start(r.Context(), rid)
		ctx = context.WithValue(ctx, keyRequestID, rid)
		ctx = context.WithValue(ctx, keyLogger, log)
		ri := &routeInfo{}
		ctx = context.WithValue(ctx, keyRoute, ri)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", rid)
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					writeError(sw, r, apierr.Internal(nil))
				}
			}
			route := ri.pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := s.now().Sub(start)
			s.metrics.observe(route, r.Method, sw.status, elapsed)
			attrs := append([]slog.Attr{slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", sw.status), slog.Float64("duration_ms", float64(elapsed)/float64(time.Millisecond))},
				fields.Attrs()...)
			log.LogAttrs(ctx, slog.LevelInfo, "http", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// fallback turns the mux's plain-text 404 and 405 into Stytch envelopes.
func (s *Server) fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			if allow := probe.header.Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			writeError(w, r, apierr.New(http.StatusMethodNotAllowed, "method_not_allowed",
				"Method "+r.Method+" is not allowed on this route."))
			return
		}
		if probe.status >= 300 && probe.status < 400 {
			// The mux redirects paths to their cleaned form; keep that.
			mux.ServeHTTP(w, r)
			return
		}
		if u, ok := unsupportedFor(r.Method, r.URL.Path); ok {
			writeError(w, r, unsupportedError(u))
			return
		}
		writeError(w, r, apierr.NotFound("route_not_found", "No route matches "+r.Method+" "+safePath(r.URL.Path)+"."))
	})
}

// headerProbe captures what the mux's internal handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func safePath(p string) string {
	if len(p) > 200 {
		p = p[:200] + "..."
	}
	return strconv.QuoteToASCII(p)
}

// now is the injected clock.
func (s *Server) now() time.Time { return s.clock() }
