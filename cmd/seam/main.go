// Command seam is the Seam single sign-on server and its operator tooling.
//
//	seam serve                 run the HTTP API (zero setup: embedded SQLite)
//	seam migrate               apply database migrations and exit
//	seam project create ...    create a project and print its credentials
//	seam session create ...    mint a member session (operators and tests)
//	seam demo --project P      connect a test project to the built-in test IdP
//	seam version               print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `usage: seam <command> [flags]

commands:
  serve             run the HTTP API server
  migrate           apply database migrations and exit
  project create    create a project: --name NAME [--environment test|live] [--redirect-url URL ...] [--json]
  session create    mint a member session: --project P --organization O --member M [--duration 60m] [--json]
  demo              connect a test project to the built-in test IdP and print a login URL: --project P [--protocol saml|oidc] [--json]
  version           print the version

Every flag has a SEAM_* environment variable; run "seam serve -h" for the list.
`

// run is main without process globals, so tests can call it.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = serve(ctx, rest, env, stdout, stderr)
	case "migrate":
		err = migrate(ctx, rest, env, stdout, stderr)
	case "project":
		err = project(ctx, rest, env, stdout, stderr)
	case "session":
		err = session(ctx, rest, env, stdout, stderr)
	case "demo":
		err = demo(ctx, rest, env, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "seam", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "seam: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(stderr, "seam:", err)
		return 1
	}
	return 0
}
