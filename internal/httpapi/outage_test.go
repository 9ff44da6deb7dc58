package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// cutProxy is a loopback TCP proxy to PostgreSQL that the test can cut:
// while cut, open connections are closed and new ones are closed on
// accept, as when the database goes away. Only this test's connections go
// through it; the shared server is not disturbed.
type cutProxy struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func newCutProxy(t *testing.T, upstream string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		u, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[u] = struct{}{}, struct{}{}
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		go pipe(u, c)
		go pipe(c, u)
	}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// TestDatabaseOutageAnswers503: while PostgreSQL is unreachable, every
// request that needs it answers 503 database_unavailable with Retry-After
// and a request ID, never 500; a create refused during the outage has not
// committed; the server recovers without a restart.
func TestDatabaseOutageAnswers503(t *testing.T) {
	var proxy *cutProxy
	e := apptest.New(t, "postgres", func(c *config.Config) {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		proxy = newCutProxy(t, u.Host)
		u.Host = proxy.ln.Addr().String()
		c.DatabaseURL = u.String()
	})
	org := e.CreateOrg("Before", "before")
	orgPath := "/v1/b2b/organizations/" + org["organization_id"].(string)

	proxy.setCut(true)
	var refusedSlugs []string
	for i := 0; i < 15; i++ {
		slug := fmt.Sprintf("during-%d", i)
		calls := []struct {
			name string
			do   func() *apptest.Response
		}{
			{"get", func() *apptest.Response { return e.Call("GET", orgPath, nil) }},
			{"create", func() *apptest.Response {
				return e.Call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": slug, "organization_slug": slug})
			}},
			{"jwks", func() *apptest.Response {
				return e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/" + e.Creds.ProjectID, NoAuth: true})
			}},
		}
		for _, c := range calls {
			r := c.do()
			if r.Status == http.StatusOK && c.name == "create" {
				continue // committed before the cut took effect: it must be there afterwards
			}
			e.WantError(r, http.StatusServiceUnavailable, "database_unavailable")
			if r.Header.Get("Retry-After") == "" || r.Header.Get("X-Request-Id") == "" {
				t.Fatalf("%s: 503 without Retry-After or request ID: %v", c.name, r.Header)
			}
			if c.name == "create" {
				refusedSlugs = append(refusedSlugs, slug)
			}
		}
	}
	if len(refusedSlugs) == 0 {
		t.Fatal("no create was refused during the cut")
	}

	proxy.setCut(false)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := e.Call("GET", orgPath, nil)
		if r.Status == http.StatusOK {
			break
		}
		if r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the outage: %d %s", r.Status, r.Raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, slug := range refusedSlugs {
		if r := e.Call("GET", "/v1/b2b/organizations/"+slug, nil); r.Status != http.StatusNotFound {
			t.Fatalf("create of %s answered 503 but the organization exists: %d %s", slug, r.Status, r.Raw)
		}
	}
	e.CreateOrg("After", "after")
}
