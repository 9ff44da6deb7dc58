package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/webhooks"
)

const webhookUsage = `usage: seam webhook <command> --project P [flags]

commands:
  create --url U [--event-types T,T]             add an endpoint; prints its signing secret once
  list                                            list endpoints
  update --endpoint-id ID [--url U] [--event-types T,T] [--enabled true|false]
  delete --endpoint-id ID                         delete an endpoint and its pending deliveries
  rotate-secret --endpoint-id ID                  new signing secret (printed once); the old one signs for 24h more
  deliveries --endpoint-id ID [--limit N]         recent delivery attempts, newest first
  replay --endpoint-id ID (--event-id E | --since T [--until T])   send past events again (RFC 3339 times)

Every command takes --json and --database-url (SEAM_DATABASE_URL). See docs/events.md.
`

// webhook is "seam webhook ...", the CLI twin of /v1/webhooks/endpoints.
func webhook(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, webhookUsage)
		if len(args) == 0 {
			return errUsage
		}
		return errHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "create", "list", "update", "delete", "rotate-secret", "deliveries", "replay":
	default:
		fmt.Fprintf(stderr, "seam webhook: unknown command %q\n\n%s", cmd, webhookUsage)
		return errUsage
	}
	name := "webhook " + cmd
	var project, endpointID, rawURL, types, enabled, eventID, since, until string
	var limit int
	var asJSON bool
	cfg, err := toolFlags(name, rest, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&project, "project", "", "project ID (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		if cmd != "create" && cmd != "list" {
			fs.StringVar(&endpointID, "endpoint-id", "", "endpoint ID (required)")
		}
		if cmd == "create" || cmd == "update" {
			fs.StringVar(&rawURL, "url", "", "the receiver's URL (https; http only to SEAM_OUTBOUND_ALLOW addresses)")
			fs.StringVar(&types, "event-types", "", "comma-separated event types to send (default: all), e.g. direct.member.update")
		}
		switch cmd {
		case "update":
			fs.StringVar(&enabled, "enabled", "", "true or false")
		case "deliveries":
			fs.IntVar(&limit, "limit", 100, "how many attempts")
		case "replay":
			fs.StringVar(&eventID, "event-id", "", "one event to send again")
			fs.StringVar(&since, "since", "", "send the events created from this time (RFC 3339)")
			fs.StringVar(&until, "until", "", "... until this time (RFC 3339; default now)")
		}
	})
	if err != nil {
		return err
	}
	need := map[string]string{"project": project}
	switch cmd {
	case "create":
		need["url"] = rawURL
	case "list":
	default:
		need["endpoint-id"] = endpointID
	}
	if err := required(stderr, name, need); err != nil {
		return err
	}
	params := webhooks.Params{}
	if rawURL != "" {
		params.URL = opt.Of(rawURL)
	}
	if types != "" {
		params.EventTypes = opt.Of(strings.Split(types, ","))
	}
	switch enabled {
	case "":
	case "true", "false":
		params.Enabled = opt.Of(enabled == "true")
	default:
		fmt.Fprintln(stderr, "seam webhook update: --enabled is true or false")
		return errUsage
	}
	replay, err := replayParams(eventID, since, until)
	if err != nil {
		fmt.Fprintln(stderr, "seam webhook replay:", err)
		return errUsage
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		show := func(v any, text string) error {
			if asJSON {
				return printJSON(stdout, v)
			}
			_, err := fmt.Fprint(stdout, text)
			return err
		}
		switch cmd {
		case "create":
			p, err := a.Projects.Get(ctx, project)
			if err != nil {
				return err
			}
			e, secret, err := a.Webhooks.Create(ctx, p, params)
			if err != nil {
				return err
			}
			return show(map[string]any{"endpoint": e, "signing_secret": secret},
				fmt.Sprintf("endpoint_id:    %s\nsigning_secret: %s\n(shown once)\n", e.EndpointID, secret))
		case "list":
			es, err := a.Webhooks.List(ctx, project)
			if err != nil {
				return err
			}
			var b strings.Builder
			for _, e := range es {
				fmt.Fprintf(&b, "%s  %s  enabled=%v  types=%s\n", e.EndpointID, e.URL, e.Enabled, strings.Join(e.EventTypes, ","))
			}
			return show(map[string]any{"endpoints": es}, b.String())
		case "update":
			e, err := a.Webhooks.Update(ctx, project, endpointID, params)
			if err != nil {
				return err
			}
			return show(map[string]any{"endpoint": e}, fmt.Sprintf("updated %s\n", e.EndpointID))
		case "delete":
			if err := a.Webhooks.Delete(ctx, project, endpointID); err != nil {
				return err
			}
			return show(map[string]string{"deleted": endpointID}, "deleted "+endpointID+"\n")
		case "rotate-secret":
			e, secret, err := a.Webhooks.RotateSecret(ctx, project, endpointID)
			if err != nil {
				return err
			}
			return show(map[string]any{"endpoint": e, "signing_secret": secret},
				fmt.Sprintf("signing_secret: %s\n(shown once; the previous secret keeps signing for 24 hours)\n", secret))
		case "deliveries":
			as, err := a.Webhooks.Attempts(ctx, project, endpointID, limit)
			if err != nil {
				return err
			}
			var b strings.Builder
			for _, at := range as {
				fmt.Fprintf(&b, "%s  %s  attempt %d  %s  status %d  %dms  %s\n", at.CreatedAt.Format(time.RFC3339), at.EventID,
					at.Attempt, at.Outcome, at.StatusCode, at.LatencyMS, at.Error)
			}
			return show(map[string]any{"attempts": as}, b.String())
		case "replay":
			n, err := a.Webhooks.Replay(ctx, project, endpointID, replay)
			if err != nil {
				return err
			}
			return show(map[string]int{"replayed": n}, fmt.Sprintf("%d deliveries queued\n", n))
		}
		return nil
	})
}

func replayParams(eventID, since, until string) (webhooks.ReplayParams, error) {
	var p webhooks.ReplayParams
	if eventID != "" {
		p.EventID = opt.Of(eventID)
	}
	for _, f := range []struct {
		raw string
		dst *opt.Value[time.Time]
	}{{since, &p.Since}, {until, &p.Until}} {
		if f.raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f.raw)
		if err != nil {
			return p, fmt.Errorf("%q is not an RFC 3339 time", f.raw)
		}
		*f.dst = opt.Of(t)
	}
	return p, nil
}
