package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/rbac"
)

// rbacPolicy is `seam project rbac-policy get|set`: a project's RBAC policy
// through the same service as PUT/GET /pwa/v3/.../rbac_policy.
func rbacPolicy(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cmd, rest, err := subcommand("rbac-policy", args, stderr, "get", "set")
	if err != nil {
		return err
	}
	name := "project rbac-policy " + cmd
	var (
		id, file string
		asJSON   bool
	)
	cfg, err := toolFlags(name, rest, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "project", "", "project ID (required)")
		if cmd == "set" {
			fs.StringVar(&file, "file", "", `JSON file with the whole policy in the PWA shape, as "get" prints it (required)`)
		}
		fs.BoolVar(&asJSON, "json", false, "print compact JSON")
	})
	if err != nil {
		return err
	}
	need := map[string]string{"project": id}
	if cmd == "set" {
		need["file"] = file
	}
	if err := required(stderr, name, need); err != nil {
		return err
	}
	var doc rbac.Document
	if cmd == "set" {
		if doc, err = readPolicyDocument(file); err != nil {
			return err
		}
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		var out rbac.Document
		var err error
		if cmd == "set" {
			out, err = a.Projects.SetRBACPolicy(ctx, id, doc)
		} else {
			out, err = a.Projects.RBACPolicy(ctx, id)
		}
		if err != nil {
			return err
		}
		body := map[string]any{"policy": out}
		if asJSON {
			return printJSON(stdout, body)
		}
		b, err := json.MarshalIndent(body, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	})
}

// readPolicyDocument reads a policy file: the policy object itself, or a
// PUT body / "get" output that wraps it in {"policy": ...}.
func readPolicyDocument(path string) (rbac.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return rbac.Document{}, fmt.Errorf("RBAC policy: %w", err)
	}
	var wrapped struct {
		Policy *rbac.Document `json:"policy"`
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return rbac.Document{}, fmt.Errorf("RBAC policy %s: %w", path, err)
	}
	if wrapped.Policy != nil {
		return *wrapped.Policy, nil
	}
	var d rbac.Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return rbac.Document{}, fmt.Errorf("RBAC policy %s: %w", path, err)
	}
	return d, nil
}
