package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/seamsso/seam/internal/store"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLogger
	keyProject
	keyRoute
	keyOrg
	keyAdmin // set by AdminHandler
)

// routeInfo lets the matched route report its pattern to the outer
// middleware (the mux sets Request.Pattern only on its own copy).
type routeInfo struct{ pattern string }

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// projectFrom returns the project authenticated by Basic auth.
func projectFrom(ctx context.Context) *store.Project {
	p, _ := ctx.Value(keyProject).(*store.Project)
	return p
}

// pathOrg returns the path's organization, resolved and authorized by the
// route's guard (routes declared with rbacRoute).
func pathOrg(r *http.Request) *store.Organization {
	o, _ := r.Context().Value(keyOrg).(*store.Organization)
	return o
}
