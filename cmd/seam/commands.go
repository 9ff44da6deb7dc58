package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
)

var errUsage = errors.New("usage")

// errHelp is returned after -h/--help printed a command's usage: exit 0.
var errHelp = errors.New("help")

func versionString() string { return app.Version }

// commandFlags names the shared config flags each command takes; a command
// not listed takes all of them. The settings a command does not list still
// come from their SEAM_* variables (e.g. SEAM_BASE_URL, the session-JWT
// issuer, for session create), so --help lists only what the command uses.
var commandFlags = map[string][]string{
	"migrate":        {"database-url", "log-level", "log-format"},
	"project create": {"database-url", "log-level", "log-format"},
	"session create": {"database-url", "base-url", "rbac-policy", "jwt-key-rotation", "log-level", "log-format"},
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

// parse registers the command's config flags plus extra ones and parses args.
func parse(name string, args []string, env func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	return parseTo(name, args, env, nil, stderr, extra)
}

// parseTo is parse with the writer for --help output (stdout; nil means
// stderr).
func parseTo(name string, args []string, env func(string) string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	var cfg config.Config
	all := flag.NewFlagSet("seam "+name, flag.ContinueOnError)
	config.Register(all, env, &cfg)
	fs := all
	if names, ok := commandFlags[name]; ok {
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
	if stdout == nil {
		stdout = stderr
	}
	fs.Usage = func() {
		fs.SetOutput(stdout)
		defer fs.SetOutput(stderr)
		fmt.Fprintf(stdout, "usage: seam %s [flags]\n\nflags (each has the SEAM_* environment variable shown; a flag wins):\n", name)
		fs.PrintDefaults()
		fmt.Fprint(stdout, secretKeyHelp)
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

func project(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, "usage: seam project create --name NAME [--environment test|live] [--redirect-url URL ...] [--json]")
			return errHelp
		}
		fmt.Fprintln(stderr, "usage: seam project create --name NAME [--environment test|live] [--redirect-url URL ...] [--json]")
		return errUsage
	}
	var (
		name, environment string
		redirects         stringList
		asJSON            bool
	)
	cfg, err := parseTo("project create", args[1:], env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "project name (required)")
		fs.StringVar(&environment, "environment", "test", "test or live")
		fs.Var(&redirects, "redirect-url", "allowed login/signup redirect URL (repeatable)")
		fs.BoolVar(&asJSON, "json", false, "print credentials as JSON")
	})
	if err != nil {
		return err
	}
	if name == "" {
		fmt.Fprintln(stderr, "seam project create: --name is required")
		return errUsage
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	creds, err := a.Projects.Create(ctx, projects.CreateParams{
		Name: name, Environment: ids.Environment(environment), RedirectURLs: redirects,
	})
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(creds)
	}
	_, err = fmt.Fprintf(stdout, "project_id:   %s\nsecret:       %s\npublic_token: %s\n", creds.ProjectID, creds.Secret, creds.PublicToken)
	return err
}
