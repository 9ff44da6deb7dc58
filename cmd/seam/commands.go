package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
)

var errUsage = errors.New("usage")

// errHelp is returned after -h/--help printed a command's usage: exit 0.
var errHelp = errors.New("help")

// versionString is the version, the commit and the Go version the binary
// was built from (what seam_build_info exports).
func versionString() string {
	b := app.ReadBuildInfo()
	return b.Version + " (commit " + b.Commit + ", " + b.GoVersion + ")"
}

// commandFlags names the shared config flags each command takes; a command
// not listed takes all of them. The settings a command does not list still
// come from their SEAM_* variables (e.g. SEAM_BASE_URL, the session-JWT
// issuer, for session create), so --help lists only what the command uses.
var commandFlags = map[string][]string{
	"migrate":        {"database-url", "log-level", "log-format"},
	"project create": {"database-url", "log-level", "log-format"},
	"session create": {"database-url", "base-url", "rbac-policy", "jwt-key-rotation", "log-level", "log-format"},
	// demo builds the connection's ACS URL from the public URL (base-url, by
	// default from addr, as in serve) and reads the test IdP's discovery
	// document through the outbound client.
	"demo": {"database-url", "addr", "base-url", "outbound-allow", "outbound-ca-file", "log-level", "log-format"},
}

// secretKeyHelp documents the one setting that has no flag.
const secretKeyHelp = `
environment only:
  SEAM_SECRET_KEY
    	master key (32 bytes, base64; openssl rand -base64 32) that encrypts private keys and client
    	secrets at rest; required with PostgreSQL. With SQLite and no key, a key file is kept beside
    	the database. Never a flag: command lines are visible to every user of the machine.
`

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// parseTo registers the command's config flags (commandFlags) plus extra
// ones and parses args; --help prints to stdout.
func parseTo(name string, args []string, env func(string) string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	return parseFlags(name, commandFlags[name], args, env, stdout, stderr, extra)
}

// parseFlags parses args with the named shared config flags (all of them
// when names is nil) plus the command's own.
func parseFlags(name string, names []string, args []string, env func(string) string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	var cfg config.Config
	all := flag.NewFlagSet("seam "+name, flag.ContinueOnError)
	config.Register(all, env, &cfg)
	fs := all
	if names != nil {
		fs = flag.NewFlagSet("seam "+name, flag.ContinueOnError)
		for _, n := range names {
			f := all.Lookup(n)
			fs.Var(f.Value, f.Name, f.Usage)
		}
	}
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fs.SetOutput(stdout)
		defer fs.SetOutput(stderr)
		fmt.Fprintf(stdout, "usage: seam %s [flags]\n\nflags (each has the SEAM_* environment variable shown; a flag wins):\n", name)
		fs.PrintDefaults()
		// The master key unseals what is in the database: only a command
		// that opens one needs it.
		if fs.Lookup("database-url") != nil {
			fmt.Fprint(stdout, secretKeyHelp)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "seam %s: unexpected argument %q\n", name, fs.Arg(0))
		return cfg, errUsage
	}
	return cfg, cfg.Finish()
}

func open(ctx context.Context, cfg config.Config, stderr io.Writer) (*app.App, error) {
	return app.Open(ctx, cfg, app.NewLogger(cfg, stderr))
}

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseTo("serve", args, env, stdout, stderr, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	if err := a.Bootstrap(ctx, stdout); err != nil {
		ln.Close()
		return fmt.Errorf("bootstrap: %w", err)
	}
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseTo("migrate", args, env, stdout, stderr, nil)
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(stdout, "migrations applied to", a.Store.Backend(), "database")
	return nil
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
