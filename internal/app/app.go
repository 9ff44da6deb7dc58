// Package app wires Seam's components from a Config: store, master key,
// domain services and the HTTP server. cmd/seam and the end-to-end tests
// both start Seam through it.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seamsso/seam/internal/admin"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/digestcache"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/health"
	"github.com/seamsso/seam/internal/httpapi"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/login"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/metadatarefresh"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/scim"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/setup"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/store/sqlstore"
	"github.com/seamsso/seam/internal/testidp"
	"github.com/seamsso/seam/internal/webhooks"
)

// Version is set at build time with -ldflags "-X github.com/seamsso/seam/internal/app.Version=...".
var Version = "dev"

// App is a running configuration of Seam.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Store    *sqlstore.Store
	Sealer   *keys.Sealer
	Projects *projects.Service
	Admin    *admin.Service
	Orgs     *organizations.Service
	SSO      *sso.Service
	// Policies decides each project's RBAC policy.
	Policies rbac.Policies
	Outbound *outbound.Client
	Login    *login.Service
	Members  *members.Service
	SCIM     *scim.Service
	Sessions *sessions.Service
	TestIdP  *testidp.Service
	Server   *httpapi.Server
	Health   *health.Checker
	Clock    func() time.Time
	IDs      ids.Generator
	Rand     io.Reader
	Events   *events.Recorder
	// Webhooks manages endpoints; Dispatcher delivers events to them
	// (started by Serve).
	Webhooks   *webhooks.Service
	Dispatcher *webhooks.Dispatcher

	// MetadataRefresh re-fetches SAML metadata URLs on schedule.
	MetadataRefresh *metadatarefresh.Worker
}

// Option adjusts an App before its services are built.
type Option func(*App)

// WithClock makes every service read time from now (tests move time).
func WithClock(now func() time.Time) Option { return func(a *App) { a.Clock = now } }

// Open connects the database (applying migrations), loads the master key
// and builds the services and HTTP server.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	backend, addr, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	var st *sqlstore.Store
	switch backend {
	case "sqlite":
		st, err = sqlstore.OpenSQLite(ctx, addr)
	default:
		st, err = sqlstore.OpenPostgres(ctx, addr)
	}
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Store: st, Clock: now, Rand: rand.Reader, IDs: ids.Generator{Rand: rand.Reader}}
	for _, o := range opts {
		o(a)
	}
	if err := a.loadMasterKey(backend, addr); err != nil {
		st.Close()
		return nil, err
	}
	a.Events = &events.Recorder{Now: a.Clock, IDs: a.IDs}
	policy, err := loadPolicy(cfg.RBACPolicyFile)
	if err != nil {
		st.Close()
		return nil, err
	}
	// The deployment's policy is the default of projects without their own.
	policies := rbac.Policies{Default: policy, Parsed: &digestcache.Cache[rbac.Policy]{Max: 256}}
	a.Policies = policies
	a.Projects = &projects.Service{Store: st, Now: a.Clock, IDs: a.IDs, Events: a.Events, Policies: policies}
	a.Admin = &admin.Service{Store: st, Projects: a.Projects, Now: a.Clock, IDs: a.IDs}
	a.Orgs = &organizations.Service{Store: st, Now: a.Clock, IDs: a.IDs, Events: a.Events}
	om := newOutboundMetrics()
	out, err := newOutbound(cfg, om.observe)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.Outbound = out
	a.SSO = &sso.Service{
		Store: st, Sealer: a.Sealer, Now: a.Clock, IDs: a.IDs, Rand: a.Rand, BaseURL: cfg.BaseURL, Policies: policies,
		Fetch: sso.MetadataFetcher{Client: out}, HTTPClient: out.HTTPClient(),
		OutboundAdmit: outboundAdmit(cfg, a.Clock), MetadataRefreshInterval: cfg.MetadataRefreshInterval,
		Events: a.Events,
	}
	a.Orgs.Hooks = organizations.Hooks{
		ConnectionBelongs: a.SSO.ConnectionBelongs,
		BeforeDelete:      a.SSO.DetachOrganization,
		RoleExists: func(ctx context.Context, q store.Queries, projectID string, org *store.Organization, roleID string) (bool, error) {
			p, err := policies.For(ctx, q, projectID)
			if err != nil {
				return false, err
			}
			return p.RoleExists(roleID, organizations.CustomRoles(org)), nil
		},
		Active: activeConnectionsHook(a.SSO),
	}
	a.Members = &members.Service{Store: st, Now: a.Clock, IDs: a.IDs, Policies: policies, Events: a.Events, OrgChanged: a.Orgs.RecordUpdate}
	a.Sessions = &sessions.Service{
		Store: st, Members: a.Members, Sealer: a.Sealer, Policies: policies, Now: a.Clock, Rand: a.Rand, IDs: a.IDs,
		Issuer: cfg.BaseURL, KeyRotation: cfg.SessionJWTKeyRotation,
	}
	a.SCIM = &scim.Service{Store: st, Members: a.Members, Events: a.Events, Policies: policies, Now: a.Clock, Rand: a.Rand, IDs: a.IDs, BaseURL: cfg.BaseURL}
	a.Login = &login.Service{
		Store: st, SSO: a.SSO, Projects: a.Projects, Sealer: a.Sealer, Now: a.Clock, Rand: a.Rand, IDs: a.IDs,
		ClockSkew: cfg.ClockSkew, Secure: config.SecureContext(cfg.BaseURL), Log: log,
		HTTPClient: out.HTTPClient(), Keys: oidc.NewKeyCache(oidc.KeyCacheOptions{Now: a.Clock}),
		Members: a.Members, Sessions: a.Sessions,
	}
	a.TestIdP = &testidp.Service{
		Store: st, Sealer: a.Sealer, Now: a.Clock, Rand: a.Rand, IDs: a.IDs, BaseURL: cfg.BaseURL,
		Organizations: a.Orgs, SSO: a.SSO,
	}
	a.Health = &health.Checker{Store: st, Sealer: a.Sealer, Now: a.Clock, Existing: func(ctx context.Context) error {
		k, err := st.OldestSessionSigningKey(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return a.Sessions.CanUnseal(k)
	}}
	// A replica with another master key must not start: it would answer
	// every login with a 500, or seal new values no other replica can open.
	if err := a.Health.VerifyMasterKey(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.openWebhooks(cfg); err != nil {
		st.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	a.Login.Metrics = a.registerMetrics(reg)
	lm := newLifecycleMetrics(reg)
	om.register(reg)
	a.SSO.MetadataMetrics = lm
	a.MetadataRefresh = a.newMetadataRefresh(lm)
	a.Server = httpapi.New(httpapi.Deps{
		Store: st, Projects: a.Projects, Admin: a.Admin, Organizations: a.Orgs, SSO: a.SSO, Login: a.Login, Policies: policies, Logger: log, Clock: a.Clock, IDs: a.IDs,
		Registry: reg, BaseURL: cfg.BaseURL, Version: Version,
		Members: a.Members, Sessions: a.Sessions, SCIM: a.SCIM, Authorizer: a.Sessions, TestIdP: a.TestIdP, Readiness: a.Health,
		MetricsOnAdminOnly: cfg.AdminAddr != "",
		Limits:             limitsFrom(cfg),
		Webhooks:           a.Webhooks, Events: &events.Log{Store: st},
		Setup: &setup.Service{Store: st, Now: a.Clock, IDs: a.IDs, BaseURL: cfg.BaseURL, Events: a.Events},
	})
	return a, nil
}

// loadMasterKey reads SEAM_SECRET_KEY, or with SQLite and no key, a key
// file beside the database (created on first start, with a warning).
func (a *App) loadMasterKey(backend, dbPath string) error {
	var key []byte
	var err error
	switch {
	case a.Config.SecretKey != "":
		key, err = keys.ParseMasterKey(a.Config.SecretKey)
		if err != nil {
			return fmt.Errorf("SEAM_SECRET_KEY: %w", err)
		}
	case backend == "sqlite":
		path := dbPath + ".key"
		var created bool
		key, created, err = keys.LoadOrCreateKeyFile(path, a.Rand)
		if err != nil {
			return fmt.Errorf("master key file %s: %w", path, err)
		}
		if created {
			a.Log.Warn("SEAM_SECRET_KEY is not set: generated a master key file beside the database; back it up with the database, and set SEAM_SECRET_KEY in production",
				slog.String("path", path))
		}
	default:
		return errors.New("SEAM_SECRET_KEY is required with PostgreSQL (32 bytes, base64): generate one with `openssl rand -base64 32`")
	}
	a.Sealer, err = keys.NewSealer(key, a.Rand)
	if err != nil || a.Config.SecretKeyPrevious == "" {
		return err
	}
	return a.withPreviousKey()
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// Bootstrap creates a test project on an empty SQLite database (the
// zero-setup mode) and prints its credentials once to out. The demo
// command it suggests names this server's public URL: seam demo builds the
// connection's ACS URL from it, and in another terminal it would otherwise
// take the default.
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	if a.Store.Backend() != "sqlite" {
		return nil
	}
	n, err := a.Store.CountProjects(ctx)
	if err != nil || n > 0 {
		return err
	}
	landing := a.TestIdP.LandingURL()
	creds, err := a.Projects.Create(ctx, projects.CreateParams{
		Name: "Bootstrap test project", Environment: ids.Test,
		RedirectURLs: []string{"http://localhost:3000/authenticate", landing},
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, `Seam created a test project on this empty database. These credentials are shown once:

  project_id:    %[1]s
  secret:        %[2]s
  public_token:  %[3]s
  redirect URLs: http://localhost:3000/authenticate (the login and signup default), %[4]s (the demo's landing page)

Add your application's redirect URL (it applies at once, no restart):

  seam project redirect-url add --project %[1]s --url https://your-app.example/authenticate --type login,signup --default

See "seam project -h" for secrets, public tokens and the administration API (docs/project-administration.md).

Try a first SSO login against the built-in test IdP: in another terminal run

  go run ./cmd/seam demo --project %[1]s --base-url %[5]s

and open the start URL it prints (docs/getting-started.md walks through it).

`, creds.ProjectID, creds.Secret, creds.PublicToken, landing, a.Config.BaseURL)
	return err
}

// Serve answers HTTP on ln until ctx is cancelled, then drains in-flight
// requests for up to the configured shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if err := a.StartupChecks(ctx); err != nil {
		return err
	}
	if a.Config.AdminAddr != "" {
		// Metrics and probes on their own address: it stays up through the
		// drain period (so /readyz reports draining) and closes last.
		aln, err := net.Listen("tcp", a.Config.AdminAddr)
		if err != nil {
			return fmt.Errorf("SEAM_ADMIN_ADDR: %w", err)
		}
		admin := &http.Server{Handler: a.Server.AdminHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10, ErrorLog: srv.ErrorLog}
		go func() { _ = admin.Serve(aln) }()
		defer admin.Close()
		a.Log.Info("listening for metrics and probes", slog.String("admin_addr", aln.Addr().String()))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.janitor(ctx)
	go a.checkpointer(ctx)
	go a.MetadataRefresh.Run(ctx)
	dispatched := make(chan struct{})
	go func() { a.Dispatcher.Run(ctx); close(dispatched) }()
	// The dispatcher stops with ctx and releases what it was sending; wait
	// for it so the store stays open until it has.
	defer func() { <-dispatched }()
	a.Log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", a.Config.BaseURL),
		slog.String("database", a.Store.Backend()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Readiness turns 503 at once; the load balancer needs a few probe
	// intervals to notice, and until then requests keep arriving and are
	// served. Only then does the listener close.
	a.Health.Drain()
	a.Log.Info("shutting down: /readyz answers 503, still serving during the drain period",
		slog.Float64("drain_period_ms", ms(a.Config.DrainPeriod)))
	if a.Config.DrainPeriod > 0 {
		t := time.NewTimer(a.Config.DrainPeriod)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return err
		}
	}
	a.Log.Info("shutting down: listener closed, draining in-flight requests", slog.Float64("timeout_ms", ms(a.Config.ShutdownTimeout)))
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ms is d in milliseconds, the unit of every duration Seam logs.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ErrorLogWindow is how long an ERROR line identical to one just written is
// suppressed.
const ErrorLogWindow = 10 * time.Second

// NewLogger builds the slog logger from the config, writing to w.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	// Lines logged with a request's context carry its request_id; an ERROR
	// line identical to one of the last ErrorLogWindow is dropped and
	// counted, so an outage logs a line per window, not per request.
	return slog.New(logctx.NewHandler(h, logctx.HandlerOptions{Window: ErrorLogWindow, Now: time.Now}))
}

// now is the production clock: UTC at the database's microsecond precision,
// so a value returned by the API equals the value read back later.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// loadPolicy reads the RBAC policy file, or returns the default policy.
func loadPolicy(path string) (rbac.Policy, error) {
	if path == "" {
		return rbac.DefaultPolicy(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return rbac.Policy{}, fmt.Errorf("RBAC policy: %w", err)
	}
	defer f.Close()
	p, err := rbac.LoadPolicy(f)
	if err != nil {
		return rbac.Policy{}, fmt.Errorf("RBAC policy %s: %w", path, err)
	}
	return p, nil
}

// janitor deletes expired login state and member sessions every few
// minutes. Every replica runs one; the deletes are idempotent, so replicas
// need no coordination.
func (a *App) janitor(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Login.Purge(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("purging expired login state failed", slog.String("error", err.Error()))
			}
			if _, err := a.Sessions.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("purging expired member sessions failed", slog.String("error", err.Error()))
			}
		}
	}
}
