#!/usr/bin/env bash
# Runs every fuzz target in the module briefly. Failing inputs are written
# to testdata/fuzz by go test and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# A fixed number of executions rather than a duration: with -fuzztime=Ns the
# fuzz coordinator can report "context deadline exceeded" when the deadline
# lands mid-batch, a false failure on a busy machine.
execs="${FUZZ_EXECS:-2000}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(f \*testing\.F\)' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' | sort -u); do
    echo "fuzz $pkg $target (${execs} executions)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="${execs}x" "$pkg" >/tmp/fuzz-$$.log 2>&1 || { cat /tmp/fuzz-$$.log; exit 1; }
  done
done
