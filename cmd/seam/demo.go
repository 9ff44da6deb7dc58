package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/seamsso/seam/internal/testidp"
)

const demoUsage = "usage: seam demo --project P [--base-url URL] [--protocol saml|oidc] [--redirect-url URL] [--json]"

// demo connects a test project to the built-in test IdP: it creates (once)
// the organization seam-demo and a new SAML or OIDC connection in it, and
// prints the start URL of a login and what to do next. It writes to the
// database like `seam project create`; `seam serve` on the same database
// answers the login.
func demo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var (
		projectID, protocol, redirect string
		asJSON                        bool
	)
	cfg, err := parseTo("demo", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "test project ID (required; the zero-setup start prints it)")
		fs.StringVar(&protocol, "protocol", "saml", "saml or oidc")
		fs.StringVar(&redirect, "redirect-url", "", "registered redirect URL the login lands on (default: Seam's demo landing page when registered, else the project's first redirect URL)")
		fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	})
	if err != nil {
		return err
	}
	if projectID == "" {
		fmt.Fprintln(stderr, "seam demo: --project is required (the project_id `seam serve` printed on its first start, or one from `seam project create`)")
		fmt.Fprintln(stderr, demoUsage)
		return errUsage
	}
	if protocol != "saml" && protocol != "oidc" {
		fmt.Fprintln(stderr, "seam demo: --protocol must be saml or oidc")
		return errUsage
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.TestIdP.Demo(ctx, testidp.DemoParams{ProjectID: projectID, Protocol: protocol, RedirectURL: redirect})
	if err != nil {
		return cliError(err)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	_, err = io.WriteString(stdout, demoText(res, cfg.BaseURL, cfg.OutboundAllow, a.TestIdP.LandingURL()))
	return err
}

// demoText is the human-readable result: the start URL and the exact next
// steps.
func demoText(res *testidp.DemoResult, base, outboundAllow, landing string) string {
	var b strings.Builder
	kind := strings.ToUpper(res.Protocol)
	fmt.Fprintf(&b, "Seam demo: organization %q (%s) has a new %s connection to the built-in test IdP (a development tool).\n\n",
		testidp.DemoOrgSlug, res.OrganizationID, kind)
	fmt.Fprintf(&b, "  project_id:      %s\n  organization_id: %s\n  connection_id:   %s (%s)\n  redirect URL:    %s\n\n",
		res.ProjectID, res.OrganizationID, res.ConnectionID, res.Status, res.RedirectURL)
	if res.Warning != "" {
		// Discovery ran in this process, whose outbound client has its own
		// SEAM_OUTBOUND_ALLOW; the endpoints were set directly anyway.
		b.WriteString("Note: this command could not read the IdP's discovery document (its outbound requests follow\n" +
			"SEAM_OUTBOUND_ALLOW too); the connection was given the IdP's endpoints directly, so it is complete.\n\n")
	}
	b.WriteString("Next steps:\n")
	fmt.Fprintf(&b, "  1. Keep `seam serve` running on this database with the same public URL (SEAM_BASE_URL %s).\n", base)
	if res.Protocol == "oidc" && !strings.Contains(outboundAllow, "127.0.0.") && (strings.Contains(base, "://127.") || strings.Contains(base, "://localhost")) {
		fmt.Fprintf(&b, "     OIDC: the server calls the IdP's token endpoint and JWKS through its guarded outbound client, which\n"+
			"     refuses loopback addresses unless allowed: unless it already runs with it, restart it with\n"+
			"     SEAM_OUTBOUND_ALLOW=%s\n", hostPort(base))
	}
	fmt.Fprintf(&b, "  2. Open the start URL in a browser:\n\n     %s\n\n", res.StartURL)
	b.WriteString("  3. On the test IdP's page pick a user (ada@example.com is in the groups engineering and admins")
	if res.Protocol == "saml" {
		b.WriteString(", which this\n     connection maps to the role stytch_admin")
	}
	b.WriteString("; bob@example.com is in sales) and a valid response.\n")
	if res.RedirectURL == landing {
		b.WriteString("  4. The browser lands on Seam's demo page, which shows the one-time SSO token; exchange it (within 10 minutes):\n")
	} else {
		fmt.Fprintf(&b, "  4. The browser lands on %s?stytch_token_type=sso&token=...; your application exchanges the token:\n", res.RedirectURL)
	}
	fmt.Fprintf(&b, "     curl -u \"%s:$SECRET\" -H 'Content-Type: application/json' \\\n       -d '{\"sso_token\":\"TOKEN\",\"session_duration_minutes\":60}' %s/v1/b2b/sso/authenticate\n",
		res.ProjectID, base)
	fmt.Fprintf(&b, "  5. Start again and pick a broken response (wrong audience, expired, untrusted key); then read why it failed:\n"+
		"     curl -u \"%s:$SECRET\" %s/v1/b2b/sso/%s/%s/connections/%s/logins\n",
		res.ProjectID, base, res.Protocol, res.OrganizationID, res.ConnectionID)
	b.WriteString("\nTo log in through your real IdP instead, see docs/getting-started.md, section 5.\n")
	return b.String()
}

func hostPort(base string) string {
	_, rest, _ := strings.Cut(base, "://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}
