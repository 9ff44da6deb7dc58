// Package apptest starts a complete Seam (real store, real services, real
// HTTP server on loopback) for tests, with a project already created.
package apptest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/testdb"
)

// TestSecretKey is a fixed master key for tests (32 bytes of 0x01).
var TestSecretKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))

// Env is a running Seam for one test.
type Env struct {
	T       testing.TB
	App     *app.App
	Server  *httptest.Server
	URL     string
	Backend string
	Creds   *projects.Credentials
	// Clock is the app's clock; Advance it to test expiry.
	Clock *Clock
}

// Option adjusts the configuration before the app opens.
type Option func(*config.Config)

// New starts Seam on the backend ("sqlite" or "postgres") with a fresh
// database and one test project whose redirect allow-list holds
// http://app.test/callback and http://app.test/signup.
func New(t testing.TB, backend string, opts ...Option) *Env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := config.Config{
		Addr: srv.Listener.Addr().String(), DatabaseURL: testdb.URL(t, backend), BaseURL: base,
		SecretKey: TestSecretKey, LogLevel: "error", LogFormat: "json", ClockSkew: time.Minute,
		ShutdownTimeout: time.Second, SessionJWTKeyRotation: 24 * time.Hour,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	clock := &Clock{}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), app.WithClock(clock.Now))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv.Config.Handler = a.Server
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	e := &Env{T: t, App: a, Server: srv, URL: srv.URL, Backend: backend, Clock: clock}
	e.Creds = e.NewProject(ids.Test)
	return e
}

// NewProject creates another project in the same deployment.
func (e *Env) NewProject(env ids.Environment) *projects.Credentials {
	e.T.Helper()
	c, err := e.App.Projects.Create(context.Background(), projects.CreateParams{
		Name: "test", Environment: env, RedirectURLs: []string{"http://app.test/callback", "http://app.test/signup"},
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// Str returns a top-level string field.
func (r *Response) Str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// Obj returns a top-level object field.
func (r *Response) Obj(key string) map[string]any {
	m, _ := r.Body[key].(map[string]any)
	return m
}

// ErrorType returns error_type.
func (r *Response) ErrorType() string { return r.Str("error_type") }

// Request describes one call.
type Request struct {
	Method, Path string
	Body         any // marshalled as JSON unless it is a string or []byte
	Creds        *projects.Credentials
	NoAuth       bool
	Header       map[string]string
}

// Do performs a request with the project's Basic credentials.
func (e *Env) Do(req Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	c := req.Creds
	if c == nil {
		c = e.Creds
	}
	if !req.NoAuth {
		hr.SetBasicAuth(c.ProjectID, c.Secret)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.T.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.Path, raw, err)
		}
	}
	return out
}

// Call is Do for the common case.
func (e *Env) Call(method, path string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: method, Path: path, Body: body})
}

// MustOK fails the test unless the response is 200 and returns it.
func (e *Env) MustOK(r *Response) *Response {
	e.T.Helper()
	if r.Status != http.StatusOK {
		e.T.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	return r
}

// WantError fails unless the response is the envelope with status and type.
func (e *Env) WantError(r *Response, status int, errorType string) {
	e.T.Helper()
	if r.Status != status || r.ErrorType() != errorType {
		e.T.Fatalf("got %d %q, want %d %q: %s", r.Status, r.ErrorType(), status, errorType, r.Raw)
	}
	if !strings.HasPrefix(r.Str("request_id"), "request-id-") || r.Body["status_code"] != float64(status) ||
		r.Str("error_message") == "" || r.Str("error_url") == "" {
		e.T.Fatalf("malformed error envelope: %s", r.Raw)
	}
}

// CreateOrg creates an organization and returns its object.
func (e *Env) CreateOrg(name, slug string) map[string]any {
	e.T.Helper()
	r := e.MustOK(e.Call("POST", "/v1/b2b/organizations", map[string]any{
		"organization_name": name, "organization_slug": slug,
	}))
	return r.Obj("organization")
}

// ForEachBackend runs fn as a subtest on every store backend.
func ForEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range testdb.Backends {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// Browser returns an HTTP client with a cookie jar that does not follow
// redirects, for driving the browser-facing login endpoints step by step.
func (e *Env) Browser() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
