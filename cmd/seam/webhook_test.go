package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// seam webhook: the CLI twin of /v1/webhooks/endpoints; its changes are in
// the events log as the CLI's (operator source, cli actor).
func TestWebhookCLI(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			vars := map[string]string{
				"SEAM_DATABASE_URL":   testdb.URL(t, backend),
				"SEAM_SECRET_KEY":     base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
				"SEAM_LOG_LEVEL":      "error",
				"SEAM_OUTBOUND_ALLOW": "127.0.0.0/8",
			}
			ctx := context.Background()
			cli := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(ctx, args, func(k string) string { return vars[k] }, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			must := func(args ...string) map[string]any {
				t.Helper()
				code, out, errOut := cli(args...)
				if code != 0 {
					t.Fatalf("seam %s: %d %s", strings.Join(args, " "), code, errOut)
				}
				var v map[string]any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("seam %s: %q: %v", strings.Join(args, " "), out, err)
				}
				return v
			}
			project := must("project", "create", "--name", "hooks", "--json")["project_id"].(string)
			created := must("webhook", "create", "--project", project, "--url", "http://127.0.0.1:9/hook",
				"--event-types", "direct.member.create,direct.member.update", "--json")
			if s, _ := created["signing_secret"].(string); !strings.HasPrefix(s, "whsec_") {
				t.Fatalf("create = %v", created)
			}
			id := created["endpoint"].(map[string]any)["endpoint_id"].(string)
			list := must("webhook", "list", "--project", project, "--json")
			if b, _ := json.Marshal(list); len(list["endpoints"].([]any)) != 1 || strings.Contains(string(b), "whsec_") {
				t.Fatalf("list = %s", b)
			}
			must("webhook", "update", "--project", project, "--endpoint-id", id, "--enabled", "false", "--json")
			if r := must("webhook", "rotate-secret", "--project", project, "--endpoint-id", id, "--json"); r["signing_secret"] == created["signing_secret"] {
				t.Error("rotate-secret kept the secret")
			}
			if code, _, _ := cli("webhook", "create", "--project", project, "--url", "https://10.0.0.1/hook"); code == 0 {
				t.Error("a private destination was accepted")
			}
			if code, _, _ := cli("webhook", "replay", "--project", project, "--endpoint-id", id, "--since", "yesterday"); code != 2 {
				t.Error("a bad --since was accepted")
			}
			must("webhook", "delete", "--project", project, "--endpoint-id", id, "--json")
			if code, _, _ := cli("webhook", "delete", "--project", project, "--endpoint-id", id); code == 0 {
				t.Error("deleting twice succeeded")
			}
			cfg := config.Config{DatabaseURL: vars["SEAM_DATABASE_URL"], SecretKey: vars["SEAM_SECRET_KEY"], BaseURL: "https://seam.example"}
			a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			evs, err := a.Store.ListEvents(ctx, store.EventFilter{ProjectID: project, ObjectType: "webhook_endpoint", Limit: 100})
			if err != nil || len(evs) != 4 { // create, update, rotate, delete
				t.Fatalf("%d endpoint events, %v", len(evs), err)
			}
			for _, e := range evs {
				if e.Source != "OPERATOR" || e.ActorType != "cli" || !strings.HasPrefix(e.Type, "operator.webhook_endpoint.") {
					t.Errorf("event %s by %s/%s", e.Type, e.Source, e.ActorType)
				}
			}
		})
	}
}
