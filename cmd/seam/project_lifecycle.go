package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/seamsso/seam/internal/admin"
	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/opt"
)

// projectRename renames a project (a Stytch environment) through the same
// service as PATCH /pwa/v3/projects/{slug}/environments/{env}.
func projectRename(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var id, name string
	var asJSON bool
	cfg, err := toolFlags("project rename", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		fs.StringVar(&name, "name", "", "the new name (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(stderr, "project rename", map[string]string{"project": id, "name": name}); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		slug, envSlug, err := a.Admin.Locate(ctx, id)
		if err != nil {
			return err
		}
		if _, err := a.Admin.UpdateEnvironment(ctx, slug, envSlug, admin.EnvironmentUpdate{Name: opt.Of(name)}); err != nil {
			return err
		}
		p, err := a.Projects.Get(ctx, id)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(stdout, projectOut(p))
		}
		fmt.Fprintf(stdout, "renamed %s to %q\n", p.ID, p.Name)
		return nil
	})
}

// projectDelete deletes a project (a Stytch environment) with everything it
// owns, through the same service as DELETE
// /pwa/v3/projects/{slug}/environments/{env}. --yes is required: nothing
// deleted can be recovered but from a backup.
func projectDelete(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var id string
	var yes, asJSON bool
	cfg, err := toolFlags("project delete", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		fs.BoolVar(&yes, "yes", false, "confirm: delete the project with its organizations, members, connections, sessions and credentials (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(stderr, "project delete", map[string]string{"project": id}); err != nil {
		return err
	}
	if !yes {
		fmt.Fprintln(stderr, "seam project delete: this deletes the project with all its organizations, members, connections, sessions and credentials; pass --yes to confirm")
		return errUsage
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		slug, envSlug, err := a.Admin.Locate(ctx, id)
		if err != nil {
			return err
		}
		if err := a.Admin.DeleteEnvironment(ctx, slug, envSlug); err != nil {
			return err
		}
		if asJSON {
			return printJSON(stdout, map[string]any{"project_id": id, "deleted": true})
		}
		fmt.Fprintf(stdout, "deleted %s\n", id)
		return nil
	})
}
