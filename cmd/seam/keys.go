package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/seamsso/seam/internal/app"
)

const keysUsage = `usage: seam keys <command> [flags]

commands:
  rotate-jwt --project P [--json]   replace the project's session-JWT signing key now; the old key stays
                                    in the JWKS and verifies for the grace period (docs/deploy.md#keys)
  rotate [--check] [--batch N] [--json]
                                    re-seal every value sealed under SEAM_SECRET_KEY_PREVIOUS under
                                    SEAM_SECRET_KEY (private keys, client secrets, login state, the
                                    master-key check); idempotent and resumable, safe with replicas
                                    serving; --check only counts what is left (docs/deploy.md#master-key-rotation)
`

func keysCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, keysUsage)
		return nil
	case "rotate-jwt":
	case "rotate":
		return keysRotate(ctx, args[1:], env, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "seam keys: unknown command %q\n\n%s", args[0], keysUsage)
		return errUsage
	}
	var projectID string
	var asJSON bool
	cfg, err := toolFlags("keys rotate-jwt", args[1:], env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(stderr, "keys rotate-jwt", map[string]string{"project": projectID}); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		p, err := a.Projects.Get(ctx, projectID)
		if err != nil {
			return err
		}
		k, err := a.Sessions.RotateSigningKey(ctx, p)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(stdout, k)
		}
		_, err = fmt.Fprintf(stdout, "new signing key %s (generation %d); published: %s\n", k.KID, k.Generation, strings.Join(k.Published, ", "))
		return err
	})
}
