// Package httpapi is Seam's HTTP layer: routing, Stytch's error envelope,
// project authentication, member-session authorization, request IDs and
// JSON decoding. Handlers translate HTTP to domain-service calls and back;
// all rules live in the services.
package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seamsso/seam/internal/admin"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/login"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/ratelimit"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/scim"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/setup"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testidp"
	"github.com/seamsso/seam/internal/webhooks"
)

// Deps are the server's collaborators, all injected.
type Deps struct {
	Store         store.Store
	Projects      *projects.Service
	Admin         *admin.Service
	Organizations *organizations.Service
	SSO           *sso.Service
	Policies      rbac.Policies
	Login         *login.Service
	Members       *members.Service
	Sessions      *sessions.Service
	SCIM          *scim.Service
	TestIdP       *testidp.Service // the built-in test IdP; nil disables it
	// Setup serves setup links and the setup page; nil disables both.
	Setup *setup.Service
	// Authorizer checks member sessions; nil until sessions are configured.
	Authorizer Authorizer
	// Readiness decides GET /readyz; nil means a database ping only.
	Readiness Readiness
	// MetricsOnAdminOnly hides GET /metrics from the public handler (404);
	// AdminHandler serves it (SEAM_ADMIN_ADDR).
	MetricsOnAdminOnly bool
	Logger             *slog.Logger
	Clock              func() time.Time
	IDs                ids.Generator
	Registry           *prometheus.Registry
	BaseURL            string
	Version            string
	// Limits are the abuse limits; the zero value disables them.
	Limits Limits
	// Webhooks manages webhook endpoints; Events reads the events log.
	Webhooks *webhooks.Service
	Events   *events.Log
}

// Authorizer enforces RBAC for a member session presented in headers.
type Authorizer interface {
	AuthorizeSession(ctx context.Context, p *store.Project, org *store.Organization, sessionToken, sessionJWT, resource, action string) error
}

// Readiness reports whether this replica may receive traffic; its error is
// the 503 answer of GET /readyz.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Server is the HTTP API.
type Server struct {
	store    store.Store
	projects *projects.Service
	admin    *admin.Service
	orgs     *organizations.Service
	sso      *sso.Service
	policies rbac.Policies
	authz    Authorizer
	ready    Readiness
	// metricsAdminOnly: /metrics answers only through AdminHandler.
	metricsAdminOnly bool
	login            *login.Service
	members          *members.Service
	sessions         *sessions.Service
	scim             *scim.Service
	testIdP          *testidp.Service
	idpPages         *testidp.Pages
	setup            *setup.Service
	setupPages       *setup.Pages
	log              *slog.Logger
	clock            func() time.Time
	ids              ids.Generator
	metrics          *metrics
	registry         *prometheus.Registry
	baseURL          string
	version          string
	routes           []route
	limits           Limits
	limiter          *ratelimit.Memory
	handler          http.Handler
	// openapiJSON is GET /openapi.json, built from the route table at start.
	openapiJSON []byte
	webhooks    *webhooks.Service
	eventLog    *events.Log
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		store: d.Store, projects: d.Projects, orgs: d.Organizations, sso: d.SSO, policies: d.Policies, authz: d.Authorizer, ready: d.Readiness, metricsAdminOnly: d.MetricsOnAdminOnly, login: d.Login, log: d.Logger, clock: d.Clock,
		ids: d.IDs, registry: d.Registry, baseURL: d.BaseURL, version: d.Version,
		members: d.Members, sessions: d.Sessions, admin: d.Admin, scim: d.SCIM,
		testIdP: d.TestIdP, idpPages: testidp.NewPages(),
		setup: d.Setup, setupPages: setup.NewPages(),
		limits: d.Limits, limiter: ratelimit.NewMemory(d.Clock, 0),
		webhooks: d.Webhooks, eventLog: d.Events,
	}
	s.metrics = newMetrics(d.Registry)
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		s.routes = append(s.routes, rt)
		mux.Handle(rt.pattern, s.named(s.limitedBefore(rt, boundary(rt, s.guard(rt)))))
	}
	doc, err := json.Marshal(buildOpenAPI(s.routes, s.baseURL, s.version))
	if err != nil {
		panic(fmt.Sprintf("httpapi: the OpenAPI document does not encode: %v", err)) // a programming error in a declared type
	}
	s.openapiJSON = doc
	s.handler = s.observe(s.withOutageLog(s.fallback(mux)))
	return s
}

// AdminHandler serves GET /metrics, /healthz and /readyz only, for a
// separate listen address that the public load balancer does not reach.
func (s *Server) AdminHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metrics", "/healthz", "/readyz":
			s.handler.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyAdmin, true)))
		default:
			http.NotFound(w, r)
		}
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// named records the matched pattern for logs and metrics.
func (s *Server) named(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri, ok := r.Context().Value(keyRoute).(*routeInfo); ok {
			ri.pattern = r.Pattern
		}
		logctx.Note(r.Context(), logctx.What{ConnectionID: r.PathValue("connection_id")})
		h.ServeHTTP(w, r)
	})
}

// apiFunc is the shape of a JSON endpoint: it returns a status and a body
// object, or an error carrying its Stytch error_type.
type apiFunc func(r *http.Request) (int, any, error)

func (f apiFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body, err := f(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, r, status, body)
}
