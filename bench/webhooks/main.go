// Command webhooks measures the webhook dispatcher's throughput: N events
// already in the outbox of one project, one endpoint on a local receiver,
// and the time until the receiver has every event once. It runs the real
// dispatcher (internal/webhooks) with the guarded outbound client, on the
// database of -database-url.
//
//	go run ./bench/webhooks -database-url postgres://postgres@127.0.0.1:5432/DB -events 20000
//
// The receiver runs in this process and only counts message IDs (it does not
// verify signatures: that is the application's CPU, not Seam's). The report
// gives events/s and this process's CPU per event (dispatcher, receiver and
// the Go side of the database calls; PostgreSQL's own CPU is not in it).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/webhooks"
)

func main() {
	dbURL := flag.String("database-url", "", "PostgreSQL URL of an empty database (or sqlite:PATH)")
	n := flag.Int("events", 20000, "events to deliver")
	objects := flag.Int("objects", 0, "distinct objects the events are about (0: one per event)")
	batch := flag.Int("batch", 0, "dispatcher claim batch (0: default)")
	perEndpoint := flag.Int("per-endpoint", 0, "concurrent requests to the endpoint (0: default)")
	flag.Parse()
	if err := run(*dbURL, *n, *objects, *batch, *perEndpoint); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks bench:", err)
		os.Exit(1)
	}
}

func run(dbURL string, n, objects, batch, perEndpoint int) error {
	ctx := context.Background()
	key := make([]byte, 32)
	cfg := config.Config{DatabaseURL: dbURL, SecretKey: base64.StdEncoding.EncodeToString(key), OutboundAllow: "127.0.0.0/8",
		BaseURL: "http://127.0.0.1:1", LogLevel: "error", LogFormat: "json", EventsRetention: 30 * 24 * time.Hour}
	log := slog.New(slog.DiscardHandler)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	var mu sync.Mutex
	seen := map[string]bool{}
	done := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		if !seen[r.Header.Get("webhook-id")] {
			seen[r.Header.Get("webhook-id")] = true
			if len(seen) == n+1 { // + the endpoint's own create event
				close(done)
			}
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	creds, err := a.Projects.Create(ctx, projects.CreateParams{Name: "webhook bench", Environment: ids.Test})
	if err != nil {
		return err
	}
	p, err := a.Store.GetProject(ctx, creds.ProjectID)
	if err != nil {
		return err
	}
	if _, _, err := a.Webhooks.Create(ctx, p, webhooks.Params{URL: opt.Of("http://" + ln.Addr().String() + "/hook")}); err != nil {
		return err
	}
	if err := fill(ctx, a, p.ID, n, objects); err != nil {
		return err
	}

	d := *a.Dispatcher
	d.Options.Batch, d.Options.PerEndpoint, d.Options.Poll = batch, perEndpoint, 20*time.Millisecond
	cpu0 := processCPU()
	start := time.Now()
	rctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { d.Run(rctx); close(stopped) }()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		cancel()
		return fmt.Errorf("not every event arrived in 10 minutes (%d of %d)", len(seen), n+1)
	}
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	cancel()
	<-stopped
	out := map[string]any{
		"backend": a.Store.Backend(), "events": n, "objects": objects, "seconds": elapsed.Seconds(),
		"events_per_second": float64(n) / elapsed.Seconds(), "process_cpu_ms_per_event": float64(cpu.Milliseconds()) / float64(n),
		"gomaxprocs": runtime.GOMAXPROCS(0), "batch": d.Options.Batch, "per_endpoint": d.Options.PerEndpoint,
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// fill writes n events of the project, as the API would, 500 per
// transaction, with an organization-sized payload.
func fill(ctx context.Context, a *app.App, projectID string, n, objects int) error {
	obj := map[string]any{"organization_name": "Bench Org", "organization_slug": "bench", "trusted_metadata": map[string]any{},
		"sso_active_connections": []any{}, "email_allowed_domains": []string{"bench.example"}, "mfa_policy": "OPTIONAL"}
	g := ids.Generator{}
	for done := 0; done < n; {
		err := a.Store.Tx(ctx, func(q store.Queries) error {
			for i := 0; i < 500 && done < n; i++ {
				id := g.New(ids.Organization, ids.Test)
				if objects > 0 {
					id = fmt.Sprintf("organization-test-bench-%d", done%objects)
				}
				if err := a.Events.Record(ctx, q, events.Change{ProjectID: projectID, OrganizationID: id,
					ObjectType: events.ObjectOrganization, ObjectID: id, Action: events.Update, Object: obj}); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
