package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/login"
	"github.com/seamsso/seam/internal/ratelimit"
	"github.com/seamsso/seam/internal/store"
)

// During a database outage every request fails the same way: it answers
// 503 database_unavailable with Retry-After (never 500), and the log gets
// at most one line per outageLogEvery, counting the failures it stands for.
const (
	outageRetryAfterHeader = "5" // seconds
	outageLogEvery         = 10 * time.Second
)

// outageLog is the server's rate-limited reporter of database outages.
type outageLog struct {
	limiter    *ratelimit.Memory
	log        *slog.Logger
	suppressed atomic.Int64
}

type outageKey struct{}

// withOutageLog hands the server's outage reporter to writeError through
// the request context.
func (s *Server) withOutageLog(next http.Handler) http.Handler {
	// Its own small table: the log's 10 s window must not prune the abuse
	// limits' one-minute windows.
	o := &outageLog{limiter: ratelimit.NewMemory(s.clock, 4), log: s.log}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), outageKey{}, o)))
	})
}

// report logs an outage failure unless one was logged within
// outageLogEvery; the line says how many it stands for.
func (o *outageLog) report(ctx context.Context, err error) {
	if !o.limiter.Take("log\x00database_unavailable", ratelimit.Rule{Limit: 1, Window: outageLogEvery}).Allowed {
		o.suppressed.Add(1)
		return
	}
	loggerFrom(ctx).LogAttrs(ctx, slog.LevelError, "database unavailable",
		slog.String("error", errString(err)), slog.Int64("similar_failures_not_logged", o.suppressed.Swap(0)))
}

// unavailable converts a 5xx whose cause is an unreachable database into
// 503 database_unavailable, and reports it; other errors are returned as
// they are.
func unavailable(r *http.Request, err error) (*apierr.Error, bool) {
	e := apierr.As(err)
	if e.Status < 500 || !store.IsUnavailable(err) {
		return e, false
	}
	if o, ok := r.Context().Value(outageKey{}).(*outageLog); ok {
		o.report(r.Context(), err)
	} else {
		loggerFrom(r.Context()).Error("database unavailable", "error", errString(err))
	}
	return apierr.New(http.StatusServiceUnavailable, "database_unavailable",
		"The database is unreachable; retry after "+outageRetryAfterHeader+" s."), true
}

// writeUnavailable answers an outage failure, or reports false when err is
// something else.
func writeUnavailable(w http.ResponseWriter, r *http.Request, err error) bool {
	e, ok := unavailable(r, err)
	if !ok {
		return false
	}
	w.Header().Set("Retry-After", outageRetryAfterHeader)
	logctx.Note(r.Context(), logctx.What{ErrorType: e.Type})
	writeEnvelope(w, r, e)
	return true
}

// unavailableFailure is the login pages' form of an outage failure.
func unavailableFailure(w http.ResponseWriter, r *http.Request, f *login.Failure) bool {
	if f.Status < 500 || !store.IsUnavailable(f.Cause) {
		return false
	}
	e, _ := unavailable(r, apierr.Wrap(f.Cause, f.Status, f.ErrorType, f.Detail))
	f.Status, f.ErrorType, f.Detail, f.Cause = e.Status, e.Type, e.Message, nil
	w.Header().Set("Retry-After", outageRetryAfterHeader)
	return true
}
