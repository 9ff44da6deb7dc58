// Package logctx carries what one request's log lines share: its request
// ID, and the organization, connection and error type it turned out to
// concern, which the access line reports when the request ends. Domain
// packages note what they resolve (Note) and log with the request's context
// (slog's ...Context methods); Handler adds the request_id to every such
// line and rate-limits repeated identical ERROR lines.
package logctx

import (
	"context"
	"log/slog"
	"sync"
)

type ctxKey struct{}

// Fields are the facts of one request that its access line reports.
type Fields struct {
	requestID string

	mu             sync.Mutex
	errorType      string
	reason         string
	projectID      string
	organizationID string
	connectionID   string
}

// Start returns ctx carrying a new Fields for the request requestID.
func Start(ctx context.Context, requestID string) (context.Context, *Fields) {
	f := &Fields{requestID: requestID}
	return context.WithValue(ctx, ctxKey{}, f), f
}

func from(ctx context.Context) *Fields {
	if ctx == nil {
		return nil
	}
	f, _ := ctx.Value(ctxKey{}).(*Fields)
	return f
}

// RequestID returns the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	if f := from(ctx); f != nil {
		return f.requestID
	}
	return ""
}

// What a request concerned; Note ignores empty values and keeps the first
// error type (the one the client saw).
type What struct {
	ProjectID      string
	OrganizationID string
	ConnectionID   string
	ErrorType      string
	// Reason is the typed login rejection reason, when it differs from
	// the error type.
	Reason string
}

// Note records w on the request of ctx; a context without one is ignored.
func Note(ctx context.Context, w What) {
	f := from(ctx)
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	set := func(p *string, v string) {
		if v != "" {
			*p = v
		}
	}
	set(&f.projectID, w.ProjectID)
	set(&f.organizationID, w.OrganizationID)
	set(&f.connectionID, w.ConnectionID)
	if f.errorType == "" {
		f.errorType = w.ErrorType
	}
	if f.reason == "" {
		f.reason = w.Reason
	}
}

// Attrs are the noted facts as log attributes, only those that are known.
func (f *Fields) Attrs() []slog.Attr {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slog.Attr
	add := func(k, v string) {
		if v != "" {
			out = append(out, slog.String(k, v))
		}
	}
	add("error_type", f.errorType)
	add("reason", f.reason)
	add("project_id", f.projectID)
	add("organization_id", f.organizationID)
	add("connection_id", f.connectionID)
	return out
}

// ErrorType returns the noted error type.
func (f *Fields) ErrorType() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errorType
}
