package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Cluster is a throwaway PostgreSQL cluster of the test's own: initdb in a
// temporary directory, listening on a free loopback port with trust auth.
// Fault tests stop and restart it; the shared server at 127.0.0.1:5432, which
// other tests use at the same time, is never touched.
type Cluster struct {
	dir  string
	port int
	// runAs is the user that runs the PostgreSQL binaries: they refuse to
	// run as root, so a root test runs them as "postgres".
	runAs string
}

// NewCluster starts a private cluster, stopped and removed at cleanup. It
// skips the test when initdb and pg_ctl are not installed.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	for _, bin := range []string{"initdb", "pg_ctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed: no private PostgreSQL cluster", bin)
		}
	}
	dir, err := os.MkdirTemp("", "seam-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user: initdb would refuse")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.runAs = "postgres"
	}
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	c.Start(t)
	return c
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	if err := c.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		t.Fatalf("pg_ctl start: %v\n%s", err, log)
	}
}

// Restart stops the cluster the way an operator's restart does (fast
// shutdown: sessions are terminated, open transactions roll back) and
// starts it again.
func (c *Cluster) Restart(t testing.TB) {
	t.Helper()
	if err := c.pgctl("stop", "-w", "-m", "fast"); err != nil {
		t.Fatalf("pg_ctl stop: %v", err)
	}
	c.Start(t)
}

func (c *Cluster) pgctl(args ...string) error {
	return c.run("pg_ctl", append([]string{"-D", c.data()}, args...)...)
}

func (c *Cluster) run(name string, args ...string) error {
	bin, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	if c.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs, "--", bin}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}
