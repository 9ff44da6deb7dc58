package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/rekey"
)

// errRotationPending makes `seam keys rotate --check` exit non-zero while
// values still need the previous key, so a script can wait for it.
var errRotationPending = errors.New("values sealed under the previous master key remain")

// keysRotate runs the master-key rotation (or, with --check, counts what it
// would re-seal).
func keysRotate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var check, asJSON bool
	var batch int
	cfg, err := toolFlags("keys rotate", args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&check, "check", false, "count the values still sealed under a previous key; write nothing")
		fs.IntVar(&batch, "batch", 500, "rows read per query")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if batch < 1 || batch > 10000 {
		fmt.Fprintln(stderr, "seam keys rotate: --batch must be between 1 and 10000, e.g. --batch 500")
		return errUsage
	}
	return tool(ctx, cfg, stderr, func(a *app.App) error {
		if !check && cfg.SecretKeyPrevious == "" {
			fmt.Fprintln(stderr, "seam keys rotate: SEAM_SECRET_KEY_PREVIOUS is not set: nothing could be sealed under another key; "+
				"set SEAM_SECRET_KEY to the new key and SEAM_SECRET_KEY_PREVIOUS to the old one (docs/deploy.md#master-key-rotation)")
			return errUsage
		}
		results, runErr := a.Rotator(batch).Run(ctx, check)
		pending := 0
		for _, r := range results {
			pending += r.Resealed
		}
		if err := printRotation(stdout, results, check, asJSON); err != nil {
			return err
		}
		if runErr != nil {
			return runErr
		}
		if check && pending > 0 {
			return errRotationPending
		}
		return nil
	})
}

func printRotation(w io.Writer, results []rekey.Result, check, asJSON bool) error {
	if asJSON {
		return printJSON(w, map[string]any{"check": check, "columns": results})
	}
	verb := "re-sealed"
	if check {
		verb = "still under a previous key"
	}
	for _, r := range results {
		line := fmt.Sprintf("%-34s %6d rows, %6d %s", r.Column, r.Rows, r.Resealed, verb)
		if r.Raced > 0 {
			line += fmt.Sprintf(", %d rewritten by a replica meanwhile", r.Raced)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
