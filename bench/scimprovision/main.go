// Command scimprovision measures SCIM provisioning as an IdP pushes it: it
// creates an organization and its SCIM connection through the management
// API, then POSTs -users users to /Users from -concurrency clients and
// reports the wall time, throughput and latency percentiles; then it times
// filtered lookups (userName eq, externalId eq, emails.value eq) against
// the full directory. The project secret comes from SEAM_BENCH_SECRET, never
// from the command line. Used by bench/scimprovision/run.sh.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scimprovision:", err)
		os.Exit(1)
	}
}

type config struct {
	base, project, secret string
	users, concurrency    int
	lookups               int
	serverPID, clockTicks int
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("scimprovision", flag.ContinueOnError)
	var c config
	fs.StringVar(&c.base, "url", "http://127.0.0.1:18080", "seam base URL")
	fs.StringVar(&c.project, "project", "", "project ID (the secret is SEAM_BENCH_SECRET)")
	fs.IntVar(&c.users, "users", 10000, "users to provision")
	fs.IntVar(&c.concurrency, "concurrency", 4, "concurrent clients")
	fs.IntVar(&c.lookups, "lookups", 300, "filtered lookups of each kind after provisioning")
	fs.IntVar(&c.serverPID, "server-pid", 0, "seam serve's process ID: report its CPU time during provisioning (Linux /proc)")
	fs.IntVar(&c.clockTicks, "clock-ticks", 100, "clock ticks per second of /proc/PID/stat (getconf CLK_TCK)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.secret = os.Getenv("SEAM_BENCH_SECRET")
	if c.project == "" || c.secret == "" {
		return errors.New("-project and SEAM_BENCH_SECRET are required")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency}}
	scimBase, token, err := setup(ctx, client, c)
	if err != nil {
		return err
	}

	cost, err := startCost(ctx, client, c)
	if err != nil {
		return err
	}
	var next atomic.Int64
	lat := make([][]time.Duration, c.concurrency)
	errs := make([]error, c.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(c.users) {
					return
				}
				t0 := time.Now()
				status, body, err := do(ctx, client, "POST", scimBase+"/Users", token, newUser(i))
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("user %d: status %d: %s", i, status, body)
				}
				if err != nil {
					errs[w] = err
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	p := percentiles(all)
	fmt.Fprintf(out, "provisioned %d users with %d clients in %.2f s: %.0f users/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		len(all), c.concurrency, elapsed.Seconds(), float64(len(all))/elapsed.Seconds(), ms(p[0]), ms(p[1]), ms(p[2]), ms(p[3]))
	if err := cost.report(ctx, out, len(all)); err != nil {
		return err
	}

	if c.lookups <= 0 {
		return nil
	}
	for _, f := range []struct{ name, filter string }{
		{"userName eq", `userName eq "user%d@scim-bench.test"`},
		{"externalId eq", `externalId eq "ext-%d"`},
		{"emails.value eq", `emails.value eq "user%d@scim-bench.test"`},
	} {
		var ls []time.Duration
		for i := 0; i < c.lookups; i++ {
			n := (i * 7919) % c.users
			t0 := time.Now()
			status, body, err := do(ctx, client, "GET", scimBase+"/Users?filter="+url.QueryEscape(fmt.Sprintf(f.filter, n)), token, nil)
			if err != nil {
				return err
			}
			var list struct {
				TotalResults int `json:"totalResults"`
			}
			if status != http.StatusOK || json.Unmarshal(body, &list) != nil || list.TotalResults != 1 {
				return fmt.Errorf("%s %d: status %d: %s", f.name, n, status, body)
			}
			ls = append(ls, time.Since(t0))
		}
		p := percentiles(ls)
		fmt.Fprintf(out, "filter %s over %d users: %d lookups, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n", f.name, c.users, len(ls), ms(p[0]), ms(p[1]), ms(p[2]))
	}
	return nil
}

// setup creates an organization and its SCIM connection; it returns the
// SCIM base URL and bearer token.
func setup(ctx context.Context, client *http.Client, c config) (string, string, error) {
	slug := fmt.Sprintf("scim-bench-%d", time.Now().UnixNano())
	var org struct {
		Organization struct {
			ID string `json:"organization_id"`
		} `json:"organization"`
	}
	if err := mgmt(ctx, client, c, "POST", "/v1/b2b/organizations", map[string]any{"organization_name": "SCIM bench", "organization_slug": slug}, &org); err != nil {
		return "", "", err
	}
	var conn struct {
		Connection struct {
			BaseURL string `json:"base_url"`
			Token   string `json:"bearer_token"`
		} `json:"connection"`
	}
	if err := mgmt(ctx, client, c, "POST", "/v1/b2b/scim/"+org.Organization.ID+"/connection", map[string]any{"identity_provider": "okta"}, &conn); err != nil {
		return "", "", err
	}
	return conn.Connection.BaseURL, conn.Connection.Token, nil
}

func mgmt(ctx context.Context, client *http.Client, c config, method, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.project, c.secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

func do(ctx context.Context, client *http.Client, method, u, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// newUser is an Okta-shaped create request for user i.
func newUser(i int64) map[string]any {
	email := fmt.Sprintf("user%d@scim-bench.test", i)
	return map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":   email,
		"externalId": fmt.Sprintf("ext-%d", i),
		"name":       map[string]any{"givenName": "User", "familyName": fmt.Sprint(i)},
		"emails":     []any{map[string]any{"value": email, "type": "work", "primary": true}},
		"active":     true,
	}
}

func percentiles(d []time.Duration) [4]time.Duration {
	if len(d) == 0 {
		return [4]time.Duration{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return [4]time.Duration{at(0.50), at(0.95), at(0.99), d[len(d)-1]}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
