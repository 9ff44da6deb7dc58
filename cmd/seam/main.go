// Command seam is the Seam single sign-on server and its operator tooling.
//
//	seam serve                 run the HTTP API (zero setup: embedded SQLite)
//	seam migrate               apply database migrations and exit
//	seam project ...           administer projects: list, get, create, redirect URLs, secrets, public tokens
//	seam workspace-key ...     create, list and revoke workspace management keys
//	seam session create ...    mint a member session (operators and tests)
//	seam demo --project P      connect a test project to the built-in test IdP
//	seam healthcheck           probe the local server's /readyz (container health checks)
//	seam version               print the version, commit and Go version
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/events"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	warnUnknownVariables(os.Environ(), os.Getenv, os.Stderr)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `usage: seam <command> [flags]

commands:
  serve             run the HTTP API server
  migrate           apply database migrations and exit
  project create    create a project: --name NAME [--environment test|live] [--redirect-url URL ...] [--json]
  project list|get  list projects, show one (--project P)
  project redirect-url add|update|list|remove   --project P [--url U] [--type login,signup] [--default]
  project secret create|list|delete      --project P [--secret-id ID]  (rotate: create, then delete the old one)
  project public-token create|list|delete --project P [--public-token T]
  webhook create|list|update|delete|rotate-secret|deliveries|replay   webhook endpoints: --project P (docs/events.md)
  workspace-key create|list|revoke       keys for the administration API /pwa/v3/... [--key-id K]
  session create    mint a member session: --project P --organization O --member M [--duration 60m] [--json]
  demo              connect a test project to the built-in test IdP and print a login URL: --project P [--base-url URL] [--protocol saml|oidc] [--json]
  keys rotate-jwt   replace a project's session-JWT signing key now: --project P [--json]
  healthcheck       exit 0 when the local server's /readyz answers 200 (container health checks): [--live] [--url URL]
  version           print the version, commit and Go version

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
		// What an operator command changes is recorded as the CLI's doing.
		err = project(events.WithOrigin(ctx, cliOrigin()), rest, env, stdout, stderr)
	case "webhook":
		err = webhook(events.WithOrigin(ctx, cliOrigin()), rest, env, stdout, stderr)
	case "workspace-key":
		err = workspaceKey(ctx, rest, env, stdout, stderr)
	case "session":
		err = session(ctx, rest, env, stdout, stderr)
	case "demo":
		err = demo(ctx, rest, env, stdout, stderr)
	case "keys":
		err = keysCommand(ctx, rest, env, stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, rest, env, stdout, stderr)
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
		if err == errHelp {
			return 0
		}
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(stderr, "seam:", err)
		return 1
	}
	return 0
}

// warnUnknownVariables logs one warning naming the SEAM_* variables in
// environ that no setting reads: a misspelt name would otherwise leave the
// default in force without a word.
func warnUnknownVariables(environ []string, env func(string) string, stderr io.Writer) {
	unknown := config.UnknownVariables(environ)
	if len(unknown) == 0 {
		return
	}
	log := app.NewLogger(config.Config{LogLevel: env("SEAM_LOG_LEVEL"), LogFormat: env("SEAM_LOG_FORMAT")}, stderr)
	log.Warn("unknown SEAM_* environment variables are ignored; check their spelling (seam serve -h lists every setting)",
		slog.Any("variables", unknown))
}
