package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestHelperServe is not a test: TestSQLiteSurvivesSIGKILL runs the test
// binary again with SEAM_TEST_HELPER_SERVE=1 to get a `seam serve` process
// it can kill.
func TestHelperServe(t *testing.T) {
	if os.Getenv("SEAM_TEST_HELPER_SERVE") != "1" {
		t.Skip("helper process for TestSQLiteSurvivesSIGKILL")
	}
	os.Exit(run(context.Background(), []string{"serve"}, os.Getenv, os.Stdout, os.Stderr))
}

// TestSQLiteSurvivesSIGKILL kills a SQLite `seam serve` with SIGKILL in
// the middle of a write load, three times, restarting it on the same file:
// the database passes PRAGMA integrity_check and holds every organization
// whose create was acknowledged with 200. Loopback only, bounded.
func TestSQLiteSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "seam.db")
	addr := freeAddr(t)
	var pid, secret string
	var mu sync.Mutex
	acked := map[string]bool{}
	const rounds, writers = 3, 4
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
		cmd.Env = append(os.Environ(), "SEAM_TEST_HELPER_SERVE=1", "SEAM_ADDR="+addr,
			"SEAM_DATABASE_URL=sqlite:"+db, "SEAM_LOG_LEVEL=error")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		t.Cleanup(func() {
			if !killed {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		})
		lines := make(chan string, 64)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		waitHealthy(t, addr)
		if round == 0 { // the zero-setup bootstrap prints the project's credentials once
			deadline := time.After(10 * time.Second)
			for pid == "" || secret == "" {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatal("no credentials printed")
					}
					if f := strings.Fields(l); len(f) == 2 && f[0] == "project_id:" {
						pid = f[1]
					} else if len(f) == 2 && f[0] == "secret:" {
						secret = f[1]
					}
				case <-deadline:
					t.Fatal("no credentials printed")
				}
			}
		}
		go func() {
			for range lines { // drain
			}
		}()
		// Write load; the kill lands while requests are in flight.
		var wg sync.WaitGroup
		stopLoad := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				client := &http.Client{Timeout: 5 * time.Second}
				for i := 0; ; i++ {
					select {
					case <-stopLoad:
						return
					default:
					}
					slug := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					req, _ := http.NewRequest("POST", "http://"+addr+"/v1/b2b/organizations",
						strings.NewReader(`{"organization_name":"`+slug+`","organization_slug":"`+slug+`"}`))
					req.Header.Set("Content-Type", "application/json")
					req.SetBasicAuth(pid, secret)
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						mu.Lock()
						acked[slug] = true
						mu.Unlock()
					}
				}
			}(w)
		}
		time.Sleep(400 * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		killed = true
		close(stopLoad)
		wg.Wait()
	}
	if len(acked) < rounds {
		t.Fatalf("only %d creates were acknowledged: the load did not run", len(acked))
	}
	conn, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var check string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	rows, err := conn.Query("SELECT slug FROM organizations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	present := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		present[s] = true
	}
	for slug := range acked {
		if !present[slug] {
			t.Errorf("organization %s was acknowledged but is gone after SIGKILL", slug)
		}
	}
	t.Logf("%d acknowledged creates over %d SIGKILLs, all present", len(acked), rounds)
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
