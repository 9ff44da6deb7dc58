package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/testdb"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a goroutine-safe output sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveInBackground runs `seam serve` until the returned stop is called and
// waits until it answers /healthz.
func serveInBackground(t *testing.T, env map[string]string) (addr string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	addr = freeAddr(t)
	vars := map[string]string{"SEAM_ADDR": addr, "SEAM_LOG_LEVEL": "info", "SEAM_DRAIN_PERIOD": "0s"}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, func(k string) string { return vars[k] }, stdout, stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	code := 0
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return addr, stdout, stderr, stop
}

func TestServeZeroSetupBootstrap(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "seam.db")
	env := map[string]string{"SEAM_DATABASE_URL": "sqlite:" + db}
	addr, stdout, stderr, stop := serveInBackground(t, env)
	out := stdout.String()
	var pid, secret string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "project_id:" {
			pid = f[1]
		}
		if len(f) == 2 && f[0] == "secret:" {
			secret = f[1]
		}
	}
	if !strings.HasPrefix(pid, "project-test-") || !strings.HasPrefix(secret, "secret-test-") || !strings.Contains(out, "public_token:") {
		t.Fatalf("bootstrap credentials not printed on stdout:\n%s", out)
	}
	if strings.Contains(stderr.String(), secret) {
		t.Fatal("the secret reached the log stream")
	}
	if !strings.Contains(out, "seam project redirect-url add --project "+pid+" --url ") || strings.Contains(out, "seam project create") {
		t.Errorf("the bootstrap hint does not show how to add a redirect URL to this project:\n%s", out)
	}
	if !strings.Contains(out, "seam demo --project "+pid+" --base-url http://"+addr+"\n") {
		t.Errorf("the bootstrap's demo command does not name this server's public URL http://%s:\n%s", addr, out)
	}
	if _, err := os.Stat(db + ".key"); err != nil || !strings.Contains(stderr.String(), "SEAM_SECRET_KEY is not set") {
		t.Fatalf("no key file or no warning: %v\n%s", err, stderr.String())
	}
	// The printed credentials work.
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/b2b/organizations", strings.NewReader(`{"organization_name":"A","organization_slug":"aa"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(pid, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("bootstrap credentials refused: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	// A second start on the same database prints nothing and keeps the data.
	_, stdout2, _, _ := serveInBackground(t, env)
	if stdout2.String() != "" {
		t.Fatalf("second start printed credentials again:\n%s", stdout2.String())
	}
}

func TestServeDrainsInFlightRequests(t *testing.T) {
	addr, _, stderr, stop := serveInBackground(t, map[string]string{"SEAM_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "seam.db")})
	// A request whose body is still arriving when shutdown begins.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `SAMLResponse=not-a-response`
	fmt.Fprintf(conn, "POST /v1/b2b/sso/callback/saml-connection-test-x HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	fmt.Fprint(conn, body[:5])
	time.Sleep(100 * time.Millisecond) // the server is now reading the body
	stopped := make(chan int, 1)
	go func() { stopped <- stop() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("serve stopped before the in-flight request finished")
	default:
	}
	fmt.Fprint(conn, body[5:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request was cut off: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNotFound { // unknown connection: answered, not dropped
		t.Fatalf("in-flight request answered %d", resp.StatusCode)
	}
	if code := <-stopped; code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	if !strings.Contains(stderr.String(), "draining in-flight requests") {
		t.Errorf("no drain log line:\n%s", stderr.String())
	}
}

// getStatus answers a GET with its status and error_type ("" on success).
func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var body struct {
		ErrorType string `json:"error_type"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.ErrorType
}

// On SIGTERM, /readyz turns 503 at once while requests are still served for
// the drain period; only then does the listener close.
func TestServeDrainPeriodReportsNotReadyAndKeepsServing(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			env := map[string]string{"SEAM_DATABASE_URL": testdb.URL(t, backend), "SEAM_DRAIN_PERIOD": "1500ms",
				"SEAM_SECRET_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}
			addr, _, stderr, stop := serveInBackground(t, env)
			if code, typ := getStatus(t, "http://"+addr+"/readyz"); code != 200 {
				t.Fatalf("/readyz before SIGTERM: %d %s", code, typ)
			}
			stopped := make(chan int, 1)
			begun := time.Now()
			go func() { stopped <- stop() }()
			deadline := time.Now().Add(time.Second)
			for {
				code, typ := getStatus(t, "http://"+addr+"/readyz")
				if code == 503 && typ == "draining" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("/readyz did not turn 503 draining: %d %s", code, typ)
				}
				time.Sleep(10 * time.Millisecond)
			}
			// Still serving: liveness and the API answer during the drain.
			if code, _ := getStatus(t, "http://"+addr+"/healthz"); code != 200 {
				t.Fatalf("/healthz during the drain period: %d", code)
			}
			if code, typ := getStatus(t, "http://"+addr+"/v1/b2b/organizations/organization-test-00000000-0000-4000-8000-000000000000"); code != 401 {
				t.Fatalf("API during the drain period: %d %s", code, typ)
			}
			if code := <-stopped; code != 0 {
				t.Fatalf("serve exited with %d: %s", code, stderr.String())
			}
			if took := time.Since(begun); took < 1500*time.Millisecond {
				t.Fatalf("serve stopped after %s, before the drain period", took)
			}
			if code, _ := getStatus(t, "http://"+addr+"/healthz"); code != 0 {
				t.Fatalf("still listening after shutdown: %d", code)
			}
			if !strings.Contains(stderr.String(), `"drain_period_ms":1500`) {
				t.Errorf("no drain log line with the period in ms:\n%s", stderr.String())
			}
		})
	}
}

// A replica given another master key than the one the database was written
// with refuses to start, naming SEAM_SECRET_KEY.
func TestServeRefusesWrongMasterKey(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{"SEAM_DATABASE_URL": testdb.URL(t, backend), "SEAM_LOG_LEVEL": "error",
				"SEAM_SECRET_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", "SEAM_ADDR": freeAddr(t)}
			env := func(k string) string { return vars[k] }
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"migrate"}, env, &out, &errOut); code != 0 {
				t.Fatalf("migrate: %d %s", code, errOut.String())
			}
			vars["SEAM_SECRET_KEY"] = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
			for _, args := range [][]string{{"serve"}, {"migrate"}, {"project", "create", "--name", "x"}} {
				out.Reset()
				errOut.Reset()
				code := run(context.Background(), args, env, &out, &errOut)
				if code == 0 || !strings.Contains(errOut.String(), "SEAM_SECRET_KEY: the master key does not open the values sealed in this database") {
					t.Fatalf("%v with another key: %d %s", args, code, errOut.String())
				}
			}
		})
	}
}

func TestCLIProjectCreateMigrateVersion(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{"SEAM_DATABASE_URL": testdb.URL(t, backend), "SEAM_LOG_LEVEL": "error"}
			if backend == "postgres" {
				// PostgreSQL needs the master key; without it every command refuses.
				env := func(k string) string { return vars[k] }
				var out, errOut bytes.Buffer
				if code := run(context.Background(), []string{"migrate"}, env, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "SEAM_SECRET_KEY is required") {
					t.Fatalf("migrate without a key on PostgreSQL: %d %s", code, errOut.String())
				}
				vars["SEAM_SECRET_KEY"] = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
			}
			env := func(k string) string { return vars[k] }
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(context.Background(), args, env, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			if code, out, errOut := cli("migrate"); code != 0 || !strings.Contains(out, "migrations applied") {
				t.Fatalf("migrate: %d %s %s", code, out, errOut)
			}
			code, out, errOut := cli("project", "create", "--name", "Live app", "--environment", "live",
				"--redirect-url", "https://app.example/cb", "--redirect-url", "https://app.example/signup", "--json")
			if code != 0 {
				t.Fatalf("project create: %d %s", code, errOut)
			}
			var creds map[string]string
			if err := json.Unmarshal([]byte(out), &creds); err != nil {
				t.Fatalf("not JSON: %q", out)
			}
			if !strings.HasPrefix(creds["project_id"], "project-live-") || !strings.HasPrefix(creds["secret"], "secret-live-") ||
				!strings.HasPrefix(creds["public_token"], "public-token-live-") {
				t.Fatalf("credentials = %v", creds)
			}
			for _, bad := range [][]string{
				{"project", "create", "--json"},
				{"project", "create", "--name", "x", "--environment", "staging"},
				{"project", "create", "--name", "x", "--redirect-url", "ftp://x"},
				{"project", "delete"},
				{"frobnicate"},
			} {
				if code, _, _ := cli(bad...); code == 0 {
					t.Errorf("%v succeeded", bad)
				}
			}
			if code, out, _ := cli("version"); code != 0 || !strings.HasPrefix(out, "seam ") {
				t.Errorf("version: %d %q", code, out)
			}
		})
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SEAM_DATABASE_URL": "postgres://nowhere.invalid/x", "SEAM_LOG_LEVEL": "error"}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"migrate", "--database-url", "sqlite:" + filepath.Join(dir, "f.db")},
		func(k string) string { return vars[k] }, &out, &errOut)
	if code != 0 {
		t.Fatalf("the flag did not win over SEAM_DATABASE_URL: %d %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "f.db")); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownVariablesAreWarnedAbout(t *testing.T) {
	for _, tc := range []struct {
		environ []string
		want    []string
	}{
		{[]string{"SEAM_ADDR=:8080", "PATH=/bin"}, nil},
		{[]string{"SEAM_LOG_LEVEL=warn", "SEAM_CLOCKSKEW=90s"}, []string{"SEAM_CLOCKSKEW (did you mean SEAM_CLOCK_SKEW?)"}},
	} {
		env := func(k string) string {
			for _, kv := range tc.environ {
				if n, v, _ := strings.Cut(kv, "="); n == k {
					return v
				}
			}
			return ""
		}
		var buf bytes.Buffer
		warnUnknownVariables(tc.environ, env, &buf)
		if tc.want == nil {
			if buf.Len() != 0 {
				t.Errorf("%v: warned %s", tc.environ, buf.String())
			}
			continue
		}
		var line struct {
			Level     string   `json:"level"`
			Variables []string `json:"variables"`
		}
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line.Level != "WARN" || strings.Join(line.Variables, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%v: %v %s", tc.environ, err, buf.String())
		}
	}
}

// A misconfigured variable stops every command before it touches the
// database, naming the variable.
func TestServeRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"SEAM_CLOCK_SKEW", "90", `SEAM_CLOCK_SKEW="90" (--clock-skew) is not a duration`},
		{"SEAM_JWT_KEY_ROTATION", "30d", `SEAM_JWT_KEY_ROTATION="30d"`},
		{"SEAM_LOG_LEVEL", "verbose", `SEAM_LOG_LEVEL="verbose"`},
	} {
		db := filepath.Join(t.TempDir(), "seam.db")
		vars := map[string]string{"SEAM_DATABASE_URL": "sqlite:" + db, "SEAM_ADDR": freeAddr(t), tc.name: tc.value}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"serve"}, func(k string) string { return vars[k] }, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%s=%s: %d %s", tc.name, tc.value, code, errOut.String())
		}
		if _, err := os.Stat(db); err == nil {
			t.Errorf("%s=%s: the database was created before the settings were checked", tc.name, tc.value)
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	admin := freeAddr(t)
	addr, _, _, stop := serveInBackground(t, map[string]string{"SEAM_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "seam.db"),
		"SEAM_DRAIN_PERIOD": "2s"})
	check := func(env map[string]string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"healthcheck"}, args...), func(k string) string { return env[k] }, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
	}{
		{map[string]string{"SEAM_ADDR": addr}, nil, 0},
		{map[string]string{"SEAM_ADDR": addr}, []string{"--live"}, 0},
		{nil, []string{"--url", "http://" + addr + "/readyz"}, 0},
		{map[string]string{"SEAM_ADDR": admin}, nil, 1}, // nothing listens there
		{map[string]string{"SEAM_ADDR": addr, "SEAM_ADMIN_ADDR": admin}, nil, 1},
	} {
		if code, out := check(tc.env, tc.args...); code != tc.code {
			t.Errorf("%v %v: exit %d, want %d: %s", tc.env, tc.args, code, tc.code, out)
		}
	}
	// Draining: the readiness check fails, the liveness check passes.
	go stop()
	deadline := time.Now().Add(time.Second)
	for {
		code, out := check(map[string]string{"SEAM_ADDR": addr})
		if code == 1 && strings.Contains(out, "503 draining") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthcheck while draining: %d %s", code, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, out := check(map[string]string{"SEAM_ADDR": addr}, "--live"); code != 0 {
		t.Fatalf("liveness while draining: %d %s", code, out)
	}
}
