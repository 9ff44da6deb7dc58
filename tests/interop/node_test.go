package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// nodeHelper is a Node process running one of the IdPs in this directory.
type nodeHelper struct {
	Info map[string]any // the JSON line it printed when ready
	logs *lockedBuffer
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startNode runs `node script` in dir, writes config as one JSON line to
// its stdin and waits for the JSON line it prints on stdout once it listens.
// The process exits when its stdin closes, at cleanup. Its stderr is shown
// if the test fails.
func startNode(t *testing.T, dir, script string, config any) *nodeHelper {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("%s/node_modules is missing: run tests/interop/setup.sh (npm ci in each Node helper) before go test", dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (Node 20+ is needed for the interop IdPs): %v", err)
	}
	line, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_ENV=test")
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node %s: %v", script, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", script, logs.String())
		}
	})
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		t.Fatalf("writing config to %s: %v", script, err)
	}
	ready := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var info map[string]any
			if json.Unmarshal(sc.Bytes(), &info) == nil && info["url"] != nil {
				ready <- info
				break
			}
		}
		// Keep draining so the child never blocks on a full pipe.
		for sc.Scan() {
		}
	}()
	select {
	case info := <-ready:
		return &nodeHelper{Info: info, logs: logs}
	case <-done:
		t.Fatalf("node %s exited before it was ready (its stderr follows)", script)
	case <-time.After(60 * time.Second):
		t.Fatalf("node %s not ready after 60s (its stderr follows)", script)
	}
	return nil
}

// URL is the base URL the helper listens on.
func (h *nodeHelper) URL() string { return h.Info["url"].(string) }
