package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/store"
)

const projectUsage = `usage: seam project <command> [flags]

commands:
  list                              list projects
  get --project P                   show a project
  rename --project P --name NAME    rename a project
  delete --project P --yes          delete a project with everything it owns
  create --name NAME ...            create a project and print its credentials
  redirect-url add|update|list|remove   manage redirect URLs: --project P [--url U] [--type login,signup] [--default]
  secret create|list|delete         manage secrets: --project P [--secret-id ID]
  public-token create|list|delete   manage public tokens: --project P [--public-token T]
  rbac-policy get|set               show or replace the project's RBAC policy: --project P [--file F]

Every command takes --json and --database-url (SEAM_DATABASE_URL); run "seam project <command> -h" for its flags.
They work while "seam serve" runs on the same database.
`

// toolFlags parses the flags of an administration command: its own, plus
// --database-url and the log flags. The other settings come from SEAM_*
// variables, so that --help lists only what the command uses.
func toolFlags(name string, args []string, env func(string) string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	return parseFlags(name, []string{"database-url", "log-level", "log-format"}, args, env, stdout, stderr, extra)
}

// tool runs fn with an opened App for an administration command.
func tool(ctx context.Context, cfg config.Config, stderr io.Writer, fn func(a *app.App) error) error {
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func required(stderr io.Writer, cmd string, flags map[string]string) error {
	for name, v := range flags {
		if v == "" {
			fmt.Fprintf(stderr, "seam %s: --%s is required\n", cmd, name)
			return errUsage
		}
	}
	return nil
}

func printJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func project(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, projectUsage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "create":
		return projectCreate(ctx, rest, env, stdout, stderr)
	case "list":
		return projectList(ctx, rest, env, stdout, stderr)
	case "get":
		return projectGet(ctx, rest, env, stdout, stderr)
	case "rename":
		return projectRename(ctx, rest, env, stdout, stderr)
	case "delete":
		return projectDelete(ctx, rest, env, stdout, stderr)
	case "redirect-url":
		return redirectURL(ctx, rest, env, stdout, stderr)
	case "secret":
		return secret(ctx, rest, env, stdout, stderr)
	case "public-token":
		return publicToken(ctx, rest, env, stdout, stderr)
	case "rbac-policy":
		return rbacPolicy(ctx, rest, env, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, projectUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "seam project: unknown command %q\n\n%s", cmd, projectUsage)
		return errUsage
	}
}

func projectCreate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var (
		name, environment string
		redirects         stringList
		asJSON            bool
	)
	cfg, err := toolFlags("project create", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "project name (required)")
		fs.StringVar(&environment, "environment", "test", "test or live")
		fs.Var(&redirects, "redirect-url", "redirect URL for login and signup (repeatable; the first is the default)")
		fs.BoolVar(&asJSON, "json", false, "print credentials as JSON")
	})
	if err != nil {
		return err
	}
	if err := required(stderr, "project create", map[string]string{"name": name}); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		creds, err := a.Projects.Create(ctx, projects.CreateParams{
			Name: name, Environment: ids.Environment(environment), RedirectURLs: redirects,
		})
		if err != nil {
			return err
		}
		hint := stdout
		if asJSON {
			err = printJSON(stdout, creds)
			hint = stderr // keep the JSON on stdout parseable
		} else {
			_, err = fmt.Fprintf(stdout, "project_id:   %s\nsecret:       %s\npublic_token: %s\n", creds.ProjectID, creds.Secret, creds.PublicToken)
		}
		if err == nil && len(redirects) == 0 {
			// A login or signup must end on a registered redirect URL.
			_, err = fmt.Fprintf(hint, "\nThe project has no redirect URL yet, so no login or signup can complete. Register your application's:\n\n"+
				"  seam project redirect-url add --project %s --url https://your-app.example/authenticate --type login,signup --default\n", creds.ProjectID)
		}
		return err
	})
}

// projectJSON is a project as the CLI prints it.
type projectJSON struct {
	ProjectID       string    `json:"project_id"`
	Name            string    `json:"name"`
	Environment     string    `json:"environment"`
	ProjectSlug     string    `json:"project_slug"`
	EnvironmentSlug string    `json:"environment_slug"`
	CreatedAt       time.Time `json:"created_at"`
}

func projectOut(p *store.Project) projectJSON {
	return projectJSON{ProjectID: p.ID, Name: p.Name, Environment: p.Environment, ProjectSlug: p.ProjectSlug,
		EnvironmentSlug: p.EnvironmentSlug, CreatedAt: p.CreatedAt}
}

func projectList(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	cfg, err := toolFlags("project list", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		ps, err := a.Projects.List(ctx)
		if err != nil {
			return err
		}
		out := make([]projectJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, projectOut(p))
		}
		if asJSON {
			return printJSON(stdout, map[string]any{"projects": out})
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROJECT_ID\tENVIRONMENT\tNAME\tPROJECT_SLUG/ENVIRONMENT_SLUG")
		for _, p := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s/%s\n", p.ProjectID, p.Environment, p.Name, p.ProjectSlug, p.EnvironmentSlug)
		}
		return tw.Flush()
	})
}

func projectGet(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var id string
	var asJSON bool
	cfg, err := toolFlags("project get", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(stderr, "project get", map[string]string{"project": id}); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		p, err := a.Projects.Get(ctx, id)
		if err != nil {
			return err
		}
		secrets, err := a.Projects.ListSecrets(ctx, id)
		if err != nil {
			return err
		}
		tokens, err := a.Projects.ListPublicTokens(ctx, id)
		if err != nil {
			return err
		}
		urls, err := a.Projects.ListRedirectURLs(ctx, id)
		if err != nil {
			return err
		}
		out := struct {
			projectJSON
			Secrets      []projects.MaskedSecret `json:"secrets"`
			PublicTokens []projects.PublicToken  `json:"public_tokens"`
			RedirectURLs []projects.RedirectURL  `json:"redirect_urls"`
		}{projectOut(p), secrets, tokens, urls}
		if asJSON {
			return printJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "project_id:       %s\nname:             %s\nenvironment:      %s\nproject_slug:     %s\nenvironment_slug: %s\n",
			p.ID, p.Name, p.Environment, p.ProjectSlug, p.EnvironmentSlug)
		fmt.Fprintf(stdout, "secrets:          %d\npublic_tokens:    %d\n", len(secrets), len(tokens))
		for _, t := range tokens {
			fmt.Fprintf(stdout, "  %s\n", t.PublicToken)
		}
		fmt.Fprintf(stdout, "redirect_urls:    %d\n", len(urls))
		printRedirects(stdout, urls)
		return nil
	})
}

func printRedirects(w io.Writer, urls []projects.RedirectURL) {
	for _, u := range urls {
		var types []string
		for _, t := range u.ValidTypes {
			s := strings.ToLower(t.Type)
			if t.IsDefault {
				s += " (default)"
			}
			types = append(types, s)
		}
		fmt.Fprintf(w, "  %s  %s\n", u.URL, strings.Join(types, ", "))
	}
}

func subcommand(group string, args []string, stderr io.Writer, names ...string) (string, []string, error) {
	usage := fmt.Sprintf("usage: seam project %s %s --project P [flags]; run with -h for the flags\n", group, strings.Join(names, "|"))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return "", nil, errUsage
	}
	for _, n := range names {
		if args[0] == n {
			return n, args[1:], nil
		}
	}
	fmt.Fprintf(stderr, "seam project %s: unknown command %q\n%s", group, args[0], usage)
	return "", nil, errUsage
}

func redirectURL(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cmd, rest, err := subcommand("redirect-url", args, stderr, "add", "update", "list", "remove")
	if err != nil {
		return err
	}
	name := "project redirect-url " + cmd
	var (
		id, rawURL, types string
		isDefault, asJSON bool
	)
	cfg, err := toolFlags(name, rest, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		if cmd != "list" {
			fs.StringVar(&rawURL, "url", "", "redirect URL (required)")
		}
		switch cmd {
		case "add":
			fs.StringVar(&types, "type", "login,signup", "comma-separated types: login, signup, invite, discovery")
			fs.BoolVar(&isDefault, "default", false, "make the URL the default of each of its types")
		case "update":
			fs.StringVar(&types, "type", "", "comma-separated types that replace the URL's: login, signup, invite, discovery (default: keep its types)")
			fs.BoolVar(&isDefault, "default", false, "make the URL the default of each of its types (without it, it stays the default of the types it was)")
		}
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	need := map[string]string{"project": id}
	if cmd != "list" {
		need["url"] = rawURL
	}
	if err := required(stderr, name, need); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		switch cmd {
		case "add", "update":
			u, err := changeRedirect(ctx, a, cmd, id, rawURL, types, isDefault)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"redirect_url": u})
			}
			printRedirects(stdout, []projects.RedirectURL{*u})
		case "list":
			urls, err := a.Projects.ListRedirectURLs(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"redirect_urls": urls})
			}
			printRedirects(stdout, urls)
		case "remove":
			if err := a.Projects.DeleteRedirectURL(ctx, id, rawURL, false); err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"removed": rawURL})
			}
			fmt.Fprintln(stdout, "removed", rawURL)
		}
		return nil
	})
}

// changeRedirect adds a redirect URL or updates a registered one, with the
// types and defaults the flags give.
func changeRedirect(ctx context.Context, a *app.App, cmd, projectID, rawURL, types string, isDefault bool) (*projects.RedirectURL, error) {
	if cmd == "add" {
		vt, err := projects.ParseTypes(types)
		if err != nil {
			return nil, err
		}
		for i := range vt {
			vt[i].IsDefault = isDefault
		}
		return a.Projects.AddRedirectURL(ctx, projectID, projects.RedirectChange{URL: rawURL, ValidTypes: vt})
	}
	cur, err := a.Projects.GetRedirectURL(ctx, projectID, rawURL)
	if err != nil {
		return nil, err
	}
	vt, err := updatedTypes(cur.ValidTypes, types, isDefault)
	if err != nil {
		return nil, err
	}
	return a.Projects.UpdateRedirectURL(ctx, projectID, projects.RedirectChange{URL: rawURL, ValidTypes: vt})
}

// updatedTypes is what `redirect-url update` sets, as PUT .../redirect_urls
// takes it (the whole list): the --type list, or the URL's current types
// when none is given; each is the default when --default is given or when
// the URL already was that type's default, so that changing a URL's types
// does not silently hand its defaults to another URL.
func updatedTypes(current []store.RedirectURLType, list string, isDefault bool) ([]store.RedirectURLType, error) {
	was := map[string]bool{}
	for _, t := range current {
		was[t.Type] = t.IsDefault
	}
	out := append([]store.RedirectURLType{}, current...)
	if list != "" {
		var err error
		if out, err = projects.ParseTypes(list); err != nil {
			return nil, err
		}
	}
	for i := range out {
		out[i].IsDefault = isDefault || was[out[i].Type]
	}
	return out, nil
}

func secret(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cmd, rest, err := subcommand("secret", args, stderr, "create", "list", "delete")
	if err != nil {
		return err
	}
	name := "project secret " + cmd
	var id, secretID string
	var asJSON bool
	cfg, err := toolFlags(name, rest, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		if cmd == "delete" {
			fs.StringVar(&secretID, "secret-id", "", "ID of the secret to delete (required)")
		}
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	need := map[string]string{"project": id}
	if cmd == "delete" {
		need["secret-id"] = secretID
	}
	if err := required(stderr, name, need); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		switch cmd {
		case "create":
			s, err := a.Projects.CreateSecret(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]string{"secret_id": s.SecretID, "secret": s.Secret})
			}
			fmt.Fprintf(stdout, "secret_id: %s\nsecret:    %s\n(shown once; the project's other secrets stay valid until you delete them)\n", s.SecretID, s.Secret)
		case "list":
			list, err := a.Projects.ListSecrets(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"secrets": list})
			}
			for _, s := range list {
				fmt.Fprintf(stdout, "%s  ...%s  created %s\n", s.SecretID, s.LastFour, s.CreatedAt.Format(time.RFC3339))
			}
		case "delete":
			if err := a.Projects.DeleteSecret(ctx, id, secretID); err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]string{"deleted": secretID})
			}
			fmt.Fprintln(stdout, "deleted", secretID)
		}
		return nil
	})
}

func publicToken(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cmd, rest, err := subcommand("public-token", args, stderr, "create", "list", "delete")
	if err != nil {
		return err
	}
	name := "project public-token " + cmd
	var id, token string
	var asJSON bool
	cfg, err := toolFlags(name, rest, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		if cmd == "delete" {
			fs.StringVar(&token, "public-token", "", "the public token to delete (required)")
		}
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	need := map[string]string{"project": id}
	if cmd == "delete" {
		need["public-token"] = token
	}
	if err := required(stderr, name, need); err != nil {
		return err
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		switch cmd {
		case "create":
			t, err := a.Projects.CreatePublicToken(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, t)
			}
			fmt.Fprintln(stdout, t.PublicToken)
		case "list":
			list, err := a.Projects.ListPublicTokens(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"public_tokens": list})
			}
			for _, t := range list {
				fmt.Fprintln(stdout, t.PublicToken)
			}
		case "delete":
			if err := a.Projects.DeletePublicToken(ctx, id, token); err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]string{"deleted": token})
			}
			fmt.Fprintln(stdout, "deleted", token)
		}
		return nil
	})
}

const workspaceKeyUsage = `usage: seam workspace-key create|list|revoke [flags]

Workspace management keys authenticate the project administration API
(/pwa/v3/..., HTTP Basic: key ID as username, secret as password).
  create              create a key and print its secret once
  list                list keys (never their secrets)
  revoke --key-id K   revoke a key at once
`

func workspaceKey(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, workspaceKeyUsage)
		return errUsage
	}
	cmd := args[0]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, workspaceKeyUsage)
		return nil
	}
	if cmd != "create" && cmd != "list" && cmd != "revoke" {
		fmt.Fprintf(stderr, "seam workspace-key: unknown command %q\n\n%s", cmd, workspaceKeyUsage)
		return errUsage
	}
	name := "workspace-key " + cmd
	var keyID string
	var asJSON bool
	cfg, err := toolFlags(name, args[1:], env, stdout, stderr, func(fs *flag.FlagSet) {
		if cmd == "revoke" {
			fs.StringVar(&keyID, "key-id", "", "ID of the key to revoke (required)")
		}
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if cmd == "revoke" {
		if err := required(stderr, name, map[string]string{"key-id": keyID}); err != nil {
			return err
		}
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		switch cmd {
		case "create":
			k, err := a.Admin.CreateKey(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, k)
			}
			fmt.Fprintf(stdout, "key_id: %s\nsecret: %s\n(shown once; only its hash is stored)\n", k.KeyID, k.Secret)
		case "list":
			keys, err := a.Admin.ListKeys(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]any{"keys": keys})
			}
			for _, k := range keys {
				state := "valid"
				if k.RevokedAt != nil {
					state = "revoked " + k.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(stdout, "%s  ...%s  created %s  %s\n", k.KeyID, k.LastFour, k.CreatedAt.Format(time.RFC3339), state)
			}
		case "revoke":
			if err := a.Admin.RevokeKey(ctx, keyID); err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, map[string]string{"revoked": keyID})
			}
			fmt.Fprintln(stdout, "revoked", keyID)
		}
		return nil
	})
}
