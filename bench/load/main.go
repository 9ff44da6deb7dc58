// Command load is a small closed-loop load generator for a running Seam:
// N workers each send one request, wait for the answer, and send the next,
// for a fixed duration after a warm-up; it reports requests per second and
// latency percentiles.
//
//	go run ./bench/load -url http://127.0.0.1:8080 -project P -secret S \
//	    -concurrency 8 -duration 10s -scenario org-get
//
// Scenarios (-h lists them all): org-get, org-create, sessions-authenticate
// (needs -session-token), sessions-authenticate-jwt (needs -session-jwt),
// jwks, the searches, sso-get and sso-update, and three that run against a
// SAML connection they create: saml-login (a whole SP-initiated login with
// an in-process IdP, needs -public-token), acs-garbage and
// acs-untrusted-signature (refusals that must stay cheap).
// bench/load/run.sh starts Seam on SQLite and PostgreSQL, creates what the
// scenarios need and runs them all.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is everything a run needs; flags fill it.
type config struct {
	url          string
	project      string
	secret       string
	organization string
	sessionToken string
	sessionJWT   string
	publicToken  string
	scenario     string
	concurrency  int
	// rate, when above 0, paces the operations: together the workers start
	// at most rate per second (a worker behind schedule starts at once).
	rate      float64
	duration  time.Duration
	warmup    time.Duration
	timeout   time.Duration
	label     string
	asJSON    bool
	serverPID int
	pageSize  int
	idpKey    string
	// connection is set by the sso-update preparation: the SAML connection
	// it updates, which its after-run check reads back.
	connection string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "Seam base URL")
	fs.StringVar(&c.project, "project", "", "project ID (Basic auth user)")
	fs.StringVar(&c.secret, "secret", "", "project secret (Basic auth password); also read from SEAM_BENCH_SECRET")
	fs.StringVar(&c.organization, "organization", "", "organization for org-get (default: one created before the run)")
	fs.StringVar(&c.sessionToken, "session-token", "", "session token for sessions-authenticate; also read from SEAM_BENCH_SESSION_TOKEN")
	fs.StringVar(&c.sessionJWT, "session-jwt", "", "session JWT for sessions-authenticate-jwt; also read from SEAM_BENCH_SESSION_JWT")
	fs.StringVar(&c.publicToken, "public-token", "", "the project's public token, for saml-login; also read from SEAM_BENCH_PUBLIC_TOKEN")
	fs.StringVar(&c.scenario, "scenario", "org-get", "one of "+strings.Join(scenarioNames(), ", "))
	fs.IntVar(&c.concurrency, "concurrency", 8, "concurrent workers (each has one request in flight)")
	fs.Float64Var(&c.rate, "rate", 0, "operations per second all workers together start at most (0: as fast as answered); compares builds at the same throughput")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured duration")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured warm-up before the measured duration")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.StringVar(&c.label, "label", "", "free text copied into the report (e.g. the backend)")
	fs.BoolVar(&c.asJSON, "json", false, "print the report as one JSON object")
	fs.IntVar(&c.serverPID, "server-pid", 0, "PID of the Seam process on this machine: report its CPU time per request (Linux /proc)")
	fs.IntVar(&c.pageSize, "page-size", 100, "limit of each search request (org-search, member-search), 1 to 1000")
	fs.StringVar(&c.idpKey, "idp-key", "ecdsa", "the SAML scenarios' IdP key: ecdsa (P-256, cheap for the generator to sign with) or rsa (2048 bits, as most IdPs sign)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	// Secrets may come from the environment so that they stay out of
	// process listings.
	if c.secret == "" {
		c.secret = os.Getenv("SEAM_BENCH_SECRET")
	}
	if c.sessionToken == "" {
		c.sessionToken = os.Getenv("SEAM_BENCH_SESSION_TOKEN")
	}
	if c.sessionJWT == "" {
		c.sessionJWT = os.Getenv("SEAM_BENCH_SESSION_JWT")
	}
	if c.publicToken == "" {
		c.publicToken = os.Getenv("SEAM_BENCH_PUBLIC_TOKEN")
	}
	switch {
	case c.concurrency < 1 || c.concurrency > 4096:
		return nil, errors.New("-concurrency must be between 1 and 4096")
	case c.rate < 0 || c.rate > 1e6:
		return nil, errors.New("-rate must be between 0 and 1000000")
	case c.duration <= 0:
		return nil, errors.New("-duration must be positive")
	case c.warmup < 0:
		return nil, errors.New("-warmup must not be negative")
	case c.timeout <= 0:
		return nil, errors.New("-timeout must be positive")
	case c.pageSize < 1 || c.pageSize > 1000:
		return nil, errors.New("-page-size must be between 1 and 1000")
	case c.idpKey != "ecdsa" && c.idpKey != "rsa":
		return nil, errors.New("-idp-key must be ecdsa or rsa")
	}
	c.url = strings.TrimRight(c.url, "/")
	return &c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "load:", err)
		}
		return 2
	}
	client := newClient(c.concurrency, c.timeout)
	defer client.CloseIdleConnections()
	// Whatever a scenario starts for the run (the oidc-login provider) ends
	// with it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sc, err := prepare(ctx, client, c)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	rep, err := runLoad(ctx, client, c, sc)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	if check := scenarioDefs()[c.scenario].check; check != nil {
		if err := check(ctx, client, c); err != nil {
			fmt.Fprintln(stderr, "load:", c.scenario, "check after the run:", err)
			return 1
		}
		rep.Check = "passed"
	}
	if c.asJSON {
		err = json.NewEncoder(stdout).Encode(rep)
	} else {
		_, err = io.WriteString(stdout, rep.String())
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	return 0
}

// newClient keeps one idle connection per worker so that the run measures
// the server, not TCP handshakes.
func newClient(concurrency int, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = concurrency * 2
	tr.MaxIdleConnsPerHost = concurrency * 2
	tr.MaxConnsPerHost = 0
	return &http.Client{Transport: tr, Timeout: timeout}
}
