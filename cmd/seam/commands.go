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

func versionString() string { return app.Version }

// parse registers the shared config flags plus extra ones and parses args.
func parse(name string, args []string, env func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("seam "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config.Register(fs, env, &cfg)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
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
	cfg, err := parse("serve", args, env, stderr, nil)
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
	cfg, err := parse("migrate", args, env, stderr, nil)
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
		fmt.Fprintln(stderr, "usage: seam project create --name NAME [--environment test|live] [--redirect-url URL ...] [--json]")
		return errUsage
	}
	var (
		name, environment string
		redirects         stringList
		asJSON            bool
	)
	cfg, err := parse("project create", args[1:], env, stderr, func(fs *flag.FlagSet) {
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
