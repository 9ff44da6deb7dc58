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
