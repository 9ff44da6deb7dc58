package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/testdb"
)

// TestPostgresRestartUnderWriteLoad restarts a real PostgreSQL server (a
// private cluster on its own loopback port, never the shared one) while four
// writers create organizations: every answer during the outage is a 503
// with Retry-After and a request ID, never another 5xx; Seam recovers
// without a restart of its own; every create answered 200 is there
// afterwards, and none answered 503 committed. Bounded: about 8 s of load.
func TestPostgresRestartUnderWriteLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	cluster := testdb.NewCluster(t)
	e := apptest.New(t, "postgres", func(c *config.Config) { c.DatabaseURL = cluster.URL() })

	type outcome struct {
		slug   string
		status int
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     atomic.Bool
		wg       sync.WaitGroup
		seq      atomic.Int64
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				slug := fmt.Sprintf("w%d-%d", w, seq.Add(1))
				r := e.Call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": slug, "organization_slug": slug})
				if r.Status == http.StatusServiceUnavailable {
					if r.ErrorType() != "database_unavailable" || r.Header.Get("Retry-After") == "" || r.Header.Get("X-Request-Id") == "" {
						t.Errorf("503 without its envelope, Retry-After or request ID: %v %s", r.Header, r.Raw)
					}
					time.Sleep(50 * time.Millisecond) // as a client honouring Retry-After would, briefly
				}
				mu.Lock()
				outcomes = append(outcomes, outcome{slug, r.Status})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(2 * time.Second)
	restartAt := time.Now()
	cluster.Restart(t)
	restartTook := time.Since(restartAt)
	time.Sleep(4 * time.Second)
	stop.Store(true)
	wg.Wait()

	var acked, refused []string
	after := 0
	for i, o := range outcomes {
		switch o.status {
		case http.StatusOK:
			acked = append(acked, o.slug)
			if i > len(outcomes)/2 {
				after++
			}
		case http.StatusServiceUnavailable:
			refused = append(refused, o.slug)
		default:
			t.Errorf("create %s answered %d", o.slug, o.status)
		}
	}
	t.Logf("restart took %v; %d creates: %d answered 200, %d answered 503", restartTook.Round(time.Millisecond), len(outcomes), len(acked), len(refused))
	if len(refused) == 0 {
		t.Fatal("no create met the restart: the test did not observe the outage")
	}
	if after == 0 {
		t.Fatal("no create succeeded after the restart: Seam did not recover")
	}
	for _, slug := range acked {
		if r := e.Call("GET", "/v1/b2b/organizations/"+slug, nil); r.Status != http.StatusOK {
			t.Errorf("create of %s answered 200 but the organization is missing: %d", slug, r.Status)
		}
	}
	for _, slug := range refused {
		if r := e.Call("GET", "/v1/b2b/organizations/"+slug, nil); r.Status != http.StatusNotFound {
			t.Errorf("create of %s answered 503 but the organization exists: %d", slug, r.Status)
		}
	}
}
